"""Text from a file is data, never markup, code or control, in every output (issue 19, item 1).

A hostile string goes into every layer name, the model name and the file name of one small
encoder-decoder (a skip connection, a finding with numbered fixes), which then runs through
every command and output format. Whatever the names hold: no control, bidi control or lone
surrogate from the file reaches an output raw; no line of output starts with what followed a
line break in a name; one GitHub annotation per finding; the SVG is XML; Mermaid and DOT have
one node statement per layer; the converted YAML reads back to the same names; and each command
exits as it does for ordinary names. Each output kind has one escaping function, tabled below.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pydot
import pytest
import yaml
from click.testing import CliRunner, Result

from deconvcheck.cli.main import cli
from deconvcheck.convert import yaml_string
from deconvcheck.infer import infer
from deconvcheck.read.loader import load
from deconvcheck.report import diagnostics as diagnostics_report
from deconvcheck.report.check import github_data, github_property
from deconvcheck.report.diagnostics import terminal
from deconvcheck.report.draw import dot_text, mermaid_text, xml_text
from tests.conftest import ROOT

# (id, text): each goes into every name of the spec.
HOSTILE = [
    ("ordinary", "_plain"),  # the control row: every assertion holds for it, statuses are its own
    ("osc_title", "\x1b]0;pwned title\x07"),
    ("clear_screen", "\x1b[2J\x1b[H"),
    ("osc8_link", "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"),
    ("csi_c1", "\x9b31mred"),
    ("cr_overprint", "ok\rDC000 all fine"),
    ("lf_line", "a\nINJECTED line"),
    ("lf_github", "\n::error file=README.md,line=1::pwned"),
    ("lf_mermaid", '"]\n  FAKE[All checks passed]\n  style n0 fill:#0f0\n  x["'),
    ("lf_yaml_key", "x\nencoder: evil.keras # {[ '"),
    ("rlo", "\u202eevil\u202c"),
    ("bidi_isolates", "\u2066\u2067\u2068\u2069\u200e\u200f\u061c"),
    ("line_separators", "a\u2028b\u2029c\x85d"),
    ("nul_del", "\x00\x7f"),
    ("tab_vt_ff", "\t\x0b\x0c"),
    ("quotes", "\"'\"\"\"'''"),
    ("percent", "%0A%25%%"),
    ("github_props", "a,b:c::warning"),
    ("xml", "]]><script>alert(1)</script>&amp;<!--"),
    ("mermaid_entities", "#quot;#lt;#35;`md`"),
    ("mermaid_directive", "%%{init: {'theme': 'dark'}}%%"),
    ("dot_escapes", '\\N\\l\\"; n9 [label=x]'),
    ("rich_markup", "[red]x[/red][link=https://e.x]y"),
    ("yaml_syntax", ": - {a: b} #c &anchor *alias !!python/object"),
    ("bom_nonchar", "\ufeff\ufffe\uffff"),
    ("lone_surrogate", "\ud800x\udfff"),  # written into the JSON as "\ud800", as a file could
    ("unicode_letters", "Größe_層_😀_e\u0301"),  # ordinary, not escaped anywhere
]

# What no output may hold raw, when it came from a file: every C0 control but LF (our own line
# ends; checked by NO_LINE_STARTS_WITH below), DEL, C1, bidi controls, separators, BOM,
# non-characters and lone surrogates.
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufeff\ufffe\uffff]"
)
SGR = re.compile("\x1b\\[[0-9;]*m")  # our own colours, with --color always

# One row per command: (id, arguments after the spec, exit status for ordinary names). The
# spec builds in Keras (summary, draw: 0) but does not restore its input (check: 1).
COMMANDS = [
    ("summary", ["summary", "{spec}"], 0),
    ("summary_json", ["summary", "{spec}", "--format", "json"], 0),
    ("summary_extras", ["summary", "{spec}", "--explain", "--columns", "macs,memory,rf"], 0),
    ("summary_color", ["summary", "{spec}", "--show-trainable", "--color", "always"], 0),
    ("check", ["check", "{spec}"], 1),
    ("check_color", ["check", "{spec}", "--color", "always"], 1),
    ("check_json", ["check", "{spec}", "--format", "json"], 1),
    ("check_github", ["check", "{spec}", "--format", "github"], 1),
    ("check_sarif", ["check", "{spec}", "--format", "sarif"], 1),
    ("draw", ["draw", "{spec}"], 0),
    ("draw_expand_ascii", ["draw", "{spec}", "--expand", "--ascii"], 0),
    ("draw_color", ["draw", "{spec}", "--color", "always"], 0),
    ("draw_mermaid", ["draw", "{spec}", "--to", "mermaid"], 0),
    ("draw_dot", ["draw", "{spec}", "--to", "dot"], 0),
    ("draw_svg", ["draw", "{spec}", "--to", "svg"], 0),
    ("sizes", ["sizes", "{spec}", "--range", "20:28"], 0),
    ("convert", ["convert", "{spec}"], 0),
]
LAYERS = 6


def names(hostile: str) -> tuple[str, list[str]]:
    """The model name and the layer names, each prefixed to tell them apart."""
    return "m" + hostile, [p + hostile for p in ("in", "c", "p", "t", "cat", "out")]


def file_name(text: str) -> str:
    """The text as far as a file name can hold it: any byte but NUL and '/'; of the lone
    surrogates only Python's stand-ins for undecodable bytes (U+DC80-U+DCFF) have bytes."""
    surrogate = re.compile("[\ud800-\udc7f\udd00-\udfff]")
    return surrogate.sub("", text.replace("\x00", "").replace("/", ""))


def write_spec(folder: Path, hostile: str, file: str | None = None) -> Path:
    """24x24 in; a skip from `c` joins the upsampled `t`; a valid convolution ends at 22x22, so
    `check` finds DC301 (with numbered fixes naming layers) while Keras builds the model."""
    model, (i, c, p, t, cat, out) = names(hostile)
    spec = {
        "deconvcheck": 1,
        "name": model,
        "layers": [
            {"type": "Input", "shape": [24, 24, 3], "name": i},
            {"type": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "same", "name": c},
            {"type": "MaxPooling2D", "pool_size": 2, "name": p},
            {"type": "Conv2DTranspose", "filters": 4, "kernel_size": 2, "strides": 2, "name": t},
            {"type": "Concatenate", "inputs": [t, c], "name": cat},
            {"type": "Conv2D", "filters": 3, "kernel_size": 3, "name": out},
        ],
    }
    path = folder / (file or f"spec{file_name(hostile)}.json")  # named after the text too
    path.write_text(json.dumps(spec), encoding="utf-8")  # ensure_ascii: "\ud800" as written
    return path


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_no_raw_text(output: str, hostile: str, colored: bool = False) -> None:
    """Nothing hidden from the file raw; no line starts with what followed a line break."""
    if colored:
        output = SGR.sub("", output)
    assert RAW.findall(output) == []
    for tail in hostile.split("\n")[1:]:
        if tail.strip():
            starts = [line for line in output.split("\n") if line.strip().startswith(tail.strip())]
            assert starts == []


@pytest.fixture(params=HOSTILE, ids=[case for case, _ in HOSTILE])
def hostile(request: pytest.FixtureRequest) -> str:
    text: str = request.param[1]
    return text


@pytest.mark.parametrize(("command", "args", "status"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_output_holds_the_text_as_data(
    tmp_path: Path, hostile: str, command: str, args: list[str], status: int
) -> None:
    spec = write_spec(tmp_path, hostile)
    result = invoke(*(str(spec) if a == "{spec}" else a for a in args))
    assert result.exit_code == status, result.output
    colored = command.endswith("_color")
    assert_no_raw_text(result.stdout, hostile, colored)
    assert_no_raw_text(result.stderr, hostile)
    assert "internal error" not in result.stderr
    model, layers = names(hostile)
    if command in CHECKS:
        CHECKS[command](result.stdout, spec, model, layers)


def _summary(out: str, spec: Path, model: str, layers: list[str]) -> None:
    assert out.startswith(f'Model: "{terminal(model)}"\n')


def _json(out: str, spec: Path, model: str, layers: list[str]) -> None:
    doc = json.loads(out)  # the json module: controls and lone surrogates as \u escapes
    assert out.isascii()
    assert (doc["name"], [layer["name"] for layer in doc["layers"]]) == (model, layers)


def _check_json(out: str, spec: Path, model: str, layers: list[str]) -> None:
    doc = json.loads(out)
    assert [f["path"] for f in doc["files"]] == [str(spec)]
    assert [d["code"] for d in doc["files"][0]["diagnostics"]] == ["DC301"]


def _github(out: str, spec: Path, model: str, layers: list[str]) -> None:
    """One annotation per finding (one DC301), a well-formed command on one line."""
    (line,) = out.splitlines()
    match = re.fullmatch(r"::error ([^:]*)::(.*)", line)
    assert match is not None
    props = dict(prop.split("=", 1) for prop in match[1].split(","))
    assert props["file"] == github_property(str(spec))
    assert set(props) == {"file", "line", "col", "title"}
    assert "%0Afix: (1) " in match[2]


def _sarif(out: str, spec: Path, model: str, layers: list[str]) -> None:
    doc = json.loads(out)
    (result,) = doc["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert location == str(spec).replace("\\", "/")  # SARIF's URIs use '/'
    assert layers[-1] in result["message"]["text"]


_MERMAID_LINES = re.compile(
    r'flowchart TD|  %% [^\n]*: deconvcheck draw --to mermaid|  n\d+\["[^"\n]*"\]'
    r"|  n\d+ (-->|-\. skip \.->) n\d+|  classDef \w+ [^\n]*|  class n\d+(,n\d+)* \w+"
)


def _mermaid(out: str, spec: Path, model: str, layers: list[str]) -> None:
    lines = out.splitlines()
    assert [line for line in lines if not _MERMAID_LINES.fullmatch(line)] == []
    assert len([line for line in lines if re.match(r"  n\d+\[", line)]) == LAYERS
    assert len([line for line in lines if line.startswith("  %%")]) == 1
    assert "%%{" not in out and '"' not in "".join(re.findall(r'\["([^"]*)"\]', out))
    assert lines[1] == f"  %% {mermaid_text(model)}: deconvcheck draw --to mermaid"


def _dot(out: str, spec: Path, model: str, layers: list[str]) -> None:
    graphs = pydot.graph_from_dot_data(out)  # Graphviz's grammar: well-formed, whatever the names
    assert graphs is not None
    (graph,) = graphs
    nodes = [n for n in graph.get_nodes() if n.get_name() not in ("node", "edge", "graph")]
    assert len(nodes) == LAYERS
    assert len(graph.get_edges()) == LAYERS  # 5 in a chain and the skip
    assert len(out.splitlines()) == 4 + LAYERS + LAYERS + 1
    assert nodes[0].get("label") == f'"{dot_text(layers[0])}\\nInputLayer\\n(None, 24, 24, 3)"'


def _svg(out: str, spec: Path, model: str, layers: list[str]) -> None:
    root = ET.fromstring(out)  # well-formed XML, whatever the names held
    svg = "{http://www.w3.org/2000/svg}"
    title = root.find(f"{svg}text")
    assert title is not None and title.text == terminal(model)
    tips = [t.text for t in root.iter(f"{svg}title")]
    assert f"{terminal(layers[1])} to {terminal(layers[4])}" in tips


def _convert(out: str, spec: Path, model: str, layers: list[str]) -> None:
    """The written spec: the same keys and names (a lone surrogate, which YAML cannot hold, as
    U+FFFD), read back by PyYAML and by deconvcheck, to the same summary."""
    kept = [re.sub("[\ud800-\udfff]", "\ufffd", name) for name in [model, *layers]]
    lines = out.splitlines()
    assert lines[0].startswith("# Converted by deconvcheck") and lines[0].endswith(".json")
    doc = yaml.safe_load(out)
    assert set(doc) == {"deconvcheck", "name", "layers"}
    assert [doc["name"], *(layer["name"] for layer in doc["layers"])] == kept
    written = spec.with_name("converted.yaml")
    written.write_text(out, encoding="utf-8")
    again = infer(load(str(written)))
    assert again.diagnostics == [] and again.ok
    assert [layer.name for layer in again.layers] == kept[1:]
    first = infer(load(str(spec)))
    shapes = [(layer.output_shape, layer.params.total) for layer in first.layers]
    assert [(layer.output_shape, layer.params.total) for layer in again.layers] == shapes


CHECKS = {
    "summary": _summary,
    "summary_extras": _summary,
    "summary_json": _json,
    "check_json": _check_json,
    "check_github": _github,
    "check_sarif": _sarif,
    "draw_mermaid": _mermaid,
    "draw_dot": _dot,
    "draw_svg": _svg,
    "convert": _convert,
}


# ---------------------------------------------------------------- file names, the tally


def test_the_tally_of_skipped_files_holds_their_names_as_data(tmp_path: Path) -> None:
    """Empty files are named in the tally on standard error; a name holding a line break and a
    workflow command stays one line, in every format."""
    for case, text in HOSTILE:
        (tmp_path / f"{case}{file_name(text)}.yaml").write_text("")
    for fmt in ("text", "github", "json"):
        result = invoke("check", "--format", fmt, tmp_path)
        assert result.exit_code == 0
        (tally,) = result.stderr.splitlines()
        assert f"{len(HOSTILE)} of them empty" in tally
        assert_no_raw_text(result.stderr, "\n".join(text for _, text in HOSTILE))


@pytest.mark.parametrize("fmt", ["text", "github", "json", "sarif"])
def test_a_missing_file_named_with_a_command_is_one_finding(tmp_path: Path, fmt: str) -> None:
    missing = tmp_path / "gone\n::error file=README.md,line=1::pwned\x1b[2J.yaml"
    result = invoke("check", "--format", fmt, missing)
    assert result.exit_code == 2
    assert_no_raw_text(result.stdout + result.stderr, "\n::error file=README.md")
    if fmt in ("text", "github"):
        assert len(result.stdout.splitlines()) == 1


def test_a_file_name_of_undecodable_bytes_is_shown_escaped(tmp_path: Path) -> None:
    """b'\\x9b' (a C1 CSI in Latin-1) in a file name reaches Python as '\\udc9b'."""
    spec = write_spec(tmp_path, "_plain")
    named = spec.rename(tmp_path / "spec\udc9b[2J.json")
    result = invoke("check", named)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{tmp_path}/spec\\udc9b[2J.json:")
    assert_no_raw_text(result.stdout, "")


# ------------------------------------------------------------------ a real process


def test_latin1_output_in_a_real_process(tmp_path: Path) -> None:
    """PYTHONIOENCODING=latin-1: every hostile text at once, through check's text and GitHub
    formats in a real process: no internal error, nothing raw, one annotation."""
    every = "".join(text for _, text in HOSTILE)
    spec = write_spec(tmp_path, every, "spec\x1b[2J\n::error x\u202e.json")  # all: too long
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "PYTHONPATH": str(ROOT)}
    for fmt, starts in (("text", (terminal(str(spec)) + ":1:", "    fix: ")), ("github", ("::",))):
        done = subprocess.run(
            [sys.executable, "-m", "deconvcheck", "check", "--format", fmt, str(spec)],
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        out, err = done.stdout.decode("latin-1"), done.stderr.decode("latin-1")
        assert (done.returncode, "internal error" in err, "Traceback" in err) == (1, False, False)
        assert [line for line in out.splitlines() if not line.startswith(starts)] == []
        assert out.startswith(starts[0])
        assert_no_raw_text(out + err, "")


# ------------------------------------------------------- the escaping functions, tabled

ORDINARY = ["conv2d_1", "Größe", "層", "😀", "e\u0301", "👩\u200d💻", "[red]x", "C:\\specs\\a", " "]


def test_every_hidden_character_is_one_python_calls_unprintable() -> None:
    """`terminal` skips its pattern for a text that str.isprintable() takes: sound only if each
    of the pattern's characters is unprintable. All of Unicode, each shown on its own."""
    hidden = re.compile(diagnostics_report._HIDDEN)
    found = [c for c in map(chr, range(sys.maxunicode + 1)) if hidden.match(c)]
    assert (
        len(found) == 32 + 1 + 32 + 1 + 2 + 2 + 5 + 4 + 2048 + 3
    )  # C0, DEL, C1, ALM, LRM/RLM, ...
    assert not [c for c in found if c.isprintable()]
    assert all(terminal(f"a{c}b") != f"a{c}b" for c in found)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_printed_as_written(text: str) -> None:
    """Keras prints names as they are: so does every terminal output (byte-identical tables)."""
    assert terminal(text) == text


@pytest.mark.parametrize(
    ("function", "text", "expected"),
    [
        (terminal, "\x1b]0;t\x07", "\\x1b]0;t\\x07"),
        (terminal, "a\r\n\tb", "a\\r\\n\\tb"),
        (terminal, "\u202eevil", "\\u202eevil"),
        (terminal, "\x00\x7f\x9b\x85", "\\x00\\x7f\\x9b\\x85"),
        (terminal, "\ud800", "\\ud800"),
        (terminal, "\u2028\ufeff\uffff", "\\u2028\\ufeff\\uffff"),
        (github_data, "50%\r\n::error::x", "50%25%0D%0A::error::x"),
        (github_data, "\x1b[2J", "\\x1b[2J"),
        (github_property, "a,b:c%\n", "a%2Cb%3Ac%25%0A"),
        (mermaid_text, 'a"b<c>&d', "a#quot;b#lt;c#gt;#amp;d"),
        (mermaid_text, "#quot;`%%{", "#35;quot;#96;#37;#37;{"),
        (mermaid_text, "x\nFAKE[ok]", "x\\nFAKE[ok]"),
        (dot_text, 'a"b\\Nc\nd', 'a\\"b\\\\Nc\\\\nd'),
        (xml_text, "<a href='x'>&</a>", "&lt;a href=&#x27;x&#x27;&gt;&amp;&lt;/a&gt;"),
        (xml_text, "\x00\x0b\ufffe\ud800", "\\x00\\x0b\\ufffe\\ud800"),
        (yaml_string, "conv_1", "conv_1"),
        (yaml_string, "yes", '"yes"'),
        (yaml_string, "a: b\nencoder: x # c", '"a: b\\nencoder: x # c"'),
        (yaml_string, 'q"\\', '"q\\"\\\\"'),
        (yaml_string, "\x1b\x85\u2028\u202e\ufeff", '"\\x1b\\x85\\u2028\\u202e\\ufeff"'),
        (yaml_string, "\ud800", '"\ufffd"'),
        (yaml_string, "Größe 😀", '"Größe 😀"'),
    ],
)
def test_escaping(function: object, text: str, expected: str) -> None:
    assert callable(function)
    assert function(text) == expected


@pytest.mark.parametrize("text", [text for _, text in HOSTILE] + ORDINARY)
def test_yaml_strings_read_back(text: str) -> None:
    """PyYAML (what deconvcheck reads YAML with) reads each back; a lone surrogate as U+FFFD."""
    kept = re.sub("[\ud800-\udfff]", "\ufffd", text)
    assert yaml.safe_load(f"key: {yaml_string(text)}") == {"key": kept}
    assert yaml.load(f"- {yaml_string(text)}", Loader=yaml.CBaseLoader) == [kept]


def test_convert_keeps_a_source_path_in_its_comment(tmp_path: Path) -> None:
    """A line break in the source's path neither ends the comment nor adds `encoder:`."""
    folder = tmp_path / "x\nencoder: evil.keras\n\u2028deconvcheck: 2"
    folder.mkdir()
    spec = write_spec(folder, "_plain")
    result = invoke("convert", spec)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].endswith("\\u2028deconvcheck: 2/spec_plain.json")
    assert set(yaml.safe_load(result.stdout)) == {"deconvcheck", "name", "layers"}
    assert yaml.load(result.stdout, Loader=yaml.CBaseLoader)["deconvcheck"] == "1"


def test_a_pulled_in_file_that_is_not_a_spec_is_not_quoted(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "credentials").write_text("password=hunter2\n")
    (tmp_path / "outside" / "keys").write_text("hunter3: 1\n")
    (tmp_path / "inside").mkdir()
    spec = tmp_path / "inside" / "spec.yaml"
    for secret in ("credentials", "keys"):
        spec.write_text(
            "deconvcheck: 1\nlayers:\n  - {type: Input, shape: [8, 8, 3]}\n"
            f"  - {{type: Functional, model: ../outside/{secret}}}\n"
        )
        for command in ("summary", "check", "draw"):
            result = invoke(command, spec)
            assert "../outside/" in result.output
            assert "hunter" not in result.output


PWNED = 'x"""; import os; os.system("touch PWNED")#'


def test_export_keeps_a_hostile_name_a_string(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name of issue 19: the module `export` writes builds, with Keras (installed beside
    the CPU torch wheel in CI), a model whose layer has exactly that name, and running it
    creates no file. (A layer with weights cannot hold a '.' in its name on the torch backend:
    Keras refuses it there, so the name is on layers without weights.)"""
    spec = tmp_path / "spec.json"
    layers = [
        {"type": "Input", "shape": [8], "name": "in" + PWNED},
        {"type": "ReLU", "name": PWNED},
        {"type": "Dense", "units": 2, "name": "head"},
    ]
    spec.write_text(json.dumps({"deconvcheck": 1, "name": "m" + PWNED, "layers": layers}))
    module = tmp_path / "model.py"
    result = invoke("export", spec, "-o", module)
    assert result.exit_code == 0, result.output
    code = module.read_text()
    compile(code, str(module), "exec")  # valid Python
    assert "os.system" not in [line.strip() for line in code.splitlines()]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    namespace: dict[str, Any] = {}
    exec(compile(code, str(module), "exec"), namespace)  # our own generated module
    keras.backend.clear_session()
    model = namespace["build_model"]()
    assert [layer.name for layer in model.layers] == ["in" + PWNED, PWNED, "head"]
    assert model.name == "m" + PWNED
    assert not (tmp_path / "PWNED").exists()
