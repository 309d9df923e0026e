"""`deconvcheck` entry point: a click group whose subcommands are imported only when run."""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

from deconvcheck import __version__

if TYPE_CHECKING:
    import signal as _signal
    from collections.abc import Iterable
    from types import FrameType

    from click.shell_completion import CompletionItem

    from deconvcheck.diagnostics import Diagnostic
    from deconvcheck.model import Model
    from deconvcheck.read.loader import Reading
    from deconvcheck.read.spec import Spec
else:
    # The interpreter's own signal module, loaded before any of ours: `signal` would add an
    # import (0.5 ms of enum classes) to every start-up.
    import _signal

# name -> (module, attribute, one-line help). Listing them here keeps `--help` and `--version`
# from importing any subcommand.
COMMANDS = {
    "summary": ("deconvcheck.cli.summary", "summary", "Print a Keras-style summary of a spec."),
    "check": (
        "deconvcheck.cli.check",
        "check",
        "Check spec files: refusals, restoration, skip connections, design rules.",
    ),
    "solve": (
        "deconvcheck.cli.solve",
        "solve",
        "Find layer settings that take one size to another (64 -> 128).",
    ),
    "sizes": ("deconvcheck.cli.sizes", "sizes", "Which input sizes a spec accepts and restores."),
    "draw": (
        "deconvcheck.cli.draw",
        "draw",
        "Draw the size profile (the U), as text, Mermaid, Graphviz or SVG.",
    ),
    "convert": ("deconvcheck.cli.convert", "convert", "Write a Keras model file as a spec."),
    "export": ("deconvcheck.cli.convert", "export", "Write a spec as Keras code."),
    "layers": ("deconvcheck.cli.layers", "layers", "List the supported layer types and arguments."),
    "rules": ("deconvcheck.cli.rules", "rules", "List the rule codes check reports."),
    "examples": (
        "deconvcheck.cli.examples",
        "examples",
        "List the example specs, or print one to try the commands on.",
    ),
    "schema": (
        "deconvcheck.cli.schema",
        "schema",
        "Print the spec format's JSON Schema (editors).",
    ),
}

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _version(ctx: click.Context, value: bool) -> None:
    # click.version_option would do, but it imports `locale` (1 ms of every start-up).
    if value and not ctx.resilient_parsing:
        click.echo(f"deconvcheck, version {__version__}")
        ctx.exit()


READING_KEY = "deconvcheck.reading"


def run_reading() -> Reading:
    """The command's `Reading`, kept in click's context (one per run): each file a spec pulls
    in read once, and every file read known, which `-o` may not overwrite."""
    from deconvcheck.read.loader import Reading  # noqa: PLC0415

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return Reading()
    found: Reading | None = ctx.meta.get(READING_KEY)
    if found is None:
        found = ctx.meta[READING_KEY] = Reading(model=ctx.meta.get(MODEL_KEY))
    return found


MODEL_KEY = "deconvcheck.model"


def _remember_model(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[MODEL_KEY] = value


def model_option(command: F) -> F:
    """`--model NAME` on a command that reads model code (`model.py`)."""
    return click.option(
        "--model",
        metavar="NAME",
        expose_value=False,
        is_eager=True,
        callback=_remember_model,
        help="Model code (model.py): the model to read, by variable, model or builder name, or "
        "a builder called with other arguments: --model 'unet(size=100)'. The code is never "
        "run. Default: every model the file builds at module level.",
    )(command)


def load_or_exit(path: str, text: str | bytes | None = None) -> Spec:
    """Read a spec for a command (`text`: its text or bytes, read already); a file that cannot
    be read is a usage error (exit 2)."""
    from deconvcheck.read.spec import ReadFailure  # noqa: PLC0415

    try:
        return run_reading().load(path, text)
    except ReadFailure as failure:
        emit_diagnostics([failure.diagnostic], err=True)
        sys.exit(EXIT_USAGE)


def read_stdin() -> bytes:
    """Standard input's bytes, decoded later as a file's are (UTF-8, UTF-16, UTF-32): at most
    16 MiB, the rest of an endless stream never read. Closed or too large: a usage error."""
    from deconvcheck.read.loader import read_stream  # noqa: PLC0415
    from deconvcheck.read.spec import ReadFailure  # noqa: PLC0415

    stream = getattr(sys.stdin, "buffer", None)  # sys.stdin is None when closed (`<&-`)
    if stream is None:
        raise click.UsageError("standard input is closed: give a file, or pipe a spec into `-`")
    try:
        return read_stream(stream)
    except ReadFailure as failure:
        emit_diagnostics([failure.diagnostic], err=True)
        sys.exit(EXIT_USAGE)
    except (OSError, ValueError) as exc:  # a descriptor closed under us, an I/O error
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise click.UsageError(f"cannot read standard input: {reason}") from None


def read_spec(spec: str) -> Spec:
    """SPEC as `summary` and `draw` take it: a file, or standard input for `-`."""
    if spec == "-":
        return load_or_exit("<stdin>", read_stdin())
    return load_or_exit(spec)


def inferred(
    loaded: Spec, input_shape: tuple[int | None, ...] | None
) -> tuple[Model, list[Diagnostic]]:
    """The model (at --input-shape, if given) and what `check` reports on it with its default
    rules (skip connections traced to their cause, restoration): what `summary` prints under
    its table and `draw` marks."""
    from deconvcheck.api import InputShapeError  # noqa: PLC0415 - keep --help fast
    from deconvcheck.api import inferred as at_shape  # noqa: PLC0415

    try:
        return at_shape(loaded, input_shape)
    except InputShapeError as problem:
        raise click.UsageError(str(problem)) from None


def write_output(text: str, output: str | None, source: str) -> None:
    """`text` on standard output (escape codes kept), or into the file `output`: whole or not
    at all (a temporary file renamed into place), never over a file this command read (`source`,
    a nested model; a hard or symbolic link to one). A file that cannot be written is a usage
    error (exit 2), the old one left as it was."""
    if output is None or output == "-":
        emit(text)
        return
    from deconvcheck.read.loader import file_key  # noqa: PLC0415
    from deconvcheck.write import WriteError, write_file  # noqa: PLC0415

    protected = set(run_reading().files)  # the input and the models it pulled in
    if source != "-" and os.path.isfile(source):  # read by a caller of its own, perhaps
        protected.add(file_key(source))
    try:
        # A lone surrogate (a JSON name "\ud800") is written as its escape, not refused.
        write_file(output, text.encode("utf-8", "backslashreplace"), protected)
    except WriteError as error:
        click.echo(f"deconvcheck: {error}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"wrote {output}", err=True)


COLOR_KEY = "deconvcheck.color"
F = TypeVar("F", bound=Callable[..., Any])


def _remember_color(ctx: click.Context, param: click.Parameter, value: str) -> str:
    ctx.meta[COLOR_KEY] = value
    return value


def color_option(command: F) -> F:
    """`--color auto|always|never` on a command that draws text; read back with wants_color()."""
    return click.option(
        "--color",
        type=click.Choice(("auto", "always", "never")),
        default="auto",
        show_default=True,
        expose_value=False,
        is_eager=True,
        callback=_remember_color,
        help="Colour the text: auto is on in a terminal, off in a pipe or with NO_COLOR set "
        "(FORCE_COLOR forces it on).",
    )(command)


def wants_color(err: bool = False) -> bool:
    """Whether to colour standard output (or error): --color always/never decides; otherwise
    NO_COLOR (any value) turns colour off, FORCE_COLOR on, and a terminal (not TERM=dumb) has it."""
    ctx = click.get_current_context(silent=True)
    choice = ctx.meta.get(COLOR_KEY, "auto") if ctx is not None else "auto"
    if choice != "auto":
        return bool(choice == "always")
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return is_terminal(sys.stderr if err else sys.stdout)


def is_terminal(stream: TextIO | None) -> bool:
    """A terminal that can draw (not TERM=dumb); a closed or missing stream is none."""
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False


def emit(text: str, err: bool = False) -> None:
    """Write text as drawn (escape codes kept, which click.echo would strip in a pipe)."""
    click.echo(text, nl=False, err=err, color=True)


def emit_report(text: str, fmt: str = "text") -> None:
    """A report on standard output: text in Keras's colours in a terminal; JSON untouched."""
    if fmt == "text" and wants_color():
        from deconvcheck.report.style import highlighted  # noqa: PLC0415 - imports rich

        text = highlighted(text, True)
    emit(text)


def emit_diagnostics(diagnostics: Iterable[Diagnostic], err: bool = False) -> None:
    """Diagnostics as greppable lines; in a terminal the rule code in its severity's colour."""
    from deconvcheck.report.style import diagnostic_lines, paint  # noqa: PLC0415

    emit(paint([line for d in diagnostics for line in diagnostic_lines(d)], wants_color(err)), err)


def _show_help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(ctx.get_help(), color=ctx.color)
        ctx.exit()


class PlainHelp(click.Command):
    """`-h/--help` made without gettext: click's own help option names its help through
    gettext on every run, whose first call imports `locale` and looks for translations on disk
    (a millisecond of every start-up, for a text this tool does not translate)."""

    _plain_help: click.Option | None = None

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        names = self.get_help_option_names(ctx)
        if not names or not self.add_help_option:
            return None
        if self._plain_help is None:  # one object: click orders eager options by identity
            self._plain_help = click.Option(
                [*names, "deconvcheck_help"],
                is_flag=True,
                expose_value=False,
                is_eager=True,
                help="Show this message and exit.",
                callback=_show_help,
            )
        return self._plain_help


class Command(PlainHelp):
    """Every subcommand's class (`@click.command(cls=Command)`)."""


class LazyGroup(PlainHelp, click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, _, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  deconvcheck examples unet > unet.yaml        # an example spec to start from
  deconvcheck summary unet.yaml
  deconvcheck summary unet.yaml --format json
  deconvcheck check .
  deconvcheck draw unet.yaml --input-shape 100,100,8
  deconvcheck solve --in 7 --out 14
  deconvcheck layers Conv2DTranspose

\b
Exit status: 0 fine, 1 findings (Keras would refuse the model, or check found something),
2 usage error or unreadable file, 3 an internal error (a bug: DECONVCHECK_DEBUG=1 shows the
traceback).
A spec is YAML or JSON (`deconvcheck examples` shows some, `deconvcheck schema` its format), a
Keras model file (.json, .keras, .h5), or Keras model code (model.py: read, never run).""",
)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, param, value: _version(ctx, value),
    help="Show the version and exit.",
)
def cli() -> None:
    """Keras-exact shapes and parameter counts for encoder-decoder layer stacks,
    without TensorFlow, PyTorch or Keras installed."""


class Interrupted(BaseException):
    """Ctrl-C, raised by our SIGINT handler. Not a KeyboardInterrupt, which click turns into
    "Aborted!" and exit 1; a BaseException, so that no `except Exception` stops it on its way
    to `main` (exit 130), while every `finally` and `with` on the way still runs."""


def _interrupted(signum: int, frame: FrameType | None) -> None:
    # A second Ctrl-C while the first unwinds (workers being ended, a bar taken down) would
    # start a second unwinding from inside the first: ignored.
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
    raise Interrupted


def _escape_unencodable() -> None:
    """What the output's encoding cannot write (a Cyrillic name under PYTHONIOENCODING=latin-1,
    a lone surrogate from a JSON name or an undecodable file name anywhere) as a `\\u0416`
    escape rather than an internal error. (With an ASCII encoding click writes UTF-8 instead,
    taking ASCII for a misconfigured locale.)"""
    for stream in (sys.stdout, sys.stderr):
        # not a text file (a test's capture), closed, or None (`>&-`): nothing to do
        with contextlib.suppress(AttributeError, OSError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]


def _on_main_thread() -> bool:
    import threading  # noqa: PLC0415 - imported by then (click's dependencies)

    return threading.current_thread() is threading.main_thread()


def _working_folder_gone() -> bool:
    try:
        os.getcwd()
    except OSError:
        return True
    return False


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI; an unexpected exception is a bug: one line, no traceback, exit 3. Ctrl-C
    ends any command with one line and exit 130 (128 + SIGINT, as a shell reports it)."""
    # A short-lived process that builds many small objects and no reference cycles worth
    # collecting: the cyclic collector only costs time (100,000 layers: 9.8 s with it, 5.7 s
    # without), and memory is bounded by the input limits.
    gc.disable()
    _escape_unencodable()
    previous = _signal.getsignal(_signal.SIGINT)
    # Not when started with SIGINT ignored (`nohup`, `&` in a script), nor off the main thread
    # (where Python takes no handler).
    if previous is _signal.default_int_handler and _on_main_thread():
        _signal.signal(_signal.SIGINT, _interrupted)
    try:
        return cli.main(args=argv, prog_name="deconvcheck", standalone_mode=True)
    except SystemExit:
        raise
    except (Interrupted, KeyboardInterrupt):
        click.echo("deconvcheck: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("DECONVCHECK_DEBUG", "0").strip().lower() not in ("", "0", "false", "no"):
            raise
        if isinstance(exc, OSError) and _working_folder_gone():
            click.echo(
                f"deconvcheck: the working folder no longer exists ({exc.strerror}); "
                "change to a folder that exists and run again",
                err=True,
            )
            sys.exit(EXIT_USAGE)
        click.echo(
            f"deconvcheck: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in deconvcheck; rerun with DECONVCHECK_DEBUG=1 for the traceback "
            "and report it with the spec file.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    finally:  # for a caller in the same process; left ignored once Ctrl-C came
        if _signal.getsignal(_signal.SIGINT) is _interrupted:
            _signal.signal(_signal.SIGINT, previous)


def run() -> None:
    """The console script and `python -m deconvcheck`: `main`, then an exit that skips the
    interpreter's teardown. A long stack leaves some 100,000 objects that shutdown would free one
    by one (15 ms for 10,000 layers; a few ms of module teardown on any run), and nothing of
    deconvcheck's needs finalising once its output is flushed (mypy ends the same way)."""
    try:
        main()
        status: object = EXIT_OK
    except SystemExit as exc:
        status = exc.code
    if status is None:
        code = EXIT_OK
    elif isinstance(status, int):
        code = status
    else:  # what `sys.exit("message")` does: the message on stderr, status 1
        sys.stderr.write(f"{status}\n")
        code = 1
    for stream in (sys.stdout, sys.stderr):  # None when the shell closed it (`>&-`)
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader that went away (`| head`), a closed file
            pass
    os._exit(code)


def whole_number(text: str, low: int = 1, high: int = 2**31 - 1) -> int | None:
    """`text` as a whole number from `low` to `high`, or None: ASCII digits only (str.isdigit
    also takes '²', which int() refuses) and no more of them than `high` has (int() refuses
    4,300 digits and more, and a long number is no size anyway).

    >>> whole_number("64"), whole_number("²"), whole_number("0"), whole_number("9" * 5000)
    (64, None, None, None)
    """
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > len(str(high)):
        return None
    value = int(text.lstrip("0") or "0")
    return value if low <= value <= high else None


def shortened(value: object, limit: int = 40) -> str:
    """A value as an error message quotes it: repr, cut to `limit` characters (a 5,000-digit
    argument is named, not printed)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


class FilePath(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    """A file's path, as `click.Path(dir_okay=...)` takes it (nothing is checked but that an
    existing path is not a directory where a file is wanted; `-` passes for standard input).
    click.Path names itself through gettext, whose first call imports `locale` and looks for
    translations on disk: a millisecond of every start-up."""

    name = "file"

    def __init__(self, *, dir_okay: bool = False) -> None:
        self.dir_okay = dir_okay
        if dir_okay:
            self.name = "path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = os.fspath(value) if isinstance(value, os.PathLike) else str(value)
        if not self.dir_okay and text != "-" and os.path.isdir(text):
            self.fail(f"File {shortened(text)} is a directory.", param, ctx)
        return text

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        """The shell completes a path here, as it does for click.Path."""
        from click.shell_completion import CompletionItem  # noqa: PLC0415 - completion only

        return [CompletionItem(incomplete, type="file")]


class Whole(click.IntRange):
    """click.IntRange (from 0 or more) that quotes a long argument shortened and says the
    range it wants: `--width ²` and a 5,000-digit --limit are usage errors like `--width 0`."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):  # a default
            return super().convert(value, param, ctx)
        low, high = int(self.min or 0), 2**63 - 1 if self.max is None else int(self.max)
        number = whole_number(str(value), low, high)
        if number is None:
            wanted = f" from {low} to {high}" if self.max is not None else f", {low} or more"
            self.fail(f"{shortened(value)} is not a whole number{wanted}", param, ctx)
        return number


class InputShape(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    """`100,100,8`: an Input shape without the batch axis; `null` or `none` for an unknown size."""

    name = "SHAPE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int | None, ...]:
        if isinstance(value, tuple):
            return value
        sizes: list[int | None] = []
        for part in str(value).replace("x", ",").split(","):
            text = part.strip().lower()
            size = None if text in ("null", "none") else whole_number(text)
            if size is None and text not in ("null", "none"):
                self.fail(
                    f"{shortened(value)} is not a shape such as 100,100,8 (null for unknown): "
                    "each size a whole number from 1 to 2147483647"
                )
            sizes.append(size)
        return tuple(sizes)
