"""The models of the users' questions this project started from, written as the Keras code they
posted (tests/fixtures/python_questions/) and read statically: every number below is the one
their own Keras printed (Keras 2 era: its names differ, its shapes and counts are Keras 3's too),
or a hand calculation shown beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from deconvcheck.infer import infer
from deconvcheck.model import Model
from deconvcheck.read.loader import load

QUESTIONS = Path(__file__).parent / "fixtures" / "python_questions"


def models(name: str) -> list[Model]:
    first = load(str(QUESTIONS / name))
    found = [infer(spec) for spec in [first, *first.others]]
    assert found and all(not m.diagnostics for m in found), first.diagnostics
    return found


def rows(model: Model) -> list[tuple[str, tuple[int | None, ...], int]]:
    return [(r.name, r.output_shape, r.params.total) for r in model.layers]


def test_a_dilated_kernel_gives_9_where_14_was_meant() -> None:
    """7x7x512 through Conv2DTranspose(512, ...): 2x2 with dilation 2 gives 9x9 (1,049,088
    weights), 3x3 with dilation 2 gives 11x11 (2,359,808), strides 2 gives 14x14 (1,049,088)."""
    dilated, wider, strided = models("vgg16_decoder_first_layer.py")
    assert rows(dilated)[1] == ("conv1", (None, 9, 9, 512), 1_049_088)
    assert rows(wider)[1] == ("conv1", (None, 11, 11, 512), 2_359_808)
    assert rows(strided)[1] == ("conv1", (None, 14, 14, 512), 1_049_088)
    assert [m.name for m in (dilated, wider, strided)] == ["vgg-16_decoder"] * 3


def test_the_mirrored_vgg16_decoder() -> None:
    (decoder,) = models("vgg16_mirrored_decoder.py")
    assert rows(decoder)[0] == ("input", (None, 7, 7, 512), 0)
    assert rows(decoder)[-1] == ("conv1_1", (None, 224, 224, 3), 1_731)  # 3*3*64*3 + 3
    assert decoder.totals.total == 17_037_059
    by_name = {name: params for name, _, params in rows(decoder)}
    assert by_name["conv5_3"] == 2_359_808
    assert by_name["conv3_3"] == 1_179_904
    assert by_name["conv3_2"] == 590_080
    assert by_name["conv2_2"] == 295_040
    assert by_name["conv1_2"] == 73_792


def test_a_convolution_and_a_pooling_undone() -> None:
    conv, pool = models("conv_and_pool_roundtrips.py")
    assert rows(conv) == [
        ("input_layer", (None, 224, 224, 3), 0),
        ("conv2d", (None, 222, 222, 512), 14_336),
        ("conv2d_transpose", (None, 224, 224, 3), 13_827),
    ]
    assert conv.totals.total == 28_163
    assert [shape for _, shape, _ in rows(pool)] == [
        (None, 224, 224, 3),
        (None, 112, 112, 3),
        (None, 224, 224, 3),
    ]
    assert pool.totals.total == 0


@pytest.mark.parametrize("given", [None, "net", "net()"])
def test_a_net_built_and_shown_inside_a_function(given: str | None) -> None:
    """Built inside net(), which returns nothing; Keras 2's Deconvolution2D is a
    Conv2DTranspose. 1,792 = (3*3*3 + 1) * 64; 73,792 = (3*3*128 + 1) * 64;
    12,117 = (3*3*64 + 1) * 21; totals 87,957, 87,829 trainable, 128 not."""
    from deconvcheck.read.loader import Reading  # noqa: PLC0415

    spec = Reading(model=given).load(str(QUESTIONS / "merge_and_deconvolution_net.py"))
    model = infer(spec)
    params = {name: p for name, _, p in rows(model)}
    assert (params["con1"], params["deconv1"], params["score1"]) == (1_792, 73_792, 12_117)
    assert params["batch_normalization"] == 256
    assert rows(model)[-1] == ("mer2", (None, 128, 128, 85), 0)
    totals = model.totals
    assert (totals.total, totals.trainable, totals.non_trainable) == (87_957, 87_829, 128)
