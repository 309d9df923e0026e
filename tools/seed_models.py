"""The source documents' models in Keras code, shared by the recording scripts in tools/.

Each is written as the seed wrote it (names included), so that Keras's default names and
summaries are the ones the seed's readers saw.
"""

from __future__ import annotations

import keras
from keras import layers as L


def vgg16_encoder() -> keras.Model:  # seed 000, question
    inputs = L.Input((224, 224, 3), name="input")
    x = inputs
    for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
        for i in range(1, convs + 1):
            x = L.Conv2D(
                filters, (3, 3), activation="relu", padding="same", name=f"conv{block}_{i}"
            )(x)
        x = L.MaxPooling2D(pool_size=(2, 2), strides=(2, 2), name=f"pool_{block}")(x)
    return keras.Model(inputs=inputs, outputs=x, name="vgg-16_encoder")


def vgg16_decoder() -> keras.Model:  # seed 000, answer
    inputs = L.Input((7, 7, 512), name="input")
    x = inputs
    for block, (filters, convs) in enumerate([(512, 3), (512, 3), (256, 3), (128, 2), (64, 2)]):
        level = 5 - block
        x = L.UpSampling2D((2, 2), name=f"pool_{level}")(x)
        for i in range(convs, 0, -1):
            out = 3 if (level, i) == (1, 1) else filters
            x = L.Conv2DTranspose(
                out, (3, 3), activation="relu", padding="same", name=f"conv{level}_{i}"
            )(x)
    return keras.Model(inputs=inputs, outputs=x, name="vgg-16_decoder")


def dilated_decoder() -> keras.Model:  # seed 000, the first attempt
    inputs = L.Input((7, 7, 512), name="input")
    conv1 = L.Conv2DTranspose(512, (2, 2), dilation_rate=2, name="conv1")(inputs)
    return keras.Model(inputs=inputs, outputs=conv1, name="vgg-16_decoder")


def encoder_decoder_conv() -> keras.Model:  # seed 000, answer's model1
    ip = L.Input((224, 224, 3))
    return keras.Model(ip, L.Conv2DTranspose(3, (3, 3))(L.Conv2D(512, (3, 3))(ip)))


def seed_layers() -> keras.Model:  # seed 002's net(); Keras 3 has no Deconvolution2D alias
    x_in = L.Input((128, 128, 3))
    conv1 = L.Conv2D(64, (3, 3), padding="same", kernel_initializer="he_normal", name="con1")(x_in)
    conv1 = L.BatchNormalization()(conv1)
    conv1 = L.Activation("relu")(conv1)
    pool1 = L.MaxPooling2D((2, 2), name="pool1")(conv1)
    up1 = L.UpSampling2D(size=(2, 2), name="up1")(pool1)
    merge1 = L.concatenate([conv1, up1], name="mer1", axis=-1)
    deconv1 = L.Conv2DTranspose(
        64, (3, 3), padding="same", kernel_initializer="he_normal", name="deconv1"
    )(merge1)
    score1 = L.Conv2DTranspose(21, (3, 3), padding="same", name="score1")(deconv1)
    merge2 = L.concatenate([deconv1, score1], name="mer2", axis=-1)
    return keras.Model(inputs=x_in, outputs=merge2)


def unet(im_sz: int = 160, upconv: bool = True) -> keras.Model:  # seed 003, as written
    n_classes, n_channels, n_filters, growth, droprate = 5, 8, 32, 2, 0.25
    conv = lambda n: L.Conv2D(n, (3, 3), activation="relu", padding="same")  # noqa: E731
    inputs = L.Input((im_sz, im_sz, n_channels))
    conv1 = conv(n_filters)(conv(n_filters)(inputs))
    pool1 = L.MaxPooling2D(pool_size=(2, 2))(conv1)
    n_filters *= growth
    pool1 = L.BatchNormalization()(pool1)
    conv2 = conv(n_filters)(conv(n_filters)(pool1))
    pool2 = L.Dropout(droprate)(L.MaxPooling2D(pool_size=(2, 2))(conv2))
    n_filters *= growth
    pool2 = L.BatchNormalization()(pool2)
    conv3 = conv(n_filters)(conv(n_filters)(pool2))
    pool3 = L.Dropout(droprate)(L.MaxPooling2D(pool_size=(2, 2))(conv3))
    n_filters *= growth
    pool3 = L.BatchNormalization()(pool3)
    conv4_0 = conv(n_filters)(conv(n_filters)(pool3))
    pool4_1 = L.Dropout(droprate)(L.MaxPooling2D(pool_size=(2, 2))(conv4_0))
    n_filters *= growth
    pool4_1 = L.BatchNormalization()(pool4_1)
    conv4_1 = conv(n_filters)(conv(n_filters)(pool4_1))
    pool4_2 = L.Dropout(droprate)(L.MaxPooling2D(pool_size=(2, 2))(conv4_1))
    n_filters *= growth
    x = conv(n_filters)(conv(n_filters)(pool4_2))
    for skip, norm in (
        (conv4_1, True),
        (conv4_0, True),
        (conv3, True),
        (conv2, True),
        (conv1, False),
    ):
        n_filters //= growth
        up = (
            L.Conv2DTranspose(n_filters, (2, 2), strides=(2, 2), padding="same")(x)
            if upconv
            else L.UpSampling2D(size=(2, 2))(x)
        )
        x = L.concatenate([up, skip])
        if norm:
            x = L.BatchNormalization()(x)
        x = conv(n_filters)(conv(n_filters)(x))
        if norm:
            x = L.Dropout(droprate)(x)
    conv10 = L.Conv2D(n_classes, (1, 1), activation="sigmoid")(x)
    return keras.Model(inputs=inputs, outputs=conv10)


def conv3d_roundtrip(
    output_padding: tuple[int, int, int] | None = (1, 0, 0),
) -> keras.Model:  # seed 001
    x3 = L.Input((2, 7, 7, 512), name="x3")
    y2 = L.Conv3D(512, 3, padding="same", name="y2")(x3)
    pool = L.MaxPooling3D(pool_size=2, strides=2, padding="same", name="pool")(y2)
    y3 = L.Conv3DTranspose(
        512, 3, strides=2, padding="same", output_padding=output_padding, name="y3"
    )(pool)
    return keras.Model(x3, y3, name="conv3d_roundtrip")
