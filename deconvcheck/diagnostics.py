"""Diagnostics are values: a frozen record per finding, collected and returned, never raised.

One greppable line per finding (`path:line:column: CODE message`), as flake8 prints them.
Every code is listed in `RULES` with a title, so the rule table in the README, `--help` and the
tests all read one source. Records are NamedTuples rather than dataclasses: a frozen dataclass
costs half a millisecond to create at import, and start-up time is a feature here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from deconvcheck.record import Record

CODE_PATTERN = r"DC\d{3}"  # a rule code, whole (re.fullmatch)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Code:
    """Every rule's code, named by what it finds. Code outside this module names a rule by one of
    these symbols, never by a string: a misspelt one is an error mypy and the import see, not a
    KeyError at run time. `RULES` below declares each one once."""

    FILE_UNREADABLE: Final = "DC001"
    NOT_UTF8: Final = "DC002"
    YAML_SYNTAX: Final = "DC003"
    JSON_SYNTAX: Final = "DC004"
    DUPLICATE_KEY: Final = "DC005"
    WRONG_STRUCTURE: Final = "DC006"
    UNSUPPORTED_VERSION: Final = "DC007"
    UNKNOWN_TOP_KEY: Final = "DC008"
    INPUT_TOO_LARGE: Final = "DC009"
    PYTHON_SYNTAX: Final = "DC010"
    UNKNOWN_LAYER_TYPE: Final = "DC101"
    UNKNOWN_ARGUMENT: Final = "DC102"
    VALUE_REFUSED: Final = "DC103"
    MISSING_ARGUMENT: Final = "DC104"
    DUPLICATE_NAME: Final = "DC105"
    UNKNOWN_REFERENCE: Final = "DC106"
    CYCLE: Final = "DC107"
    NO_INPUT: Final = "DC108"
    INPUT_COUNT: Final = "DC109"
    OUTPUT_PADDING_TOO_LARGE: Final = "DC110"
    STRIDES_WITH_DILATION: Final = "DC111"
    CAUSAL_PADDING: Final = "DC112"
    LAMBDA_WITHOUT_SHAPE: Final = "DC113"
    MERGE_MISMATCH: Final = "DC201"
    SIZE_NOT_POSITIVE: Final = "DC202"
    RANK_MISMATCH: Final = "DC203"
    CHANNELS_REFUSED: Final = "DC204"
    RESHAPE_SIZE: Final = "DC205"
    CROPPED_AWAY: Final = "DC206"
    AXIS_OUT_OF_RANGE: Final = "DC207"
    DISCONNECTED: Final = "DC208"
    SHARED_WEIGHTS_MISFIT: Final = "DC209"
    NESTED_INPUT_REFUSED: Final = "DC210"
    NOT_RESTORED: Final = "DC301"
    LOSSY_DOWNSAMPLING: Final = "DC302"
    CHECKERBOARD: Final = "DC303"
    UNREACHABLE_OUTPUT_SHAPE: Final = "DC304"
    DILATION_SURPRISE: Final = "DC305"
    ENCODER_DECODER_MISFIT: Final = "DC306"
    OPEN_SIZE_FAILS: Final = "DC307"
    OVER_BUDGET: Final = "DC401"
    NOT_FOLLOWED: Final = "DC501"


class Rule(Record):
    code: str
    title: str
    severity: Severity
    example: str = ""  # a spec line that triggers it
    fix: str = ""  # what to do about it
    default: bool = True  # in `check`'s default rule set; advice is opt-in (`--extend-select`)


_E, _W = Severity.ERROR, Severity.WARNING

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        # DC0xx: the file itself
        Rule(
            Code.FILE_UNREADABLE,
            "file cannot be read",
            _E,
            "deconvcheck check missing.yaml   # or a folder, a FIFO, no permission",
            "name a regular file that exists and can be read",
        ),
        Rule(
            Code.NOT_UTF8,
            "file is not valid UTF-8 text",
            _E,
            "a spec saved as Latin-1 (byte 0xe9 for é)",
            "save the file as UTF-8 (UTF-16 and UTF-32 are read too)",
        ),
        Rule(
            Code.YAML_SYNTAX,
            "YAML syntax error",
            _E,
            "  - {type: Conv2D, filters: 8   # the brace never closes",
            "check the indentation (spaces, not tabs) and that brackets and quotes close",
        ),
        Rule(
            Code.JSON_SYNTAX,
            "JSON syntax error",
            _E,
            '{"layers": [{"type": "Input", "shape": [8]},]}   # a trailing comma',
            "JSON takes no trailing comma or comment; write the file with a JSON writer",
        ),
        Rule(
            Code.DUPLICATE_KEY,
            "duplicate key in a mapping",
            _E,
            "- {type: Conv2D, filters: 8, filters: 16, kernel_size: 3}",
            "remove one of the two: YAML would silently keep the last",
        ),
        Rule(
            Code.WRONG_STRUCTURE,
            "spec structure is wrong (a value has the wrong type or form)",
            _E,
            "layers: {type: Input}   # a mapping where a list of layers goes",
            "give each key the form of the spec format (`layers:` is a list of mappings)",
        ),
        Rule(
            Code.UNSUPPORTED_VERSION,
            "unsupported spec version",
            _E,
            "deconvcheck: 2",
            "write `deconvcheck: 1`, or upgrade deconvcheck",
        ),
        Rule(
            Code.UNKNOWN_TOP_KEY,
            "unknown top-level key",
            _E,
            "layer:   # instead of layers:",
            "use a spec's top-level keys (the message lists them and suggests one)",
        ),
        Rule(
            Code.INPUT_TOO_LARGE,
            "input too large or too deeply nested",
            _E,
            "a 20 MiB spec, or brackets nested 300 deep",
            "split the model (a nested model may be a file of its own) or remove the repetition",
        ),
        Rule(
            Code.PYTHON_SYNTAX,
            "Python model code does not parse",
            _E,
            "x = layers.Conv2D(64, 3(x)   # a parenthesis never closes",
            "fix the code so that `python -m py_compile model.py` accepts it",
        ),
        # DC1xx: a layer's declaration (what Keras refuses when the layer is constructed)
        Rule(
            Code.UNKNOWN_LAYER_TYPE,
            "unknown layer type",
            _E,
            "- {type: Conv2DTransposed, ...}",
            "use a Keras class name or alias; `deconvcheck layers` lists them",
        ),
        Rule(
            Code.UNKNOWN_ARGUMENT,
            "unknown argument for this layer type",
            _E,
            "- {type: Conv2D, filtres: 8, kernel_size: 3}",
            "use the Keras argument name (the message suggests one)",
        ),
        Rule(
            Code.VALUE_REFUSED,
            "argument value refused",
            _E,
            "- {type: Conv2D, filters: 8, kernel_size: 3, padding: full}",
            "give a value Keras accepts (the message names them)",
        ),
        Rule(
            Code.MISSING_ARGUMENT,
            "required argument missing",
            _E,
            "- {type: Conv2D, kernel_size: 3}   # no filters",
            "add the argument; `deconvcheck layers TYPE` lists the required ones",
        ),
        Rule(
            Code.DUPLICATE_NAME,
            "duplicate layer name",
            _E,
            "two layers both named conv1",
            "give each layer a name of its own",
        ),
        Rule(
            Code.UNKNOWN_REFERENCE,
            "reference to a layer that does not exist",
            _E,
            "- {type: Concatenate, inputs: [up7, conv_3]}   # no layer conv_3",
            "name an existing layer (the message suggests one) or call, `layer[call][output]`",
        ),
        Rule(
            Code.CYCLE,
            "layers form a cycle",
            _E,
            "- {type: Dense, units: 8, name: a, inputs: [a]}",
            "a layer can only take inputs from layers that do not depend on it",
        ),
        Rule(
            Code.NO_INPUT,
            "model has no Input layer",
            _E,
            "layers: [{type: Conv2D, filters: 8, kernel_size: 3}]",
            "start `layers:` with `- {type: Input, shape: [height, width, channels]}`",
        ),
        Rule(
            Code.INPUT_COUNT,
            "wrong number of inputs for this layer",
            _E,
            "- {type: Concatenate}   # without inputs: [a, b]",
            "name the tensors a merge joins (`inputs: [a, b]`); give a one-input layer one",
        ),
        Rule(
            Code.OUTPUT_PADDING_TOO_LARGE,
            "output_padding not strictly less than strides",
            _E,
            "- {type: Conv2DTranspose, filters: 8, kernel_size: 3, strides: 2, output_padding: 2}",
            "output_padding < strides; `deconvcheck solve` finds settings that reach a size",
        ),
        Rule(
            Code.STRIDES_WITH_DILATION,
            "strides > 1 together with dilation_rate > 1",
            _E,
            "- {type: Conv2D, filters: 8, kernel_size: 3, strides: 2, dilation_rate: 2}",
            "use one or the other",
        ),
        Rule(
            Code.CAUSAL_PADDING,
            "padding 'causal' outside 1-D convolution",
            _E,
            "- {type: Conv2D, filters: 8, kernel_size: 3, padding: causal}",
            "padding: same (the same size), or a Conv1D",
        ),
        Rule(
            Code.LAMBDA_WITHOUT_SHAPE,
            "Lambda layer without output_shape",
            _E,
            "- {type: Lambda, function: ...}",
            "give output_shape (Keras takes it), or use a Keras layer for the operation",
        ),
        # DC2xx: shape inference (what Keras refuses when the layer is called)
        Rule(
            Code.MERGE_MISMATCH,
            "merged inputs do not match",
            _E,
            "- {type: Concatenate, inputs: [up7, conv3]}   # 24x24 and 25x25",
            "see the traced cause and the verified fixes; or an input size that divides evenly",
        ),
        Rule(
            Code.SIZE_NOT_POSITIVE,
            "computed output size would be zero or negative",
            _E,
            "- {type: Conv2D, filters: 8, kernel_size: 9}   # on a 7x7 input",
            "padding: same, a smaller kernel or stride, or a larger input",
        ),
        Rule(
            Code.RANK_MISMATCH,
            "input rank does not fit the layer",
            _E,
            "- {type: Conv2D, ...}   # on (None, 7, 3)",
            "a layer of the input's rank (Conv1D), or a Reshape first",
        ),
        Rule(
            Code.CHANNELS_REFUSED,
            "channel dimension cannot be taken by the layer",
            _E,
            "- {type: Conv2D, filters: 8, kernel_size: 3}   # after Input shape: [32, 32, null]",
            "give the channel count; groups must divide it",
        ),
        Rule(
            Code.RESHAPE_SIZE,
            "reshape cannot keep the number of elements",
            _E,
            "- {type: Reshape, target_shape: [50, 512]}   # on 7x7x512",
            "make the product equal, or use -1 for one axis",
        ),
        Rule(
            Code.CROPPED_AWAY,
            "cropping removes the whole axis",
            _E,
            "- {type: Cropping2D, cropping: 13}   # on 25x25",
            "crop less",
        ),
        Rule(
            Code.AXIS_OUT_OF_RANGE,
            "axis out of range",
            _E,
            "- {type: Concatenate, axis: 4, inputs: [a, b]}   # 4-D tensors: axes -4..3",
            "use an axis within the tensor's rank (a negative one counts from the end)",
        ),
        Rule(
            Code.DISCONNECTED,
            "layer is not connected to the outputs",
            _W,
            "a layer no later layer takes, not listed under outputs:",
            "connect it, list it under `outputs:`, or remove it (Keras leaves it out)",
        ),
        Rule(
            Code.SHARED_WEIGHTS_MISFIT,
            "a shared layer is called on inputs its weights do not fit",
            _E,
            "- {call: shared_dense, inputs: [features16]}   # built on 8 features, called on 16",
            "call it on tensors shaped like its first call's, or give that call a layer of its own",
        ),
        Rule(
            Code.NESTED_INPUT_REFUSED,
            "a nested model is called on an input its Input does not take",
            _E,
            "- {type: Functional, model: tower_32x32.yaml, inputs: [image_16x16]}",
            "call it on tensors its Input takes, or declare the Input's varying sizes as null",
        ),
        # DC3xx: design (`check`)
        Rule(
            Code.NOT_RESTORED,
            "the decoder does not restore the encoder's input size",
            _E,
            "225x225 in, 224x224 out (a pooling floored 225 to 112)",
            "the verified fixes listed with it, or `restore: none` for a model that need not",
        ),
        Rule(
            Code.LOSSY_DOWNSAMPLING,
            "lossy downsampling: a strided window drops border pixels",
            _W,
            "- {type: MaxPooling2D, pool_size: 2}   # on 25x25: 12, the last row dropped",
            "padding: same, or input sizes divisible by every stride",
            default=False,
        ),
        Rule(
            Code.CHECKERBOARD,
            "transposed convolution kernel not divisible by its stride (checkerboard)",
            _W,
            "- {type: Conv2DTranspose, filters: 8, kernel_size: 3, strides: 2}",
            "kernel_size 4 with strides 2, or UpSampling then a convolution",
            default=False,
        ),
        Rule(
            Code.UNREACHABLE_OUTPUT_SHAPE,
            "stated output_shape not produced by the transposed convolution",
            _E,
            "- {type: Conv2DTranspose, ..., strides: 2, padding: same, output_shape: [7, 7]}",
            "a size the input can reach (5 or 6 from 3); the message gives the output_padding",
        ),
        Rule(
            Code.DILATION_SURPRISE,
            "dilation grows a transposed convolution's output where a stride was meant",
            _W,
            "- {type: Conv2DTranspose, filters: 512, kernel_size: 2, dilation_rate: 2}   # 7 -> 9",
            "strides: 2 without dilation doubles the size (7 -> 14)",
        ),
        Rule(
            Code.ENCODER_DECODER_MISFIT,
            "encoder and decoder specs do not fit together",
            _E,
            "encoder: enc.yaml   # enc gives 16x16x16, the decoder gives 32x32x1 for 32x32x3",
            "make the decoder mirror the encoder",
        ),
        Rule(
            Code.OPEN_SIZE_FAILS,
            "a model whose input size is open fails at run time for some sizes",
            _W,
            "- {type: Input, shape: [null, null, 3]}   # a U-Net that joins skips: multiples of 8",
            "give it inputs of the sizes it takes (resize or pad them), or change the layers that "
            "lose the size",
        ),
        # DC4xx: review budgets ([tool.deconvcheck] max-params, max-macs, ...)
        Rule(
            Code.OVER_BUDGET,
            "the model exceeds a budget set in [tool.deconvcheck]",
            _E,
            "max-params = 5_000_000   # a U-Net of 31,105,669 parameters",
            "a smaller model, or a larger budget if the growth was meant",
        ),
        # DC5xx: model code (`model.py`) the reader reads but does not follow
        Rule(
            Code.NOT_FOLLOWED,
            "model code the reader does not follow (what depends on it is not inferred)",
            _W,
            "x = MyBlock(64)(x)   # a Layer subclass of the file's own",
            "use Keras layers, write the value as a constant, or give a builder's arguments "
            "with --model 'build(size=128)'",
            default=False,
        ),
    )
}


def by_default(code: str) -> bool:
    """Whether `check` reports `code` when no rule is selected: a rule's own default; a code
    that names no rule (a plugin's) is reported."""
    rule = RULES.get(code)
    return rule is None or rule.default


class Diagnostic(Record):
    """One finding. `line` and `column` are 1-based; 0 means "the whole file"."""

    code: str
    message: str
    path: str = "<spec>"
    line: int = 0
    column: int = 0
    layer: str | None = None
    severity: Severity = Severity.ERROR
    hint: str | None = None
    more: int = 0  # > 0: a stand-in for this many findings of its code, not built (see capped)

    def at(self, path: str) -> Diagnostic:
        return self._replace(path=path)

    def format_line(self) -> str:
        """The one greppable line: `path:line:column: CODE message`."""
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"


def make(
    code: str,
    message: str,
    *,
    line: int = 0,
    column: int = 0,
    layer: str | None = None,
    hint: str | None = None,
    more: int = 0,
) -> Diagnostic:
    """A diagnostic whose severity is the rule's own."""
    return Diagnostic(
        code=code,
        message=message,
        line=line,
        column=column,
        layer=layer,
        severity=RULES[code].severity,
        hint=hint,
        more=more,
    )


PER_CODE = 20  # findings of one code shown per file; a hostile file may hold a million


def capped(found: list[Diagnostic], limit: int = PER_CODE) -> list[Diagnostic]:
    """The first `limit` findings of each code, then one finding that counts the rest (also
    those a reader only counted: a stand-in with `more` set)."""
    built: dict[str, int] = {}
    counted: dict[str, int] = {}
    first: dict[str, Diagnostic] = {}
    kept: list[Diagnostic] = []
    for diag in found:
        first.setdefault(diag.code, diag)
        if diag.more:
            counted[diag.code] = counted.get(diag.code, 0) + diag.more
            continue
        built[diag.code] = built.get(diag.code, 0) + 1
        if built[diag.code] <= limit:
            kept.append(diag)
    for code, diag in first.items():
        shown = min(built.get(code, 0), limit)
        rest = built.get(code, 0) + counted.get(code, 0) - shown
        if rest > 0:
            kept.append(
                diag._replace(
                    message=f"{rest} more {code} finding(s) in this file "
                    f"(the first {shown} are shown)",
                    line=0,
                    column=0,
                    layer=None,
                    hint=None,
                    more=0,
                )
            )
    return kept
