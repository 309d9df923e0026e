"""The example plugin: shapes as keras.io's layer computes them (its compute_output_shape,
by hand here), and deconvcheck finding it through the entry point once installed."""

from __future__ import annotations

import pytest
from depth_to_space_plugin import DepthToSpace

from deconvcheck.layers.base import Refusal
from deconvcheck.layers.registry import lookup


@pytest.mark.parametrize(
    ("args", "shape", "expected"),
    [
        # ESPCN with upscale 3: (h, w, 1·3²) -> (3h, 3w, 1)
        ({"block_size": 3}, (None, 100, 100, 9), (None, 300, 300, 1)),
        ({"block_size": 3}, (None, None, None, 9), (None, None, None, 1)),
        ({"block_size": 2}, (None, 4, 5, 12), (None, 8, 10, 3)),
        ({"block_size": 2, "data_format": "channels_first"}, (None, 12, 4, 5), (None, 3, 8, 10)),
    ],
)
def test_shape(args: dict[str, object], shape: tuple[int | None, ...], expected: tuple) -> None:
    layer = DepthToSpace(args)
    assert layer.output_shape([shape]) == expected
    assert layer.param_count([shape]) == (0, 0)


def test_channels_must_fill_the_block() -> None:
    with pytest.raises(Refusal) as refusal:
        DepthToSpace({"block_size": 2}).output_shape([(None, 4, 4, 6)])
    assert refusal.value.code == "DC204"


def test_found_through_the_entry_point() -> None:
    """Needs the plugin installed (`pip install .` in this folder)."""
    assert lookup("DepthToSpace") is DepthToSpace
