"""`deconvcheck examples [NAME]`: the example specs shipped with the package."""

from __future__ import annotations

import os
import sys

import click

from deconvcheck.cli.main import EXIT_USAGE, Command, emit

FOLDER = os.path.join(os.path.dirname(os.path.dirname(__file__)), "examples")


def _examples() -> dict[str, str]:
    """Each example's name (its file name without .yaml) and its path."""
    names = sorted(n for n in os.listdir(FOLDER) if n.endswith(".yaml"))
    return {n.removesuffix(".yaml"): os.path.join(FOLDER, n) for n in names}


def _about(path: str) -> str:
    """The example's opening comment's first sentence (what it is)."""
    words: list[str] = []
    with open(path, encoding="utf-8") as file:
        for line in file:
            if not line.startswith("#"):
                break
            text = line.lstrip("#").strip()
            if not text.startswith("yaml-language-server"):
                words.append(text)
    about = " ".join(words)
    return about.split(". ")[0].removesuffix(".")


@click.command(
    cls=Command,
    epilog="""\b
Examples:
  deconvcheck examples                       # the list
  deconvcheck examples unet > unet.yaml      # one, to try the other commands on
  deconvcheck examples unet | deconvcheck summary -""",
)
@click.argument("name", required=False)
def examples(name: str | None) -> None:
    """List the example specs, or print the one called NAME (YAML, on standard output)."""
    found = _examples()
    if name is None:
        width = max(len(n) for n in found)
        emit("".join(f"{n:<{width}}  {_about(path)}\n" for n, path in found.items()))
        return
    path = found.get(name.removesuffix(".yaml"))
    if path is None:
        from deconvcheck.read.spec import suggest  # noqa: PLC0415

        click.echo(
            f"no example {name!r}{suggest(name, found)}; `deconvcheck examples` lists them",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    with open(path, encoding="utf-8") as file:
        emit(file.read())
