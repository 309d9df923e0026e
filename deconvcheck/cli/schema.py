"""`deconvcheck schema`: the JSON Schema of the spec format, for editors."""

from __future__ import annotations

import click

from deconvcheck.cli.main import Command


@click.command(
    cls=Command,
    epilog="""\b
Use it from an editor with the YAML language server, first line of a spec:
  # yaml-language-server: $schema=deconvcheck.schema.json
  deconvcheck schema > deconvcheck.schema.json""",
)
def schema() -> None:
    """Print the JSON Schema (draft-07) of the spec format, generated from the layer registry."""
    import json  # noqa: PLC0415

    from deconvcheck.schema import spec_schema  # noqa: PLC0415

    click.echo(json.dumps(spec_schema(), indent=2))
