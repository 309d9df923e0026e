"""Shared fixtures. Expected output comes from Keras's recordings and the seed documents
(tests/goldens/README.md), never from deconvcheck's own output: no test rewrites a golden file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from deconvcheck.model import InferredLayer, Model

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_specs"
GOLDENS = Path(__file__).resolve().parent / "goldens"


# The long runs: whole corpora compared with Keras's recordings and the process-level hostile
# rounds. `python -m pytest` leaves them out (under a minute); `python -m pytest -m slow` runs
# them; .ci/run runs both.
SLOW_FILES = frozenset(
    (
        "test_applications.py",
        "test_calls_corpus.py",
        "test_hostile_reading.py",
        "test_hostile_runtime.py",
        "test_precommit.py",
        "test_random_calls.py",
    )
)
SLOW_TESTS = frozenset(
    (
        "test_every_recorded_application_draws",
        "test_graphviz_renders_the_dot_of_every_sample_and_recorded_call_model",
    )
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", item.name)
        if item.path.name in SLOW_FILES or name in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


EXAMPLE_PLUGIN = ROOT / "examples" / "depth_to_space_plugin" / "src"


@pytest.fixture
def depth_to_space_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """examples/depth_to_space_plugin as if pip-installed: its package on the path and a
    distribution whose entry point registers it, so deconvcheck finds it the way it finds any
    installed plugin (importlib.metadata)."""
    from deconvcheck.memo import MEMO  # noqa: PLC0415

    dist = tmp_path / "site" / "deconvcheck_depth_to_space-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: deconvcheck-depth-to-space\nVersion: 0.1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[deconvcheck.layers]\nDepthToSpace = depth_to_space_plugin:DepthToSpace\n"
    )
    monkeypatch.syspath_prepend(str(EXAMPLE_PLUGIN))
    monkeypatch.syspath_prepend(str(dist.parent))
    MEMO.plugins.entries.clear()  # the plugin is looked up again, and forgotten after
    yield
    MEMO.plugins.entries.clear()


def rows(model: Model) -> list[tuple[Any, ...]]:
    """A model's summary rows as Keras's recorders write them: name, class, output shape (a
    list, with the batch axis), trainable and non-trainable parameters."""
    return [
        (
            layer.name,
            layer.type,
            list(layer.output_shape),
            layer.params.trainable,
            layer.params.non_trainable,
        )
        for layer in model.layers
    ]


def recorded_row(layer: InferredLayer) -> dict[str, Any]:
    """A layer's row as tools/record_python_models.py and tools/record_keras_calls.py write
    it: name, class, the Output Shape cell's text, trainable and non-trainable parameters."""
    from deconvcheck.report.summary import shape_text  # noqa: PLC0415

    return {
        "name": layer.name,
        "type": layer.type,
        "shape": shape_text(layer),
        "trainable": layer.params.trainable,
        "non_trainable": layer.params.non_trainable,
    }


def recorded_calls(layer: InferredLayer) -> list[dict[str, Any]]:
    """Each call of a layer in the model, its tensors in Keras's numbering
    `[layer, node, output]`, as the same recorders write them."""
    return [
        {"inputs": [list(ref) for ref in call.inputs], "outputs": [list(s) for s in call.outputs]}
        for call in layer.calls
    ]
