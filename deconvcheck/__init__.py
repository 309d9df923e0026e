"""deconvcheck: Keras-exact shapes and parameter counts for encoder-decoder stacks, no framework."""

__version__ = "0.1.0"
