"""`deconvcheck draw`: the size profile as text, Mermaid, Graphviz and SVG, on the sample U-Net
(sizes from the spec: a 160x160 input and five 2x2 poolings), the same U-Net at 100x100 (seed
003: Keras refuses 'up7', 24 vs 25), and every recorded keras.applications model."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pydot
import pytest
from click.testing import CliRunner, Result

from deconvcheck.cli.main import cli
from tests.conftest import GOLDENS, ROOT, SAMPLES

UNET = ROOT / "sample_specs" / "unet.yaml"
APPLICATIONS = json.loads(gzip.decompress((GOLDENS / "keras_applications.json.gz").read_bytes()))
ROW = re.compile(r"^\s*(\S+)\s+(\d*)\s+[█▪?]*\s+(\S.*?)(?:\s{2,}|$)")
SVG = "{http://www.w3.org/2000/svg}"


def draw(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["draw", *map(str, args)])


def rows(output: str) -> list[tuple[str, str, str]]:
    """(size, channels, layers) of each row of the text picture."""
    lines = output.splitlines()[2:]
    found = []
    for line in lines:
        if line.startswith("Bar:") or not line.strip():
            break
        match = ROW.match(line)
        assert match, line
        found.append((match[1], match[2], match[3]))
    return found


@pytest.fixture
def unet100(tmp_path: Path) -> Path:
    spec = tmp_path / "unet100.yaml"
    spec.write_text(UNET.read_text().replace("shape: [160, 160, 8]", "shape: [100, 100, 8]"))
    return spec


def test_the_unet_draws_as_a_u() -> None:
    result = draw(UNET)
    assert result.exit_code == 0
    got = rows(result.stdout)
    # 160 halved by each of the five 2x2 poolings, then doubled by each of five transposed convs
    assert [r[0] for r in got] == [
        f"{s}×{s}" for s in (160, 80, 40, 20, 10, 5, 10, 20, 40, 80, 160)
    ]
    # the filters of the last layer of each level in unet.yaml; 5 classes at the end
    assert [int(r[1]) for r in got] == [32, 64, 128, 256, 512, 1024, 512, 256, 128, 64, 5]
    assert got[0][2] == "inputs … conv1 (3)"
    lines = result.stdout.splitlines()[2:13]
    # a skip leaves each encoder level (but the bottom) and arrives at the decoder level of its size
    assert [("┐" in line, "◀" in line) for line in lines] == [(True, False)] * 5 + [
        (False, False)
    ] + [(False, True)] * 5
    assert "DC" not in result.stdout


def test_the_unet_at_100_marks_up7(unet100: Path) -> None:
    result = draw(unet100)
    assert result.exit_code == 1  # Keras refuses the model, as summary says
    got = rows(result.stdout)
    assert [r[0] for r in got[:9]] == [
        f"{s}×{s}"
        for s in (100, 50, 25, 12, 6, 3, 6, 12, 24)  # pool3 floors 25 to 12
    ]
    (marked,) = [line for line in result.stdout.splitlines() if "✗" in line]
    assert marked.split("✗ ")[1] == "DC201 up7"
    assert marked.split()[0] == "?"  # up7 could not be built: no shape
    assert f"{unet100}:51:5: DC201 Concatenate 'up7' cannot join" in result.stdout


def test_expand_and_ascii() -> None:
    folded = rows(draw(UNET).stdout)
    expanded = draw(UNET, "--expand", "--ascii")
    assert expanded.stdout.isascii()
    every = rows(expanded.stdout.replace("#", "█"))
    counts = [int(r[2].rsplit("(", 1)[1][:-1]) if "(" in r[2] else 1 for r in folded]
    assert len(every) == sum(counts) == 55
    assert every[0] == ("160x160", "8", "inputs")


def test_colour_only_when_asked() -> None:
    plain = draw(UNET).stdout
    # TERM as in tests/test_looks.py: rich keeps a style's escape codes for the first colour
    # system it was drawn with, for the life of the process
    env = {"TERM": "xterm-256color", "COLORTERM": ""}
    colored = CliRunner().invoke(cli, ["draw", str(UNET), "--color", "always"], env=env).stdout
    assert "\x1b[" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain


def _layer_names(spec: Path) -> list[str]:
    return re.findall(r"name: (\w+)\}", spec.read_text())


def test_mermaid_names_every_layer_and_styles_the_failure(unet100: Path) -> None:
    out = draw(unet100, "--to", "mermaid").stdout
    assert out.startswith("flowchart TD\n")
    labels = dict(re.findall(r'^  (n\d+)\["([^"]*)"\]$', out, re.M))
    names = _layer_names(UNET)
    assert len(names) == 55
    assert [label.split("<br/>")[0] for label in labels.values()] == names  # Keras's order
    up7 = next(node for node, label in labels.items() if label.startswith("up7<br/>"))
    assert f"  class {up7} error" in out
    assert labels[up7].endswith("<br/>DC201 up7")
    skips = re.findall(r"^  (n\d+) -\. skip \.-> (n\d+)$", out, re.M)
    names_of = {node: label.split("<br/>")[0] for node, label in labels.items()}
    assert sorted((names_of[a], names_of[b]) for a, b in skips) == sorted(
        [("conv4_1", "up6_1"), ("conv4_0", "up6_2"), ("conv3", "up7"), ("conv2", "up8"),
         ("conv1", "up9")]
    )  # fmt: skip


def test_dot_is_valid_graphviz_naming_every_layer(unet100: Path, tmp_path: Path) -> None:
    out = draw(unet100, "--to", "dot").stdout
    (graph,) = pydot.graph_from_dot_data(out)
    nodes = [n for n in graph.get_nodes() if n.get_name() not in ("node", "edge")]
    labels = [n.get("label").strip('"').split("\\n")[0] for n in nodes]
    assert labels == _layer_names(UNET)
    failing = [n for n in nodes if n.get("fillcolor")]
    assert [n.get("label").strip('"').split("\\n")[0] for n in failing] == ["up7"]
    # 54 edges of the chain + 5 second inputs of the Concatenates
    assert len(graph.get_edges()) == 59
    _renders(out, tmp_path)


def _renders(dot: str, tmp_path: Path) -> None:
    """Graphviz itself draws the graph (CI installs it: .ci/run; a machine without `dot` says
    so here, outside CI, by skipping only this part)."""
    if shutil.which("dot") is None:
        assert not os.environ.get("CI"), "CI must render dot: install Graphviz (.ci/run)"
        return
    (tmp_path / "g.dot").write_text(dot)
    svg = subprocess.run(
        ["dot", "-Tsvg", str(tmp_path / "g.dot")], capture_output=True, check=False
    )
    assert svg.returncode == 0, svg.stderr
    ET.fromstring(svg.stdout)  # a well-formed picture


CALLS = sorted((ROOT / "tests" / "fixtures" / "calls").glob("*.json"))
RENDERED = [
    *sorted(SAMPLES.glob("*.yaml")),
    *(p for p in CALLS if not p.name.endswith(".expected.json")),
]


@pytest.mark.parametrize("path", RENDERED, ids=lambda p: p.name)
def test_graphviz_renders_the_dot_of_every_sample_and_recorded_call_model(
    path: Path, tmp_path: Path
) -> None:
    """Every sample spec and every recorded model of shared layers, several outputs and open
    sizes: `draw --to dot` is a graph Graphviz draws."""
    _renders(draw(path, "--to", "dot").stdout, tmp_path)


def test_svg_is_a_standalone_picture(unet100: Path, tmp_path: Path) -> None:
    target = tmp_path / "u.svg"
    result = draw(unet100, "--to", "svg", "-o", target)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"wrote {target}\n{unet100}:51:5: DC201 Concatenate 'up7'")
    root = ET.parse(target).getroot()
    assert root.tag == f"{SVG}svg"
    blocks = root.findall(f"{SVG}rect[@class]")
    assert len(blocks) == 11
    assert [b.get("class") for b in blocks].count("block error") == 1
    heights = [float(b.get("height", 0)) for b in blocks[:6]]
    assert heights == sorted(heights, reverse=True)  # the encoder goes down: the U's left side
    marks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "mark"]
    assert marks == ["DC201 up7"]
    assert len(root.findall(f"{SVG}path[@class='skip']")) == 5


def test_draw_never_overwrites_its_input(tmp_path: Path) -> None:
    spec = tmp_path / "unet.yaml"
    spec.write_text(UNET.read_text())
    result = draw(spec, "--to", "svg", "-o", spec)
    assert result.exit_code == 2
    assert spec.read_text() == UNET.read_text()


BUILT = [m for m in APPLICATIONS["models"] if "graph_error" not in m]


@pytest.mark.parametrize("entry", BUILT, ids=[m["id"] for m in BUILT])
def test_every_recorded_application_draws(
    entry: dict[str, object], tmp_path: Path, depth_to_space_plugin: None
) -> None:
    """Every Keras layer (by Keras's own names) is a node of the mermaid and dot graphs; the text
    folds the model into few rows, and every layer into one row with --expand."""
    path = tmp_path / Path(str(entry["file"])).name.removesuffix(".gz")
    path.write_bytes(gzip.decompress((ROOT / str(entry["file"])).read_bytes()))
    names = [row["name"] for row in entry["layers"]]  # type: ignore[attr-defined]
    text = draw(path)
    assert text.exit_code == 0, text.output
    folded = rows(text.stdout)
    assert 1 <= len(folded) <= 16  # ResNet50: 9 rows for 177 layers
    assert len(rows(draw(path, "--expand").stdout)) == len(names)
    mermaid = draw(path, "--to", "mermaid").stdout
    labels = re.findall(r'^  n\d+\["([^"<]*)<br/>', mermaid, re.M)
    assert labels == names
    (graph,) = pydot.graph_from_dot_data(draw(path, "--to", "dot").stdout)
    assert len([n for n in graph.get_nodes() if n.get_name() not in ("node", "edge")]) == len(names)
    root = ET.fromstring(draw(path, "--to", "svg").stdout)
    assert len(root.findall(f"{SVG}rect[@class]")) == len(folded)


README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "command",
    [
        "deconvcheck draw sample_specs/unet.yaml",
        "deconvcheck draw sample_specs/unet.yaml --input-shape 100,100,8",
    ],
)
def test_readme_pictures_are_current(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    shown = README.split(f"```console\n$ {command}\n", 1)[1].split("```", 1)[0]
    assert CliRunner().invoke(cli, command.split()[1:]).stdout == shown


@pytest.mark.parametrize(
    ("picture", "args"),
    [
        ("docs/unet.svg", ["sample_specs/unet.yaml"]),
        ("docs/unet_100.svg", ["sample_specs/unet.yaml", "--input-shape", "100,100,8"]),
    ],
)
def test_docs_svgs_are_current(
    picture: str, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert (ROOT / picture).read_text() == draw(*args, "--to", "svg").stdout
    assert f"]({picture})" in README


def test_readme_mermaid_and_dot_are_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for fmt in ("mermaid", "dot"):
        shown = README.split(f"```{fmt}\n", 1)[1].split("```", 1)[0]
        assert shown == draw("sample_specs/dilated_decoder.yaml", "--to", fmt).stdout
