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
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from deconvcheck.diagnostics import RULES, by_default
from deconvcheck.record import Record

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

_PREFIX = r"DC\d{0,3}"  # a code or a prefix of one (re.fullmatch, compiled when used)
KEYS = ("select", "extend-select", "ignore", "per-file-ignores", "per-file-budgets")
# A model's size held in review: parameters, multiply-accumulates per sample, activation
# memory per sample in bytes (float32), each a finding (DC401) when exceeded.
BUDGETS = ("max-params", "max-macs", "max-activation-memory")


# A pattern longer than this is no path anyone wrote; compiling and matching cost in proportion
# (some 4 µs a character to compile), so the patterns of one project are bounded in all too.
MAX_PATTERN = 1_000
MAX_PATTERN_TEXT = 1_000_000


class ConfigError(Exception):
    """A configuration value that cannot be used: a usage error (exit 2)."""


T = TypeVar("T")


class PathPatterns(Generic[T]):
    """The glob patterns of a per-file setting, each with its value (the codes it ignores, the
    budgets it sets), matched against a file's path relative to the project's folder, or its
    name. Each pattern is translated and compiled once, on first use in a process, and each
    file's matches are worked out once: 20,000 patterns asked about every finding of every file
    took 91 s, each call resolving the path and matching every pattern again.

    >>> PathPatterns((("legacy/*.yaml", ("DC301",)),), "/p").matching("/p/legacy/a.yaml")
    [('DC301',)]
    """

    def __init__(self, entries: tuple[tuple[str, T], ...] = (), root: str | None = None) -> None:
        self.entries, self.root = entries, root if entries else None  # no patterns: no root
        self._compiled: list[tuple[Callable[[str], object], T]] | None = None
        self._by_path: dict[str, list[T]] = {}

    def matching(self, path: str) -> list[T]:
        """The values of the patterns that match `path`, in the order written."""
        if not self.entries:
            return []
        found = self._by_path.get(path)
        if found is None:
            names = _names(path, self.root)
            found = [value for match, value in self._patterns() if any(map(match, names))]
            self._by_path[path] = found
        return found

    def _patterns(self) -> list[tuple[Callable[[str], object], T]]:
        if self._compiled is None:
            from fnmatch import translate  # noqa: PLC0415 - only with per-file settings

            self._compiled = [(re.compile(translate(p)).match, v) for p, v in self.entries]
        return self._compiled

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PathPatterns):
            return NotImplemented
        return (self.entries, self.root) == (other.entries, other.root)

    def __hash__(self) -> int:
        return hash((self.entries, self.root))

    def __repr__(self) -> str:
        return f"PathPatterns({self.entries!r}, {self.root!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (PathPatterns, (self.entries, self.root))  # the compiled patterns stay behind


def _names(path: str, root: str | None) -> tuple[str, str]:
    """What a pattern is matched against: the path relative to the project's folder (the
    whole path for a file outside it), and the file's name."""
    from pathlib import Path  # noqa: PLC0415 - only with per-file settings

    target = Path(path).resolve()
    if root is not None:  # a file outside the project: its whole path, and its name
        with contextlib.suppress(ValueError):
            target = target.relative_to(root)
    return target.as_posix(), Path(path).name


def _matches(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(code.startswith(p) for p in prefixes)


class Config(Record):
    select: tuple[str, ...] = ()  # empty: the default rule set
    ignore: tuple[str, ...] = ()
    source: str | None = None  # the pyproject.toml read, if any
    extend_select: tuple[str, ...] = ()
    per_file_ignores: PathPatterns[tuple[str, ...]] = PathPatterns()
    input_shape: tuple[int | None, ...] | None = None  # --input-shape: try another size
    budgets: tuple[tuple[str, int], ...] = ()  # (key of BUDGETS, limit)
    per_file_budgets: PathPatterns[tuple[tuple[str, int], ...]] = PathPatterns()

    def budgets_for(self, path: str) -> tuple[tuple[str, int], ...]:
        """The budgets of one file: the project's, each overridden by the patterns of
        per-file-budgets that match it (later patterns win)."""
        limits = dict(self.budgets)
        for budgets in self.per_file_budgets.matching(path):
            limits.update(budgets)
        return tuple((key, limits[key]) for key in BUDGETS if key in limits)

    def selects(self, code: str, path: str | None = None) -> bool:
        chosen = _matches(code, self.select) if self.select else by_default(code)
        if not chosen and not _matches(code, self.extend_select):
            return False
        if _matches(code, self.ignore):
            return False
        return path is None or not any(
            _matches(code, codes) for codes in self.per_file_ignores.matching(path)
        )


def validate(codes: Any, where: str) -> tuple[str, ...]:
    if not isinstance(codes, list | tuple):
        raise ConfigError(
            f'{where} must be an array of rule codes, e.g. ["DC3"]; received {kind(codes)}'
        )
    for code in codes:
        if not isinstance(code, str):
            raise ConfigError(
                f'{where} must hold rule codes, strings such as "DC303" or "DC3"; '
                f"received {kind(code)}"
            )
        if not re.fullmatch(_PREFIX, code):
            raise ConfigError(
                f"{where}: {_shown(code)} is not a rule code or prefix (DC303, DC3, ...)"
            )
        if len(code) == 5 and code not in RULES:
            raise ConfigError(f"{where}: there is no rule {code}; `deconvcheck rules` lists them")
    return tuple(codes)


def kind(value: object) -> str:
    """A TOML value's type as an error names it, with the value where it is short:
    "a string ('DC301')", "an integer (1)", "an array", "a table"."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return f"a string ({_shown(value)})"
    if isinstance(value, int):
        return f"an integer ({_shown(value)})"
    if isinstance(value, float):
        return f"a float ({value!r})"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _shown(value: object, limit: int = 40) -> str:
    # a 10 MB string or a 4,000-digit integer is named, not printed
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**limit else "..."
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _key(name: str) -> str:
    # a key as TOML spells it bare, else quoted (an empty key, a space, a control character)
    return name if re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name) else _shown(name)


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
    table = _table(path, text)
    if table is None:
        return Config()
    where = f"{path}: [tool.deconvcheck]"
    per_file = _patterns(table, "per-file-ignores", where, "[codes]")
    per_file_budgets = _patterns(table, "per-file-budgets", where, "{max-params = N, ...}")
    written = sum(len(pattern) for pattern in [*per_file, *per_file_budgets])
    if written > MAX_PATTERN_TEXT:
        raise ConfigError(
            f"{where} per-file patterns of {written:,} characters in all (at most "
            f"{MAX_PATTERN_TEXT:,})"
        )
    root = os.path.dirname(path)  # find_pyproject resolved its folder
    return Config(
        validate(table.get("select", []), f"{where} select"),
        validate(table.get("ignore", []), f"{where} ignore"),
        path,
        validate(table.get("extend-select", []), f"{where} extend-select"),
        PathPatterns(
            tuple(
                (pattern, validate(codes, f"{where} per-file-ignores {_shown(pattern)}"))
                for pattern, codes in per_file.items()
            ),
            root,
        ),
        budgets=_budgets(table, where),
        per_file_budgets=PathPatterns(
            tuple(
                (pattern, _budgets(budgets, f"{where} per-file-budgets {_shown(pattern)}", True))
                for pattern, budgets in per_file_budgets.items()
            ),
            root,
        ),
    )


def _table(path: str, text: str) -> dict[str, Any] | None:
    """[tool.deconvcheck] of a pyproject.toml (None when it has none), its keys checked; a
    wrong type on the way there (`tool = "x"`, `deconvcheck = "DC301"`) named as such."""
    import tomllib  # noqa: PLC0415

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: cannot read [tool.deconvcheck]: {exc}") from None
    except ValueError:  # int() of the text of an integer: Python reads at most 4,300 digits
        raise ConfigError(
            f"{path}: cannot read [tool.deconvcheck]: an integer of more than 4,300 digits"
        ) from None
    except RecursionError:  # tomllib reads nested arrays and tables by recursion
        raise ConfigError(
            f"{path}: cannot read [tool.deconvcheck]: arrays or tables nested too deeply"
        ) from None
    tool = document.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: tool must be a table ([tool]); received {kind(tool)}")
    table = tool.get("deconvcheck")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(
            f"{path}: tool.deconvcheck must be a table ([tool.deconvcheck] with keys such as "
            f'select = ["DC3"]); received {kind(table)}'
        )
    unknown = sorted(set(table) - set(KEYS) - set(BUDGETS))
    if unknown:
        named = ", ".join(_key(k) for k in unknown[:5])
        more = f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else ""
        raise ConfigError(
            f"{path}: unknown [tool.deconvcheck] keys: {named}{more} "
            f"(known: {', '.join(KEYS + BUDGETS)})"
        )
    return table


def _patterns(table: dict[str, Any], key: str, where: str, value: str) -> dict[str, Any]:
    """per-file-ignores or per-file-budgets: a table of pattern = value."""
    patterns = table.get(key, {})
    if not isinstance(patterns, dict):
        raise ConfigError(
            f"{where} {key} must be a table of pattern = {value}; received {kind(patterns)}"
        )
    for pattern, setting in patterns.items():
        if len(pattern) > MAX_PATTERN:
            raise ConfigError(
                f"{where} {key}: a pattern of {len(pattern):,} characters (at most "
                f"{MAX_PATTERN:,}): {_shown(pattern)}"
            )
        if key == "per-file-budgets" and not isinstance(setting, dict):
            raise ConfigError(
                f"{where} {key} {_shown(pattern)} must be a table such as "
                f"{{max-params = 5_000_000}}; received {kind(setting)}"
            )
    return patterns


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
        raise ConfigError(f"{where} must be a positive integer; received {kind(value)}")
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
