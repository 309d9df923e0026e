# A model whose block is a Layer subclass of the file's own: the reader does not follow it.
# expect: DC501 at 19:5
# expect-message: the class 'Block'
import keras
from keras import layers


class Block(layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.conv = layers.Conv2D(filters, 3, padding="same", activation="relu")

    def call(self, x):
        return self.conv(x)


inputs = keras.Input(shape=(32, 32, 3))
x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
x = Block(16)(x)
outputs = layers.Conv2D(1, 1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
