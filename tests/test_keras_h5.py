"""Legacy Keras HDF5 files (`.h5`): what the reader says about files that hold no readable model.
The models themselves (tests/fixtures/keras3/*.h5, recorded by tools/record_keras_h5.py) are
compared with Keras's rows in tests/test_keras_files.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

from deconvcheck.cli.main import cli
from deconvcheck.infer import infer
from deconvcheck.read.h5file import model_config
from deconvcheck.read.loader import load
from deconvcheck.read.spec import ReadFailure
from deconvcheck.read.tree import LoadError
from tests.conftest import ROOT, SAMPLES, rows

KERAS3 = Path(__file__).parent / "fixtures" / "keras3"
MODEL = KERAS3 / "conv_autoencoder.h5"
WEIGHTS = KERAS3 / "conv_autoencoder.weights.h5"
with h5py.File(MODEL, "r") as recorded:
    CONFIG: str = recorded.attrs["model_config"]  # Keras 3 writes a str

WEIGHTS_ONLY = (
    "DC006",
    "a weights-only HDF5 file (what save_weights writes): it holds no model architecture "
    "(no model_config attribute)",
    "save the whole model: model.save('model.keras') or model.save('model.h5'); "
    "or model.to_json() for the architecture alone",
)
NOT_JSON_FIX = "save the model again with Keras's model.save('model.h5')"


def written(path: Path, model_config: object = None, groups: tuple[str, ...] = ()) -> Path:
    """An HDF5 file with the given model_config attribute (none when None) and empty groups."""
    with h5py.File(path, "w") as h5:
        if model_config is not None:
            h5.attrs["model_config"] = model_config
        for group in groups:
            h5.create_group(group)
    return path


def keras2_weights(path: Path) -> Path:
    """What Keras 2's save_weights wrote: the layer names as a root attribute."""
    with h5py.File(path, "w") as h5:
        h5.attrs["layer_names"] = [b"dense"]
        h5.attrs["backend"] = "tensorflow"
    return path


def findings(path: Path) -> list[tuple[str, int, int, str, str | None]]:
    return [(d.code, d.line, d.column, d.message, d.hint) for d in load(str(path)).diagnostics]


FILES: list[tuple[str, Callable[[Path], Path], list[tuple[str, int, int, str, str | None]]]] = [
    ("keras3_weights", lambda tmp: WEIGHTS, [(WEIGHTS_ONLY[0], 0, 0, *WEIGHTS_ONLY[1:])]),
    ("keras2_weights", lambda tmp: keras2_weights(tmp / "w.h5"),
     [(WEIGHTS_ONLY[0], 0, 0, *WEIGHTS_ONLY[1:])]),
    ("weights_group_without_config",
     lambda tmp: written(tmp / "m.h5", groups=("model_weights",)),
     [(WEIGHTS_ONLY[0], 0, 0, *WEIGHTS_ONLY[1:])]),
    ("data_not_a_model", lambda tmp: written(tmp / "data.h5", groups=("images",)),
     [("DC006", 0, 0, "an HDF5 file without a Keras model: it has no model_config attribute",
       "give the file model.save('model.h5') writes, or model.to_json()")]),
    ("not_json", lambda tmp: written(tmp / "m.h5", "a model, trust me"),
     [("DC004", 0, 0, "the model_config attribute is not a JSON object: it starts with "
       "'a model, trust me'", NOT_JSON_FIX)]),
    ("empty", lambda tmp: written(tmp / "m.h5", ""),
     [("DC004", 0, 0, "the model_config attribute is not a JSON object: it is empty",
       NOT_JSON_FIX)]),
    ("json_cut_short", lambda tmp: written(tmp / "m.h5", CONFIG[:500]),
     [("DC004", 1, 501, "JSON syntax error: expected a value, found the end of the file",
       None)]),
    ("not_text", lambda tmp: written(tmp / "m.h5", np.arange(3, dtype=np.int64)),
     [("DC006", 0, 0, "the model_config attribute is not text: it holds int64 data", None)]),
    ("not_utf8", lambda tmp: written(tmp / "m.h5", np.bytes_(b'{"class_name": "\xff"}')),
     [("DC002", 1, 17, "not UTF-8 text (byte 0xff)", "save the file as UTF-8")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make_file", "expected"), [f[1:] for f in FILES], ids=[f[0] for f in FILES]
)
def test_files_without_a_readable_model(
    tmp_path: Path,
    make_file: Callable[[Path], Path],
    expected: list[tuple[str, int, int, str, str | None]],
) -> None:
    assert findings(make_file(tmp_path)) == expected


def test_model_config_stored_as_bytes_is_read(tmp_path: Path) -> None:
    """Keras 2 with h5py 2 stored the JSON as bytes (h5py 3 returns numpy.bytes_)."""
    path = written(tmp_path / "keras2.h5", np.bytes_(CONFIG.encode()), ("model_weights",))
    model = infer(load(str(path)))
    want = json.loads((KERAS3 / "conv_autoencoder.expected.json").read_text())
    assert model.diagnostics == []
    assert rows(model) == [
        (r["name"], r["type"], r["output_shape"], r["trainable"], r["non_trainable"])
        for r in want["summary_layers"]
    ]


def test_findings_name_the_layer_path_in_the_model_config(tmp_path: Path) -> None:
    """As for a .keras archive: the line and column in the JSON, and the path to the layer."""
    document = json.loads(CONFIG)
    document["config"]["layers"][2]["class_name"] = "DepthToSpace"  # a user's own layer
    path = written(tmp_path / "custom.h5", json.dumps(document), ("model_weights",))
    (diag,) = infer(load(str(path))).diagnostics
    text = json.dumps(document)
    assert (diag.code, diag.line) == ("DC101", 1)
    assert text[diag.column - 1 :].startswith('{"class_name": "DepthToSpace"')
    assert diag.message == (
        "layer 'max_pooling2d': unknown layer type 'DepthToSpace' (at config.layers[2])"
    )


BROKEN_HINT = (
    "the file is cut short or damaged (a partial copy or download?): save or copy it again"
)
DATA = MODEL.read_bytes()
SIGNATURE = DATA[:8]
CORRUPT: list[tuple[str, bytes, str]] = [
    ("signature_only", SIGNATURE,
     "Unable to synchronously open file (bad byte number in an address)"),
    ("cut_at_100", DATA[:100],
     f"Unable to synchronously open file (truncated file: eof = 100, sblock->base_addr = 0, "
     f"stored_eof = {len(DATA)})"),
    ("last_byte_missing", DATA[:-1],
     f"Unable to synchronously open file (truncated file: eof = {len(DATA) - 1}, "
     f"sblock->base_addr = 0, stored_eof = {len(DATA)})"),
    ("zeros_after_signature", SIGNATURE + bytes(len(DATA) - 8),
     "Unable to synchronously open file (bad byte number in an address)"),
    ("noise_after_signature", SIGNATURE + bytes((i * 37 + 11) % 256 for i in range(4096)),
     "Unable to synchronously open file (bad superblock version number)"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "reason"), [c[1:] for c in CORRUPT], ids=[c[0] for c in CORRUPT])
def test_corrupt_files(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "model.h5"
    path.write_bytes(data)
    assert findings(path) == [("DC006", 0, 0, f"a broken HDF5 file: {reason}", BROKEN_HINT)]


@pytest.mark.parametrize("cut", range(0, len(DATA), 997))
def test_any_truncation_is_a_finding(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "model.h5"
    path.write_bytes(DATA[: max(cut, 8)])
    (code,) = [f[0] for f in findings(path)]
    assert code == "DC006"


def test_a_model_config_over_the_limit_is_refused() -> None:
    with MODEL.open("rb") as file, pytest.raises(LoadError) as error:
        model_config(file, str(MODEL), limit=1000)
    size = len(CONFIG.encode())
    assert (error.value.diagnostic.code, error.value.diagnostic.message) == (
        "DC009",
        f"the model_config attribute is {size:,} bytes, over the limit of 1,000",
    )


def test_without_h5py_the_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "h5py", None)  # `import h5py` raises ImportError
    message = (
        "reading an HDF5 file (a Keras .h5 model) needs h5py, which is not installed: "
        "pip install 'deconvcheck[h5]'"
    )
    with pytest.raises(ReadFailure) as failure:
        load(str(MODEL))
    assert (failure.value.diagnostic.code, failure.value.diagnostic.message) == ("DC001", message)
    summary = CliRunner().invoke(cli, ["summary", str(MODEL)])
    assert summary.exit_code == 2
    assert summary.stderr == f"{MODEL}:0:0: DC001 {message}\n"
    check = CliRunner().invoke(cli, ["check", str(MODEL)])
    assert check.exit_code == 2  # as for a file that cannot be read
    assert check.stdout.startswith(f"{MODEL}:0:0: DC001 {message}\n")


def test_check_walks_h5_files(tmp_path: Path) -> None:
    """A folder's .h5 models are checked; weights and data files are left alone, as JSON files
    that are not specs are, and a broken one is reported."""
    shutil.copy(MODEL, tmp_path / "autoencoder.h5")
    shutil.copy(WEIGHTS, tmp_path / "autoencoder.weights.h5")  # not even opened
    keras2_weights(tmp_path / "keras2_weights.h5")
    written(tmp_path / "data.h5", groups=("images",))
    written(tmp_path / "cut.h5", CONFIG[:500])
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{tmp_path / 'cut.h5'}:1:501: DC004 JSON syntax error: expected a value, found the end "
        "of the file"
    )
    assert result.stderr == (
        "1 finding(s): 1 error(s), 0 warning(s) in 1 of 2 spec file(s) (2 other file(s) skipped)\n"
    )


@pytest.mark.parametrize("command", ["check", "summary"])
def test_a_yaml_spec_does_not_import_h5py(command: str) -> None:
    """h5py (and numpy with it) costs 70 ms: imported only when an HDF5 file is read."""
    spec = str(SAMPLES / "unet.yaml")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "deconvcheck", command, spec],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()]
    assert "deconvcheck.cli.main" in imported  # the import log is there
    assert not [
        name for name in imported if name.startswith(("h5py", "numpy", "deconvcheck.read.h5file"))
    ]
