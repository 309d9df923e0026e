"""Which rules run: `[tool.deconvcheck]` in pyproject.toml, then `--select` / `--ignore`.

[tool.deconvcheck]
select = ["DC2", "DC3"]   # prefixes or codes; empty or absent: every rule
ignore = ["DC303"]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from deconvcheck.diagnostics import RULES

_PREFIX = re.compile(r"^DC\d{0,3}$")


class ConfigError(Exception):
    """A configuration value that cannot be used: a usage error (exit 2)."""


class Config(NamedTuple):
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    source: str | None = None  # the pyproject.toml read, if any

    def selects(self, code: str) -> bool:
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        return not any(code.startswith(p) for p in self.ignore)


def validate(codes: list[str] | tuple[str, ...], where: str) -> tuple[str, ...]:
    for code in codes:
        if not isinstance(code, str) or not _PREFIX.match(code):
            raise ConfigError(f"{where}: {code!r} is not a rule code or prefix (DC303, DC3, ...)")
        if len(code) == 5 and code not in RULES:
            raise ConfigError(f"{where}: there is no rule {code}; `deconvcheck rules` lists them")
    return tuple(codes)


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(start: Path) -> Config:
    path = find_pyproject(start.resolve())
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read [tool.deconvcheck]: {exc}") from None
    if "deconvcheck" not in text:
        return Config()  # no [tool.deconvcheck]: spare the TOML parser (5 ms at start-up)
    import tomllib  # noqa: PLC0415

    try:
        table = tomllib.loads(text).get("tool", {}).get("deconvcheck", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: cannot read [tool.deconvcheck]: {exc}") from None
    unknown = set(table) - {"select", "ignore"}
    if unknown:
        raise ConfigError(f"{path}: unknown [tool.deconvcheck] keys: {', '.join(sorted(unknown))}")
    for key in ("select", "ignore"):
        if not isinstance(table.get(key, []), list):
            raise ConfigError(f"{path}: [tool.deconvcheck] {key} must be a list of rule codes")
    return Config(
        validate(table.get("select", []), str(path)),
        validate(table.get("ignore", []), str(path)),
        str(path),
    )


def merge(config: Config, select: tuple[str, ...], ignore: tuple[str, ...]) -> Config:
    """Command-line options: --select replaces the file's selection, --ignore adds to it."""
    return Config(
        validate(select, "--select") if select else config.select,
        config.ignore + validate(ignore, "--ignore"),
        config.source,
    )
