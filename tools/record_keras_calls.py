"""Record real Keras 3 models whose layers are called more than once, give several outputs or
leave sizes open, for the tests of shared layers, nested models and `None` sizes
(tests/fixtures/calls/).

Run it from the repository root with the Keras environment (see tools/record_keras_models.py):

    KERAS_BACKEND=torch /tmp/kerasenv/bin/python tools/record_keras_calls.py

The run is deterministic: it re-runs itself with a fixed string hash seed and detached from any
terminal (tools/recording.py), and sets `keras.utils.set_random_seed` and
`keras.backend.clear_session()` before every model, so names (conv2d, conv2d_1, ...) and weights
are the same on every run. It empties tests/fixtures/calls/ first, then writes for each model
in MODELS:

- `<name>.json`: `model.to_json(indent=1)`.
- `<name>.summary.txt`: Keras's `model.summary()` text, captured through `print_fn` on an
  80-column console (tools/record_keras_models.py's `summary_text`).
- `<name>.expected.json`: `keras_version`, `name`, `about` (what the model is, in a sentence),
  `sequential`, `totals` (`total_params`, `trainable_params`, `non_trainable_params`),
  `connected_to_column` (whether the summary has a "Connected to" column), `summary_layers`,
  `reloaded_summary_differs` and `files` (the Keras files written beside it).
  `summary_layers` has one row per row of the summary, in its order (a Functional model's
  `_operations`, which holds `model.layers` and, between them, the operations that tensor
  expressions such as `x[..., 0]` or `x ** 2` record; a Sequential model's `layers`):
  `name`, `type` (class name), `in_model_layers` (false for such an operation), `shape` (the
  Output Shape text Keras prints, from `summary_utils.format_layer_shape`: the shape of the
  layer's *last* call, even a call outside this model, and a list for several outputs),
  `connected_to` (the Connected-to text Keras prints, or would print, unhighlighted: "-" when
  none), `trainable` and `non_trainable` (weight counts) and `calls`: for each of the layer's
  calls (inbound nodes) that belong to this model, in node order, `inputs` as
  `[layer, node_index, tensor_index]` (Keras's own numbering, as in Connected to) and `outputs`,
  every output shape of that call (batch axis `null`).
- `<name>.reloaded.summary.txt`, only when the summary of `keras.models.model_from_json` of the
  JSON differs from the built model's (its expected file then says `reloaded_summary_differs`).
- For the models with `saved=True`: `<name>.keras` (`model.save`) and `<name>.h5` (legacy HDF5,
  `model.save`); for one model also `<name>.weights.h5` (`model.save_weights`). Keras stamps a
  `.keras` archive with the time of saving (metadata.json's `date_saved` and each entry's time)
  and marks an object it writes more than once in config.json with `"shared_object_id"`, the
  object's Python `id()`: so that reruns give the same bytes, the times are set to 1980-01-01
  and the ids renumbered 1, 2, ... in order of appearance (the same id gets the same number, so
  Keras loads the archive as before); nothing else in the archive is changed.

For each model in REFUSED (built up to the call Keras refuses) only `<name>.expected.json`:
`{"keras_version", "name", "about", "refused": true, "error": "Type: message"}` (the message
without terminal escapes, cut at 300 characters, as tools/record_keras_models.py cuts it).

How Keras numbers calls, which these files pin down: a layer's `node_index` counts its calls
in every graph it was ever called in (a layer first used by another model is at node 1 in this
one), and a nested model has no node of its own before its first call. `to_json` renumbers the
nodes within the model (so the reloaded model's Connected to can say [0] where the built one said
[1]), and writes a nested Functional model's entries in `output_layers` one higher than in
`inbound_nodes` (a call at node 0 is `["critic", 1, 0]` there), which `model_from_json` undoes.

At the end every file written is loaded back in Keras (`model_from_json`, `load_model`,
`load_weights`); a file that does not load stops the run.
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recording import detached_from_terminal, reproducible_process

if __name__ == "__main__":
    reproducible_process()  # before Keras is imported

import keras
import rich.text
from keras import layers as L
from keras import ops
from keras.src.utils.summary_utils import format_layer_shape
from record_keras_models import count, summary_text

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "calls"
SEED = 20260412
ANSI = re.compile(r"\x1b\[[0-9;]*m")
ARCHIVE_TIME = (1980, 1, 1, 0, 0, 0)
DATE_SAVED = re.compile(rb'"date_saved": "[^"]*"')
SHARED_OBJECT_ID = re.compile(rb'"shared_object_id": (\d+)')


@dataclass(frozen=True)
class Recorded:
    about: str
    build: Callable[[], keras.Model]
    saved: bool = False  # also write <name>.keras and <name>.h5
    weights: bool = False  # also write <name>.weights.h5


@dataclass(frozen=True)
class Refused:
    about: str
    build: Callable[[], Any]  # raises where Keras refuses the call


# --------------------------------------------------------------------------- shared layers


def conv_tower(name: str, shape: tuple[int, ...] = (28, 28, 1)) -> keras.Sequential:
    return keras.Sequential(
        [
            keras.Input(shape),
            L.Conv2D(8, 3, activation="relu"),
            L.MaxPooling2D(),
            L.Conv2D(16, 3, activation="relu"),
            L.GlobalAveragePooling2D(),
            L.Dense(16),
        ],
        name=name,
    )


def siamese_sequential_tower() -> keras.Model:
    tower = conv_tower("tower")
    left = keras.Input((28, 28, 1), name="left")
    right = keras.Input((28, 28, 1), name="right")
    difference = L.Subtract(name="difference")([tower(left), tower(right)])
    same = L.Dense(1, activation="sigmoid", name="same")(difference)
    return keras.Model([left, right], same, name="siamese_sequential_tower")


def embedding_network() -> keras.Model:
    image = keras.Input((28, 28, 1))
    x = L.BatchNormalization()(image)
    x = L.Conv2D(4, 5, activation="tanh")(x)
    x = L.AveragePooling2D(2)(x)
    x = L.Conv2D(16, 5, activation="tanh")(x)
    x = L.AveragePooling2D(2)(x)
    x = L.Flatten()(x)
    x = L.BatchNormalization()(x)
    return keras.Model(image, L.Dense(10, activation="tanh")(x), name="embedding")


def siamese_functional_tower() -> keras.Model:
    embedding = embedding_network()
    first = keras.Input((28, 28, 1), name="first")
    second = keras.Input((28, 28, 1), name="second")
    a, b = embedding(first), embedding(second)
    # Euclidean distance written with keras.ops: each op is a row of the summary
    squared = ops.sum(ops.square(a - b), axis=1, keepdims=True)
    distance = ops.sqrt(ops.maximum(squared, keras.backend.epsilon()))
    x = L.BatchNormalization()(distance)
    similar = L.Dense(1, activation="sigmoid")(x)
    return keras.Model([first, second], similar, name="siamese_functional_tower")


def siamese_shared_layers() -> keras.Model:
    conv1 = L.Conv2D(8, 3, activation="relu", name="shared_conv1")
    pool = L.MaxPooling2D(name="shared_pool")
    conv2 = L.Conv2D(16, 3, activation="relu", name="shared_conv2")
    gap = L.GlobalAveragePooling2D(name="shared_gap")
    embed = L.Dense(32, name="shared_embedding")

    def branch(image: Any) -> Any:
        return embed(gap(conv2(pool(conv1(image)))))

    image_a = keras.Input((32, 32, 3), name="image_a")
    image_b = keras.Input((32, 32, 3), name="image_b")
    cosine = L.Dot(axes=1, normalize=True, name="cosine")([branch(image_a), branch(image_b)])
    match = L.Dense(1, activation="sigmoid", name="match")(cosine)
    return keras.Model([image_a, image_b], match, name="siamese_shared_layers")


def shared_head_three_branches() -> keras.Model:
    sizes = {"title": 12, "body": 64, "tags": 8}
    inputs = [keras.Input((size,), name=name) for name, size in sizes.items()]
    branches = [
        L.Dense(16, activation="relu", name=f"{name}_dense")(x)
        for name, x in zip(sizes, inputs, strict=True)
    ]
    head = L.Dense(8, activation="relu", name="shared_head")
    merged = L.concatenate([head(x) for x in branches], name="merged")
    priority = L.Dense(3, activation="softmax", name="priority")(merged)
    return keras.Model(inputs, priority, name="shared_head_three_branches")


def conv_two_scales(small_first: bool = False) -> keras.Model:
    image = keras.Input((32, 32, 3), name="image")
    half = L.AveragePooling2D(2, name="half")(image)
    conv = L.Conv2D(8, 3, padding="same", activation="relu", name="shared_conv")
    scales = [half, image] if small_first else [image, half]
    pooled = [L.GlobalAveragePooling2D()(conv(x)) for x in scales]
    classes = L.Dense(10, activation="softmax")(L.concatenate(pooled))
    name = "conv_two_scales_small_first" if small_first else "conv_two_scales"
    return keras.Model(image, classes, name=name)


def critic() -> keras.Model:
    image = keras.Input((28, 28, 1))
    x = L.Conv2D(16, 5, strides=2, padding="same")(image)
    x = L.LeakyReLU(0.2)(x)
    x = L.Conv2D(32, 5, strides=2, padding="same")(x)
    x = L.LeakyReLU(0.2)(x)
    x = L.Dropout(0.3)(x)
    x = L.Flatten()(x)
    return keras.Model(image, L.Dense(1)(x), name="critic")


def wgan_gp_critic() -> keras.Model:
    model = critic()
    real = keras.Input((28, 28, 1), name="real")
    fake = keras.Input((28, 28, 1), name="fake")
    alpha = keras.Input((1, 1, 1), name="alpha")
    interpolated = real + alpha * (fake - real)
    scores = [model(real), model(fake), model(interpolated)]
    return keras.Model([real, fake, alpha], scores, name="wgan_gp_critic")


def generator(name: str) -> keras.Model:
    image = keras.Input((32, 32, 3))
    x = L.Conv2D(16, 3, padding="same", activation="relu")(image)
    x = L.Conv2D(32, 3, strides=2, padding="same", activation="relu")(x)
    x = L.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu")(x)
    return keras.Model(image, L.Conv2D(3, 3, padding="same", activation="tanh")(x), name=name)


def discriminator(name: str) -> keras.Model:
    image = keras.Input((32, 32, 3))
    x = L.Conv2D(16, 4, strides=2, padding="same")(image)
    x = L.LeakyReLU(0.2)(x)
    x = L.Conv2D(32, 4, strides=2, padding="same")(x)
    x = L.LeakyReLU(0.2)(x)
    return keras.Model(image, L.Conv2D(1, 4, padding="same")(x), name=name)


def cyclegan_training_graph() -> keras.Model:
    gen_g, gen_f = generator("generator_g"), generator("generator_f")
    disc_x, disc_y = discriminator("discriminator_x"), discriminator("discriminator_y")
    real_x = keras.Input((32, 32, 3), name="real_x")
    real_y = keras.Input((32, 32, 3), name="real_y")
    fake_y = gen_g(real_x)
    cycled_x = gen_f(fake_y)
    fake_x = gen_f(real_y)
    cycled_y = gen_g(fake_x)
    outputs = [disc_x(fake_x), disc_y(fake_y), cycled_x, cycled_y]
    return keras.Model([real_x, real_y], outputs, name="cyclegan_training_graph")


def residual_block() -> keras.Model:
    features = keras.Input((16, 16, 8))
    x = L.Conv2D(8, 3, padding="same")(features)
    x = L.BatchNormalization()(x)
    x = L.ReLU()(x)
    x = L.Conv2D(8, 3, padding="same")(x)
    x = L.Add()([x, features])
    return keras.Model(features, L.ReLU()(x), name="residual_block")


def nested_model_twice() -> keras.Model:
    block = residual_block()
    image = keras.Input((16, 16, 3), name="image")
    x = L.Conv2D(8, 3, padding="same", name="stem")(image)
    x = block(x)
    x = block(x)  # the same weights again
    x = L.GlobalAveragePooling2D()(x)
    return keras.Model(image, L.Dense(10, activation="softmax")(x), name="nested_model_twice")


def dense_twice_chain() -> keras.Model:
    features = keras.Input((16,), name="features")
    shared = L.Dense(16, activation="relu", name="shared")
    x = shared(shared(features))
    return keras.Model(features, L.Dense(1, name="score")(x), name="dense_twice_chain")


def shared_with_later_model() -> keras.Model:
    image = keras.Input((32, 32, 3), name="image")
    stem = L.Conv2D(8, 3, padding="same", activation="relu", name="stem")
    x = L.GlobalAveragePooling2D()(stem(image))
    model = keras.Model(image, L.Dense(2, activation="softmax")(x), name="shared_with_later_model")
    # a second model on larger images reuses the stem after the first was built
    large = keras.Input((64, 64, 3), name="large_image")
    keras.Model(large, stem(large), name="large_feature_map")
    return model


def shared_with_earlier_model() -> keras.Model:
    image = keras.Input((28, 28, 1), name="image")
    enc1 = L.Conv2D(8, 3, strides=2, padding="same", activation="relu", name="enc_conv1")
    enc2 = L.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="enc_conv2")
    x = L.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(enc2(enc1(image)))
    x = L.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid")(x)
    keras.Model(image, x, name="pretraining_autoencoder")  # trained first, then set aside
    x = enc2(enc1(image))  # the encoder's second calls
    x = L.concatenate([L.GlobalAveragePooling2D()(x), L.GlobalMaxPooling2D()(x)])
    classes = L.Dense(10, activation="softmax", name="classes")(x)
    return keras.Model(image, classes, name="shared_with_earlier_model")


def shared_embedding_text() -> keras.Model:
    question1 = keras.Input((None,), dtype="int32", name="question1")
    question2 = keras.Input((None,), dtype="int32", name="question2")
    embedding = L.Embedding(1000, 16, name="word_embedding")
    encoder = L.LSTM(16, name="question_encoder")
    v1, v2 = encoder(embedding(question1)), encoder(embedding(question2))
    gap = ops.abs(L.Subtract()([v1, v2]))
    merged = L.concatenate([v1, v2, gap, L.Multiply()([v1, v2])])
    duplicate = L.Dense(1, activation="sigmoid", name="duplicate")(merged)
    return keras.Model([question1, question2], duplicate, name="shared_embedding_text")


def stem_with_two_outputs() -> keras.Model:
    image = keras.Input((28, 28, 1))
    feature_map = L.Conv2D(8, 3, strides=2, padding="same", activation="relu")(image)
    pooled = L.GlobalAveragePooling2D()(feature_map)
    return keras.Model(image, [feature_map, pooled], name="stem")


def nested_multi_output_twice() -> keras.Model:
    stem = stem_with_two_outputs()
    left = keras.Input((28, 28, 1), name="left")
    right = keras.Input((28, 28, 1), name="right")
    left_map, left_vector = stem(left)
    right_map, right_vector = stem(right)
    change = L.GlobalMaxPooling2D()(L.Subtract()([left_map, right_map]))
    merged = L.concatenate([left_vector, right_vector, change])
    changed = L.Dense(1, activation="sigmoid", name="changed")(merged)
    return keras.Model([left, right], changed, name="nested_multi_output_twice")


# --------------------------------------------------------------------------- several outputs


def seq2seq_lstm() -> keras.Model:
    encoder_inputs = keras.Input((None, 12), name="encoder_inputs")
    _, state_h, state_c = L.LSTM(32, return_state=True, name="encoder")(encoder_inputs)
    decoder_inputs = keras.Input((None, 14), name="decoder_inputs")
    decoder = L.LSTM(32, return_sequences=True, return_state=True, name="decoder")
    decoded, _, _ = decoder(decoder_inputs, initial_state=[state_h, state_c])
    tokens = L.Dense(14, activation="softmax", name="next_token")(decoded)
    return keras.Model([encoder_inputs, decoder_inputs], tokens, name="seq2seq_lstm")


def gru_state_attention() -> keras.Model:
    source = keras.Input((10, 6), name="source")
    target = keras.Input((7, 5), name="target")
    encoder = L.GRU(24, return_sequences=True, return_state=True, name="encoder")
    encoded, state = encoder(source)
    decoded = L.GRU(24, return_sequences=True, name="decoder")(target, initial_state=state)
    context = L.Attention(name="attention")([decoded, encoded])
    x = L.concatenate([decoded, context])
    tokens = L.Dense(5, activation="softmax", name="next_token")(x)
    return keras.Model([source, target], tokens, name="gru_state_attention")


def bidirectional_lstm_state() -> keras.Model:
    source = keras.Input((12, 8), name="source")
    encoder = L.Bidirectional(L.LSTM(16, return_state=True), name="encoder")
    _, forward_h, forward_c, backward_h, backward_c = encoder(source)
    state_h = L.Concatenate(name="state_h")([forward_h, backward_h])
    state_c = L.Concatenate(name="state_c")([forward_c, backward_c])
    target = keras.Input((9, 4), name="target")
    decoded = L.LSTM(32, return_sequences=True, name="decoder")(
        target, initial_state=[state_h, state_c]
    )
    tokens = L.Dense(4, activation="softmax", name="next_token")(decoded)
    return keras.Model([source, target], tokens, name="bidirectional_lstm_state")


def mha_scores() -> keras.Model:
    tokens = keras.Input((10,), dtype="int32", name="tokens")
    x = L.Embedding(50, 16)(tokens)
    attention = L.MultiHeadAttention(num_heads=2, key_dim=8, name="self_attention")
    attended, scores = attention(x, x, return_attention_scores=True)
    x = L.LayerNormalization()(x + attended)
    ffn = L.Dense(32, activation="relu")(x)
    ffn = L.Dense(16)(ffn)
    x = L.LayerNormalization()(L.Add()([x, ffn]))
    label = L.Dense(2, activation="softmax", name="label")(L.GlobalAveragePooling1D()(x))
    return keras.Model(tokens, [label, scores], name="mha_scores")


def conv_block(x: Any, filters: int) -> Any:
    x = L.Conv2D(filters, 3, padding="same", activation="relu")(x)
    return L.Conv2D(filters, 3, padding="same", activation="relu")(x)


def encoder_with_skips() -> keras.Model:
    image = keras.Input((64, 64, 3))
    skips, x = [], image
    for filters in (8, 16, 32):
        x = conv_block(x, filters)
        skips.append(x)
        x = L.MaxPooling2D(2)(x)
    return keras.Model(image, [*skips, conv_block(x, 64)], name="encoder")


def unet_backbone_skips() -> keras.Model:
    image = keras.Input((64, 64, 3), name="image")
    *skips, x = encoder_with_skips()(image)
    for skip, filters in zip(reversed(skips), (32, 16, 8), strict=True):
        x = L.Conv2DTranspose(filters, 2, strides=2, padding="same")(x)
        x = conv_block(L.concatenate([x, skip]), filters)
    mask = L.Conv2D(2, 1, activation="softmax", name="mask")(x)
    return keras.Model(image, mask, name="unet_backbone_skips")


def two_outputs() -> keras.Model:
    image = keras.Input((64, 64, 3), name="image")
    x = L.Conv2D(16, 3, strides=2, activation="relu")(image)
    x = L.Conv2D(32, 3, strides=2, activation="relu")(x)
    x = L.Dense(32, activation="relu")(L.GlobalAveragePooling2D()(x))
    label = L.Dense(5, activation="softmax", name="label")(x)
    box = L.Dense(4, activation="sigmoid", name="box")(x)
    return keras.Model(image, [label, box], name="two_outputs")


def dot_recommender() -> keras.Model:
    user = keras.Input((1,), dtype="int32", name="user")
    item = keras.Input((1,), dtype="int32", name="item")
    user_vector = L.Flatten()(L.Embedding(100, 16, name="user_embedding")(user))
    item_vector = L.Flatten()(L.Embedding(200, 16, name="item_embedding")(item))
    affinity = L.Dot(axes=1, name="affinity")([user_vector, item_vector])
    user_bias = L.Flatten()(L.Embedding(100, 1, name="user_bias")(user))
    x = L.Add()([affinity, user_bias])
    rating = L.Activation("sigmoid", name="rating")(x)
    return keras.Model([user, item], rating, name="dot_recommender")


def tensor_expressions() -> keras.Model:
    features = keras.Input((6, 4), name="features")
    offset = keras.Input((6, 4), name="offset")
    x = L.Dense(4)(features)
    first_channel = x[..., 0]
    energy = (ops.square(x) + x**2) * 0.5
    shifted = energy + offset
    return keras.Model([features, offset], [first_channel, shifted], name="tensor_expressions")


# --------------------------------------------------------------------------- None sizes


def unet_none_size() -> keras.Model:
    image = keras.Input((None, None, 3), name="image")
    skips, x = [], image
    for filters in (8, 16, 32):
        x = conv_block(x, filters)
        skips.append(x)
        x = L.MaxPooling2D(2)(x)
    x = conv_block(x, 64)
    for skip, filters in zip(reversed(skips), (32, 16, 8), strict=True):
        x = L.Conv2DTranspose(filters, 2, strides=2, padding="same")(x)
        x = conv_block(L.concatenate([x, skip]), filters)
    mask = L.Conv2D(1, 1, activation="sigmoid", name="mask")(x)
    return keras.Model(image, mask, name="unet_none_size")


def autoencoder_none_size() -> keras.Model:
    image = keras.Input((None, None, 1), name="image")
    x = L.Conv2D(16, 3, padding="same", activation="relu")(image)
    x = L.MaxPooling2D(2, padding="same")(x)
    x = L.Conv2D(8, 3, padding="same", activation="relu")(x)
    code = L.MaxPooling2D(2, padding="same", name="code")(x)
    x = L.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(code)
    x = L.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu")(x)
    decoded = L.Conv2D(1, 3, padding="same", activation="sigmoid", name="decoded")(x)
    return keras.Model(image, decoded, name="autoencoder_none_size")


def sequence_none_length() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((None, 8)),
            L.Conv1D(16, 5, padding="causal", activation="relu"),
            L.MaxPooling1D(2),
            L.GRU(16, return_sequences=True),
            L.Conv1D(4, 1),
        ],
        name="sequence_none_length",
    )


def text_line_none_width() -> keras.Model:
    line = keras.Input((32, None, 1), name="line")  # fixed height, any width
    x = L.Conv2D(16, 3, padding="same", activation="relu")(line)
    x = L.MaxPooling2D(2)(x)
    x = L.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = L.MaxPooling2D(2)(x)
    x = L.Permute((2, 1, 3))(x)  # width first: one time step per column
    x = L.Reshape((-1, 8 * 32))(x)
    x = L.Bidirectional(L.GRU(16, return_sequences=True))(x)
    characters = L.Dense(20, activation="softmax", name="characters")(x)
    return keras.Model(line, characters, name="text_line_none_width")


def unused_inputs() -> keras.Model:
    features = keras.Input((8,), name="features")
    metadata = keras.Input((8,), name="metadata")
    mask = keras.Input((4,), name="mask")
    embed = L.Dense(4, name="embed")
    logits = L.Dense(2, name="logits")(embed(features))
    return keras.Model([features, metadata, mask], [embed(features), logits], name="unused_inputs")


MODELS: dict[str, Recorded] = {
    "siamese_sequential_tower": Recorded(
        "a Siamese pair: one Sequential convolutional tower applied to two images, the embeddings"
        " subtracted and scored by a Dense layer",
        siamese_sequential_tower,
        saved=True,
    ),
    "siamese_functional_tower": Recorded(
        "a Siamese pair: one Functional embedding network applied to two images, their Euclidean"
        " distance written with keras.ops",
        siamese_functional_tower,
    ),
    "siamese_shared_layers": Recorded(
        "a Siamese pair built from individual shared Conv2D, pooling and Dense layers, compared"
        " by cosine similarity (Dot with normalize=True)",
        siamese_shared_layers,
        saved=True,
    ),
    "shared_head_three_branches": Recorded(
        "three inputs of different widths, each with its own Dense layer, then one shared Dense"
        " head applied to all three and concatenated",
        shared_head_three_branches,
    ),
    "conv_two_scales": Recorded(
        "one Conv2D applied to a 32x32 image and then to its 16x16 average-pooled copy",
        conv_two_scales,
    ),
    "conv_two_scales_small_first": Recorded(
        "one Conv2D applied to a 16x16 average-pooled copy of an image and then to the 32x32"
        " image itself",
        lambda: conv_two_scales(small_first=True),
    ),
    "wgan_gp_critic": Recorded(
        "a WGAN-GP critic (a nested Functional model) scoring real, fake and interpolated images,"
        " the interpolation written as tensor arithmetic",
        wgan_gp_critic,
    ),
    "cyclegan_training_graph": Recorded(
        "a CycleGAN training graph: two generators, each called twice (translate and cycle"
        " back), and two discriminators",
        cyclegan_training_graph,
    ),
    "nested_model_twice": Recorded(
        "a residual block (a nested Functional model) applied twice in a row with the same weights",
        nested_model_twice,
        saved=True,
    ),
    "dense_twice_chain": Recorded(
        "one Dense(16) layer applied twice in sequence to a 16-feature input",
        dense_twice_chain,
        saved=True,
    ),
    "shared_with_later_model": Recorded(
        "a classifier whose first Conv2D is later reused by a second model on 64x64 images, so"
        " Keras's summary of the classifier shows that later call's shape",
        shared_with_later_model,
    ),
    "shared_with_earlier_model": Recorded(
        "a classifier reusing the encoder layers of an autoencoder built before it, so the"
        " encoder layers' calls in the classifier are their second ones",
        shared_with_earlier_model,
    ),
    "shared_embedding_text": Recorded(
        "a question-pair model: one Embedding and one LSTM shared by two variable-length"
        " questions, compared by difference and product",
        shared_embedding_text,
    ),
    "nested_multi_output_twice": Recorded(
        "a nested model with two outputs (a feature map and its pooled vector) applied to two"
        " images",
        nested_multi_output_twice,
    ),
    "seq2seq_lstm": Recorded(
        "a sequence-to-sequence LSTM: the encoder's return_state states start the decoder"
        " through initial_state",
        seq2seq_lstm,
        saved=True,
    ),
    "gru_state_attention": Recorded(
        "a GRU encoder returning its sequence and state; the state starts a GRU decoder that"
        " attends over the encoder's sequence",
        gru_state_attention,
    ),
    "bidirectional_lstm_state": Recorded(
        "a Bidirectional LSTM with return_state (five outputs) whose concatenated states start"
        " a decoder LSTM",
        bidirectional_lstm_state,
    ),
    "mha_scores": Recorded(
        "a small Transformer classifier whose MultiHeadAttention also returns its attention"
        " scores, an output of the model",
        mha_scores,
    ),
    "unet_backbone_skips": Recorded(
        "a U-Net whose encoder is a nested Functional model returning its three skip tensors and"
        " the bottleneck",
        unet_backbone_skips,
    ),
    "two_outputs": Recorded(
        "an image model with two heads: class probabilities and a bounding box",
        two_outputs,
        saved=True,
    ),
    "dot_recommender": Recorded(
        "a recommender: user and item embeddings joined by a Dot layer, plus a user bias",
        dot_recommender,
        saved=True,
    ),
    "tensor_expressions": Recorded(
        "tensor expressions that Keras records as operation rows: x[..., 0], keras.ops.square,"
        " x ** 2, x + y and x * 0.5",
        tensor_expressions,
    ),
    "unet_none_size": Recorded(
        "a fully convolutional U-Net of depth 3 on images of any size (MaxPooling2D down,"
        " Conv2DTranspose up, concatenated skips)",
        unet_none_size,
    ),
    "autoencoder_none_size": Recorded(
        "a convolutional autoencoder on grayscale images of any size",
        autoencoder_none_size,
        saved=True,
    ),
    "sequence_none_length": Recorded(
        "a Sequential model on sequences of any length with 8 features (Conv1D, GRU)",
        sequence_none_length,
        saved=True,
        weights=True,
    ),
    "text_line_none_width": Recorded(
        "a text-line recognizer on images 32 pixels high and of any width (convolutions, then a"
        " bidirectional GRU over the columns)",
        text_line_none_width,
    ),
    "unused_inputs": Recorded(
        "a classifier that declares two more inputs than its outputs use (kept for a later"
        " version), with one Dense called twice",
        unused_inputs,
        saved=True,
    ),
}


# --------------------------------------------------------------------------- refused


def refused_dense_wider_second_call() -> None:
    dense = L.Dense(4, name="projection")
    dense(keras.Input((8,), name="narrow"))
    dense(keras.Input((16,), name="wide"))


def refused_conv_more_channels_second_call() -> None:
    conv = L.Conv2D(8, 3, padding="same", name="shared_conv")
    conv(keras.Input((32, 32, 3), name="rgb"))
    conv(keras.Input((32, 32, 5), name="multispectral"))


def refused_tower_smaller_images() -> None:
    tower = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            L.Conv2D(8, 3, activation="relu"),
            L.Flatten(),
            L.Dense(16),
        ],
        name="tower",
    )
    tower(keras.Input((32, 32, 3), name="full"))
    tower(keras.Input((16, 16, 3), name="thumbnail"))


def refused_concatenate_two_scales() -> None:
    image = keras.Input((32, 32, 3), name="image")
    conv = L.Conv2D(8, 3, padding="same", name="shared_conv")
    half = L.AveragePooling2D(2, name="half")(image)
    L.concatenate([conv(image), conv(half)])


def refused_shared_head_after_flatten() -> None:
    image = keras.Input((32, 32, 3), name="image")
    conv = L.Conv2D(4, 3, padding="same", name="shared_conv")
    head = L.Dense(10, name="shared_head")  # built on 32 * 32 * 4 features
    head(L.Flatten()(conv(image)))
    head(L.Flatten()(conv(L.AveragePooling2D(2, name="half")(image))))


REFUSED: dict[str, Refused] = {
    "refused_dense_wider_second_call": Refused(
        "a Dense(4) built on 8 features, then called on 16 features",
        refused_dense_wider_second_call,
    ),
    "refused_conv_more_channels_second_call": Refused(
        "a Conv2D built on 3 channels, then called on 5 channels",
        refused_conv_more_channels_second_call,
    ),
    "refused_tower_smaller_images": Refused(
        "a Sequential tower ending in Flatten and Dense, built on 32x32 images, then called on"
        " 16x16 images",
        refused_tower_smaller_images,
    ),
    "refused_concatenate_two_scales": Refused(
        "one Conv2D applied at 32x32 and at 16x16, its two outputs then concatenated",
        refused_concatenate_two_scales,
    ),
    "refused_shared_head_after_flatten": Refused(
        "a Conv2D and a Dense head shared at 32x32 and 16x16 with a Flatten between them: the"
        " head, built on 4096 features, gets 1024",
        refused_shared_head_after_flatten,
    ),
}


# --------------------------------------------------------------------------- recording


def graph_of(model: keras.Model) -> Any:
    """The Functional graph whose nodes the summary counts (a Sequential model keeps one)."""
    return model._functional if isinstance(model, keras.Sequential) else model


def summary_operations(model: keras.Model) -> list[Any]:
    """The layers and operations in the summary's rows, in its order."""
    return model.layers if isinstance(model, keras.Sequential) else model._operations


def plain_shape(operation: Any) -> str:
    """The Output Shape cell, as Keras renders its markup (highlighted numbers)."""
    return rich.text.Text.from_markup(format_layer_shape(operation)).plain


def tensor_ref(tensor: Any) -> list[Any]:
    history = tensor._keras_history
    return [history.operation.name, history.node_index, history.tensor_index]


def summary_row(operation: Any, nodes: list[Any], layers: list[Any]) -> dict[str, Any]:
    # As summary_utils does: Connected to lists the calls whose node is in this model's graph;
    # Output Shape (format_layer_shape) takes the last node of all, wherever it was made.
    calls = [
        {
            "inputs": [tensor_ref(t) for t in node.input_tensors],
            "outputs": [list(t.shape) for t in node.output_tensors],
        }
        for node in operation._inbound_nodes
        if any(node is own for own in nodes)
    ]
    refs = [ref for call in calls for ref in call["inputs"]]
    return {
        "name": operation.name,
        "type": type(operation).__name__,
        "in_model_layers": any(operation is layer for layer in layers),
        "shape": plain_shape(operation),
        "connected_to": ", ".join(f"{n}[{i}][{t}]" for n, i, t in refs) or "-",
        "trainable": count(getattr(operation, "trainable_weights", [])),
        "non_trainable": count(getattr(operation, "non_trainable_weights", [])),
        "calls": calls,
    }


def expected(model: keras.Model, about: str, summary: str) -> dict[str, Any]:
    nodes = [node for depth in graph_of(model)._nodes_by_depth.values() for node in depth]
    trainable, frozen = count(model.trainable_weights), count(model.non_trainable_weights)
    rows = [summary_row(op, nodes, model.layers) for op in summary_operations(model)]
    return {
        "keras_version": keras.__version__,
        "name": model.name,
        "about": about,
        "sequential": isinstance(model, keras.Sequential),
        "totals": {
            "total_params": trainable + frozen,
            "trainable_params": trainable,
            "non_trainable_params": frozen,
        },
        "connected_to_column": "Connected to" in summary,
        "summary_layers": rows,
    }


def renumbered(match: re.Match[bytes], numbers: dict[bytes, int]) -> bytes:
    number = numbers.setdefault(match[1], len(numbers) + 1)
    return b'"shared_object_id": %d' % number


def pinned(entry: str, data: bytes) -> bytes:
    if entry == "metadata.json":
        return DATE_SAVED.sub(b'"date_saved": "1980-01-01@00:00:00"', data)
    if entry == "config.json":
        numbers: dict[bytes, int] = {}
        return SHARED_OBJECT_ID.sub(lambda match: renumbered(match, numbers), data)
    return data


def pin_archive(path: Path) -> None:
    """Make a .keras archive the same on every run: Keras stamps it with the time of saving and
    marks objects it writes twice with their Python id(), both different on every run."""
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=ARCHIVE_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            archive.writestr(fixed, pinned(info.filename, data))


def save_files(name: str, model: keras.Model, entry: Recorded) -> list[str]:
    files = []
    if entry.saved:
        model.save(OUT / f"{name}.keras")
        pin_archive(OUT / f"{name}.keras")
        model.save(OUT / f"{name}.h5")
        files += [f"{name}.keras", f"{name}.h5"]
    if entry.weights:
        model.save_weights(OUT / f"{name}.weights.h5")
        files.append(f"{name}.weights.h5")
    return files


def record(name: str, entry: Recorded) -> bool:
    """Write one model's files; whether its reloaded summary differs from the built one's."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(SEED)
    model = entry.build()
    text = model.to_json(indent=1)
    summary = summary_text(model)
    reloaded = summary_text(keras.models.model_from_json(text))
    (OUT / f"{name}.json").write_text(text + "\n")
    (OUT / f"{name}.summary.txt").write_text(summary)
    if reloaded != summary:
        (OUT / f"{name}.reloaded.summary.txt").write_text(reloaded)
    document = expected(model, entry.about, summary)
    document["reloaded_summary_differs"] = reloaded != summary
    document["files"] = save_files(name, model, entry)
    (OUT / f"{name}.expected.json").write_text(json.dumps(document, indent=1) + "\n")
    return reloaded != summary


def record_refusal(name: str, entry: Refused) -> None:
    keras.backend.clear_session()
    keras.utils.set_random_seed(SEED)
    try:
        entry.build()
    except Exception as exc:  # the refusal is the record
        error = f"{type(exc).__name__}: {ANSI.sub('', str(exc))[:300]}"
    else:
        raise SystemExit(f"{name}: Keras accepted the model it was expected to refuse")
    document = {"keras_version": keras.__version__, "name": name, "about": entry.about}
    document |= {"refused": True, "error": error}
    (OUT / f"{name}.expected.json").write_text(json.dumps(document, indent=1) + "\n")


def check_reloads() -> int:
    """Load every file Keras wrote back into Keras; stop at the first that does not load."""
    loaded = 0
    for path in sorted(OUT.iterdir()):
        keras.backend.clear_session()
        if path.name.endswith(".weights.h5"):
            model_json = OUT / path.name.replace(".weights.h5", ".json")
            model = keras.models.model_from_json(model_json.read_text())
            model.load_weights(path)
        elif path.suffix in (".keras", ".h5"):
            keras.models.load_model(path)
        elif path.suffix == ".json" and not path.name.endswith(".expected.json"):
            keras.models.model_from_json(path.read_text())
        else:
            continue
        loaded += 1
    return loaded


def main() -> None:
    detached_from_terminal()
    logging.getLogger("absl").setLevel(logging.ERROR)  # Keras's advice on each .h5 saved and loaded
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in OUT.iterdir():  # the directory holds only what this script writes
        stale.unlink()
    differing = [name for name, entry in MODELS.items() if record(name, entry)]
    for name, entry in REFUSED.items():
        record_refusal(name, entry)
    loaded = check_reloads()
    size = sum(path.stat().st_size for path in OUT.iterdir())
    print(
        f"Keras {keras.__version__}: {len(MODELS)} models, {len(REFUSED)} refused, {loaded} files"
        f" reloaded, {size:,} bytes in {OUT}; reloaded summary differs: {', '.join(differing)}"
    )


if __name__ == "__main__":
    main()
