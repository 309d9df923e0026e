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


def vgg16_decoder(name: str = "vgg-16_decoder") -> keras.Model:
    """Seed 000's answer. The answer's own code names this model "vgg-16_encoder" (a copy-paste
    slip, also visible in its printed summary); pass that name to reproduce it exactly."""
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
    return keras.Model(inputs=inputs, outputs=x, name=name)


def dilated_decoder() -> keras.Model:  # seed 000, the first attempt
    inputs = L.Input((7, 7, 512), name="input")
    conv1 = L.Conv2DTranspose(512, (2, 2), dilation_rate=2, name="conv1")(inputs)
    return keras.Model(inputs=inputs, outputs=conv1, name="vgg-16_decoder")


def encoder_decoder_conv() -> keras.Model:  # seed 000, answer's model1
    ip = L.Input((224, 224, 3))
    conv = L.Conv2D(512, (3, 3))(ip)  # the default padding ("valid")
    inv_conv = L.Conv2DTranspose(3, (3, 3))(conv)
    return keras.Model(ip, inv_conv)


def encoder_decoder_pooling() -> keras.Model:  # seed 000, answer's model2
    ip = L.Input((224, 224, 3))
    pool = L.MaxPool2D((2, 2))(ip)  # the default padding ("valid")
    inv_pool = L.UpSampling2D((2, 2))(pool)
    return keras.Model(ip, inv_pool)


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


def unet_model(
    n_classes: int = 5,
    im_sz: int = 160,
    n_channels: int = 8,
    n_filters_start: int = 32,
    growth_factor: int = 2,
    upconv: bool = True,
) -> keras.Model:
    """Seed 003's unet_model as written (the upconv choice in a helper; no compile, no loss).

    Written out rather than in a loop on purpose: Keras numbers its default names (conv2d,
    conv2d_1, ...) in the order the layers are *constructed*, and `conv(n)(conv(n)(x))`
    would construct the outer (second) layer first.
    """
    droprate = 0.25
    n_filters = n_filters_start
    inputs = L.Input((im_sz, im_sz, n_channels))
    conv1 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(inputs)
    conv1 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(conv1)
    pool1 = L.MaxPooling2D(pool_size=(2, 2))(conv1)

    n_filters *= growth_factor
    pool1 = L.BatchNormalization()(pool1)
    conv2 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(pool1)
    conv2 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(conv2)
    pool2 = L.MaxPooling2D(pool_size=(2, 2))(conv2)
    pool2 = L.Dropout(droprate)(pool2)

    n_filters *= growth_factor
    pool2 = L.BatchNormalization()(pool2)
    conv3 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(pool2)
    conv3 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(conv3)
    pool3 = L.MaxPooling2D(pool_size=(2, 2))(conv3)
    pool3 = L.Dropout(droprate)(pool3)

    n_filters *= growth_factor
    pool3 = L.BatchNormalization()(pool3)
    conv4_0 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(pool3)
    conv4_0 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(conv4_0)
    pool4_1 = L.MaxPooling2D(pool_size=(2, 2))(conv4_0)
    pool4_1 = L.Dropout(droprate)(pool4_1)

    n_filters *= growth_factor
    pool4_1 = L.BatchNormalization()(pool4_1)
    conv4_1 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(pool4_1)
    conv4_1 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(conv4_1)
    pool4_2 = L.MaxPooling2D(pool_size=(2, 2))(conv4_1)
    pool4_2 = L.Dropout(droprate)(pool4_2)

    n_filters *= growth_factor
    conv5 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(pool4_2)
    conv5 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(conv5)

    def up(n: int, x: keras.KerasTensor, skip: keras.KerasTensor) -> keras.KerasTensor:
        if upconv:
            return L.concatenate(
                [L.Conv2DTranspose(n, (2, 2), strides=(2, 2), padding="same")(x), skip]
            )
        return L.concatenate([L.UpSampling2D(size=(2, 2))(x), skip])

    n_filters //= growth_factor
    up6_1 = up(n_filters, conv5, conv4_1)
    up6_1 = L.BatchNormalization()(up6_1)
    conv6_1 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(up6_1)
    conv6_1 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(conv6_1)
    conv6_1 = L.Dropout(droprate)(conv6_1)

    n_filters //= growth_factor
    up6_2 = up(n_filters, conv6_1, conv4_0)
    up6_2 = L.BatchNormalization()(up6_2)
    conv6_2 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(up6_2)
    conv6_2 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(conv6_2)
    conv6_2 = L.Dropout(droprate)(conv6_2)

    n_filters //= growth_factor
    up7 = up(n_filters, conv6_2, conv3)
    up7 = L.BatchNormalization()(up7)
    conv7 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(up7)
    conv7 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(conv7)
    conv7 = L.Dropout(droprate)(conv7)

    n_filters //= growth_factor
    up8 = up(n_filters, conv7, conv2)
    up8 = L.BatchNormalization()(up8)
    conv8 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(up8)
    conv8 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(conv8)
    conv8 = L.Dropout(droprate)(conv8)

    n_filters //= growth_factor
    up9 = up(n_filters, conv8, conv1)
    conv9 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(up9)
    conv9 = L.Conv2D(n_filters, (3, 3), activation="relu", padding="same")(conv9)

    conv10 = L.Conv2D(n_classes, (1, 1), activation="sigmoid")(conv9)

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
