"""`deconvcheck layers [TYPE]`: what the spec format accepts, generated from the registry."""

from __future__ import annotations

import sys

import click

from deconvcheck.cli.main import EXIT_USAGE, Command, color_option, emit_report


@click.command(cls=Command)
@click.argument("type_name", metavar="[TYPE]", required=False)
@color_option
def layers(type_name: str | None) -> None:
    """List the supported layer types, or one TYPE's arguments with their Keras defaults."""
    from deconvcheck.layers.registry import layer_types, lookup  # noqa: PLC0415
    from deconvcheck.read.spec import suggest  # noqa: PLC0415

    if type_name is None:
        lines = []
        for cls in layer_types():
            aliases = ", ".join(cls.NAMES[1:])
            lines.append(cls.NAMES[0] + (f"  (also: {aliases})" if aliases else ""))
        emit_report("".join(line + "\n" for line in lines))
        return
    found = lookup(type_name)
    if found is None:
        names = [n for c in layer_types() for n in c.NAMES]
        click.echo(f"unknown layer type {type_name!r}{suggest(type_name, names)}", err=True)
        sys.exit(EXIT_USAGE)
    cls = found
    from deconvcheck.layers.base import anything  # noqa: PLC0415
    from deconvcheck.read.signatures import layer_entry  # noqa: PLC0415

    # An argument kept and never read declares no default of its own: Keras's is shown.
    keras_defaults = (layer_entry(cls.keras_name()) or {}).get("defaults", {})
    lines = [f"{cls.NAMES[0]} arguments (Keras names and defaults):"]
    for arg in cls.all_args():
        value = arg.default
        if arg.parse is anything and value is None and arg.name in keras_defaults:
            value = keras_defaults[arg.name]
        default = "required" if arg.required else f"default {value!r}"
        doc = f" - {arg.doc}" if arg.doc else ""
        lines.append(f"  {arg.name}: {default}{doc}")
    emit_report("".join(line + "\n" for line in lines))
