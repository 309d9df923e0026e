"""Shared fixtures. `pytest --overwrite` rewrites the rendered-output golden files (torchinfo's
convention); review the diff before committing. Numbers are never taken from these files: they
are checked against Keras's recordings and the seed documents by other tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from deconvcheck.model import Model

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_specs"
GOLDENS = Path(__file__).resolve().parent / "goldens"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--overwrite", action="store_true", help="rewrite rendered-output golden files"
    )


@pytest.fixture
def overwrite(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--overwrite"))


EXAMPLE_PLUGIN = ROOT / "examples" / "depth_to_space_plugin" / "src"


@pytest.fixture
def depth_to_space_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """examples/depth_to_space_plugin as if pip-installed: its package on the path and a
    distribution whose entry point registers it, so deconvcheck finds it the way it finds any
    installed plugin (importlib.metadata)."""
    from deconvcheck.layers.registry import plugin  # noqa: PLC0415

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
    plugin.cache_clear()
    yield
    plugin.cache_clear()


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
