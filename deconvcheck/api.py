"""deconvcheck as function calls, for notebooks and scripts: `summary` and `check`.

>>> import deconvcheck
>>> result = deconvcheck.summary({"layers": [{"type": "Input", "shape": [8]},
...                                          {"type": "Dense", "units": 4}]})
>>> result.to_dict()["total_params"]
36
>>> [f.code for f in deconvcheck.check("unet.yaml", input_shape=(100, 100, 8))]  # doctest: +SKIP
['DC201']

A spec is a path (a YAML or JSON spec, or a Keras model file), the text of a spec, or a mapping
as the YAML would hold it. Each call reads the spec afresh: calls never affect each other (a
check at another input size leaves the next summary at the file's own sizes). Nothing here
prints; the command line prints what these return.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from deconvcheck.diagnostics import Code, Diagnostic
from deconvcheck.model import Model
from deconvcheck.read.spec import Spec

SpecSource = str | os.PathLike[str] | Mapping[str, Any]


class ReadError(Exception):
    """The spec cannot be read at all (a missing file, a folder, no permission)."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


class InputShapeError(ValueError):
    """The spec cannot take the input shape asked for (not exactly one Input, say)."""


class Finding(Diagnostic):
    """One finding of `check` (or under `summary`'s table): a rule code, where, what, the fix."""

    __slots__ = ()

    @property
    def fix(self) -> str | None:
        """What would fix it (the text's `fix:` lines; `hint` is its earlier name)."""
        return self.hint

    def to_dict(self) -> dict[str, Any]:
        """The finding as `deconvcheck check --format json` gives it."""
        from deconvcheck.report.diagnostics import diagnostic_json  # noqa: PLC0415

        return diagnostic_json(self)


class Summary:
    """What `deconvcheck summary` prints: Keras's `model.summary()` of the spec and, under it,
    what `check` reports with its default rules. `str()` is the plain table, `to_dict()` the
    object of `--format json`; a notebook shows the table in Keras's colours."""

    def __init__(self, model: Model, findings: list[Finding], width: int | None = None) -> None:
        self.model = model
        self.findings = findings
        self.width = width

    @property
    def builds(self) -> bool:
        """Keras would build the model (the findings under the table aside)."""
        return self.model.ok

    @property
    def total_params(self) -> int:
        return self.model.totals.total

    def text(self, *, width: int | None = None, color: bool = False) -> str:
        """The table as the command prints it, `width` characters wide (default: Keras's for
        an 80-column console)."""
        from deconvcheck.report.summary import default_line_length, render_text  # noqa: PLC0415

        length = width or self.width or default_line_length(self.model, 80)
        return render_text(self.model, length, color=color, findings=self.findings)

    def to_dict(self) -> dict[str, Any]:
        """Exactly the object `deconvcheck summary --format json` prints."""
        from deconvcheck.report.summary import model_json  # noqa: PLC0415

        return model_json(self.model, findings=self.findings)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        totals = self.model.totals
        return (
            f"<Summary {self.model.name!r}: {len(self.model.layers)} layers, "
            f"{totals.total:,} params, {len(self.findings)} finding(s)>"
        )

    def _repr_html_(self) -> str:
        """The coloured table in a notebook, drawn by rich as Keras draws its own."""
        import io  # noqa: PLC0415

        from rich.console import Console  # noqa: PLC0415
        from rich.text import Text  # noqa: PLC0415

        colored = self.text(color=True)
        console = Console(record=True, file=io.StringIO(), width=200, color_system="truecolor")
        console.print(Text.from_ansi(colored), soft_wrap=True)
        return console.export_html(inline_styles=True, code_format="<pre>{code}</pre>")


def _read(spec: SpecSource, model: str | None = None) -> Spec:
    """A spec from a path, a spec's text or a mapping; ReadError where it cannot be read.
    `model`: in model code, the model to read (as `--model` takes it)."""
    from deconvcheck.read.loader import Reading  # noqa: PLC0415
    from deconvcheck.read.spec import ReadFailure  # noqa: PLC0415

    path, text = _source(spec)
    try:
        return Reading(model=model).load(path, text)
    except ReadFailure as failure:
        raise ReadError(Finding(*failure.diagnostic)) from None


def _source(spec: SpecSource) -> tuple[str, str | None]:
    """(path, text): a mapping is written as JSON; a string with a line break, or one that
    opens as JSON, is a spec's text; anything else names a file."""
    if isinstance(spec, Mapping):
        import json  # noqa: PLC0415

        return "<mapping>", json.dumps(spec)
    if isinstance(spec, str) and ("\n" in spec or spec.lstrip().startswith("{")):
        return "<text>", spec
    return os.fspath(spec), None


def _shape(input_shape: Sequence[int | None] | None) -> tuple[int | None, ...] | None:
    if input_shape is None:
        return None
    shape = tuple(input_shape)
    if not all(d is None or (type(d) is int and d > 0) for d in shape):
        raise ValueError(f"input_shape takes sizes (positive ints or None); received {shape!r}")
    return shape


def inferred(
    loaded: Spec, input_shape: tuple[int | None, ...] | None = None
) -> tuple[Model, list[Diagnostic]]:
    """The model (at `input_shape`, if given; InputShapeError where the spec cannot take one) and
    what `check` reports on it with its default rules: what `summary` shows under its table
    and `draw` marks. The command line and `summary` below both go through here."""
    from deconvcheck.checks.analyze import analyze  # noqa: PLC0415
    from deconvcheck.diagnostics import by_default, capped  # noqa: PLC0415
    from deconvcheck.infer import infer, with_input_shape  # noqa: PLC0415

    if input_shape is not None:
        resized = with_input_shape(loaded, input_shape)
        if isinstance(resized, Diagnostic):
            raise InputShapeError(resized.message)
        loaded = resized
    model = infer(loaded)
    found = analyze(loaded, model, by_default)
    # What the model-code reader did not follow is always said where the model is shown: the
    # table may be partial (`check` reports it only when selected: DC501 is opt-in there).
    shown = [d for d in found if by_default(d.code) or d.code == Code.NOT_FOLLOWED]
    return model, capped(shown)


def summary(
    spec: SpecSource,
    *,
    input_shape: Sequence[int | None] | None = None,
    model: str | None = None,
) -> Summary:
    """Keras 3's `model.summary()` of `spec` (at `input_shape`, without the batch axis, where
    given), and what `check` reports on it with its default rules. For model code (a `.py`
    file, read and never run), `model` picks the model as `--model` does (a variable, model or
    builder name, or `"unet(size=100)"`); by default the first the file builds."""
    built, found = inferred(_read(spec, model), _shape(input_shape))
    return Summary(built, [Finding(*d) for d in found])


def check(
    spec: SpecSource,
    *,
    input_shape: Sequence[int | None] | None = None,
    select: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    model: str | None = None,
) -> list[Finding]:
    """What `deconvcheck check` reports on `spec`: Keras's refusals, skip connections traced
    to their cause, restoration of the input, and the rules selected (codes or prefixes, as
    `--select`, `--extend-select` and `--ignore` take them). A file that is not a spec (a YAML
    file of something else) has no findings; one that cannot be read has its DC001."""
    from deconvcheck.checks.config import Config  # noqa: PLC0415
    from deconvcheck.checks.run import check_file  # noqa: PLC0415
    from deconvcheck.read.loader import Reading  # noqa: PLC0415

    path, text = _source(spec)
    config = Config(
        select=tuple(select),
        extend_select=tuple(extend_select),
        ignore=tuple(ignore),
        input_shape=_shape(input_shape),
    )
    found = check_file(path, config, text, Reading(model=model)).diagnostics
    return [Finding(*d) for d in found]
