"""Which rules run, as ruff decides it: `[tool.deconvcheck]` in pyproject.toml, then the
command line.

    [tool.deconvcheck]
    select = ["DC2", "DC3"]          # replaces the default rule set (codes or prefixes)
    extend-select = ["DC302"]        # adds to it: the opt-in advice rules
    ignore = ["DC208"]
    per-file-ignores = {"legacy/*.yaml" = ["DC301"]}   # patterns relative to pyproject.toml
    max-params = 30_000_000          # budgets (DC401): max-params, max-macs, max-activation-memory
    per-file-budgets = {"mobile/*.yaml" = {max-params = 5_000_000}}   # overrides, per pattern

Without `select`, the default rule set runs: what is wrong (Keras would refuse, the decoder
does not restore, a merge cannot join, a layer is disconnected). Advice (DC302 floors, DC303
checkerboard) runs only when selected.
"""

from __future__ import annotations

import contextlib
import os
import re
from fnmatch import fnmatch
from typing import TYPE_CHECKING, Any, NamedTuple

from deconvcheck.diagnostics import RULES

if TYPE_CHECKING:
    from pathlib import Path

_PREFIX = re.compile(r"^DC\d{0,3}$")
KEYS = ("select", "extend-select", "ignore", "per-file-ignores", "per-file-budgets")
# A model's size held in review: parameters, multiply-accumulates per sample, activation
# memory per sample in bytes (float32), each a finding (DC401) when exceeded.
BUDGETS = ("max-params", "max-macs", "max-activation-memory")


class ConfigError(Exception):
    """A configuration value that cannot be used: a usage error (exit 2)."""


def _matches(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(code.startswith(p) for p in prefixes)


class Config(NamedTuple):
    select: tuple[str, ...] = ()  # empty: the default rule set
    ignore: tuple[str, ...] = ()
    source: str | None = None  # the pyproject.toml read, if any
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    input_shape: tuple[int | None, ...] | None = None  # --input-shape: try another size
    budgets: tuple[tuple[str, int], ...] = ()  # (key of BUDGETS, limit)
    per_file_budgets: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()

    def budgets_for(self, path: str) -> tuple[tuple[str, int], ...]:
        """The budgets of one file: the project's, each overridden by the patterns of
        per-file-budgets that match it (later patterns win)."""
        limits = dict(self.budgets)
        for pattern, budgets in self.per_file_budgets:
            if self._matches_path(pattern, path):
                limits.update(budgets)
        return tuple((key, limits[key]) for key in BUDGETS if key in limits)

    def selects(self, code: str, path: str | None = None) -> bool:
        rule = RULES.get(code)
        chosen = _matches(code, self.select) if self.select else rule is None or rule.default
        if not chosen and not _matches(code, self.extend_select):
            return False
        if _matches(code, self.ignore):
            return False
        return path is None or not any(
            _matches(code, codes)
            for pattern, codes in self.per_file_ignores
            if self._matches_path(pattern, path)
        )

    def _matches_path(self, pattern: str, path: str) -> bool:
        from pathlib import Path  # noqa: PLC0415 - only with per-file settings

        target = Path(path).resolve()
        if self.source is not None:
            with contextlib.suppress(ValueError):  # a file outside the project: its name only
                target = target.relative_to(Path(self.source).parent.resolve())
        return fnmatch(target.as_posix(), pattern) or fnmatch(Path(path).name, pattern)


def validate(codes: Any, where: str) -> tuple[str, ...]:
    if not isinstance(codes, list | tuple):
        raise ConfigError(f"{where} must be a list of rule codes")
    for code in codes:
        if not isinstance(code, str) or not _PREFIX.match(code):
            raise ConfigError(f"{where}: {code!r} is not a rule code or prefix (DC303, DC3, ...)")
        if len(code) == 5 and code not in RULES:
            raise ConfigError(f"{where}: there is no rule {code}; `deconvcheck rules` lists them")
    return tuple(codes)


def find_pyproject(start: str | Path) -> str | None:
    """The nearest pyproject.toml at or above `start` (os.path: pathlib costs 6 ms to import,
    on every commit)."""
    folder = os.path.realpath(start)
    while True:
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def load_config(start: str | Path) -> Config:
    path = find_pyproject(start)
    if path is None:
        return Config()
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read [tool.deconvcheck]: {exc}") from None
    if "deconvcheck" not in text:
        return Config()  # no [tool.deconvcheck]: spare the TOML parser (5 ms at start-up)
    import tomllib  # noqa: PLC0415

    try:
        table = tomllib.loads(text).get("tool", {}).get("deconvcheck", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: cannot read [tool.deconvcheck]: {exc}") from None
    unknown = set(table) - set(KEYS) - set(BUDGETS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown [tool.deconvcheck] keys: {', '.join(sorted(unknown))} "
            f"(known: {', '.join(KEYS + BUDGETS)})"
        )
    where = f"{path}: [tool.deconvcheck]"
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{where} per-file-ignores must be a table of pattern = [codes]")
    per_file_budgets = table.get("per-file-budgets", {})
    if not isinstance(per_file_budgets, dict) or not all(
        isinstance(b, dict) for b in per_file_budgets.values()
    ):
        raise ConfigError(
            f"{where} per-file-budgets must be a table of pattern = {{max-params = N, ...}}"
        )
    return Config(
        validate(table.get("select", []), f"{where} select"),
        validate(table.get("ignore", []), f"{where} ignore"),
        path,
        validate(table.get("extend-select", []), f"{where} extend-select"),
        tuple(
            (pattern, validate(codes, f"{where} per-file-ignores {pattern!r}"))
            for pattern, codes in per_file.items()
        ),
        budgets=_budgets(table, where),
        per_file_budgets=tuple(
            (pattern, _budgets(budgets, f"{where} per-file-budgets {pattern!r}", strict=True))
            for pattern, budgets in per_file_budgets.items()
        ),
    )


def _budgets(
    table: dict[str, Any], where: str, strict: bool = False
) -> tuple[tuple[str, int], ...]:
    if strict:
        unknown = sorted(set(table) - set(BUDGETS))
        if unknown:
            raise ConfigError(
                f"{where}: unknown budget {unknown[0]!r} (known: {', '.join(BUDGETS)})"
            )
    return tuple((key, _budget(table[key], f"{where} {key}")) for key in BUDGETS if key in table)


def _budget(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{where} must be a positive integer; received {value!r}")
    return value


def merge(
    config: Config,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...] = (),
) -> Config:
    """Command-line options: --select replaces the file's selection; --extend-select and
    --ignore add to it."""
    return config._replace(
        select=validate(select, "--select") if select else config.select,
        ignore=config.ignore + validate(ignore, "--ignore"),
        extend_select=config.extend_select + validate(extend_select, "--extend-select"),
    )
