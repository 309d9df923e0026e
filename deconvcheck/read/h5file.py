"""The model in a legacy Keras HDF5 file: what `model.save("model.h5")` writes in Keras 3, and what
Keras 2 and tf.keras wrote.

Keras keeps the architecture in the file's root attribute `model_config`, the JSON document
`model.to_json()` gives (a str, or UTF-8 bytes in older versions); the loader reads it as it reads
a `.json` model. Nothing else is read: the weights, which make these files large, stay on disk.
h5py is an optional dependency (`pip install 'deconvcheck[h5]'`), imported only here, and this
module only when a file starts with the HDF5 signature.
"""

from __future__ import annotations

from typing import IO, Any

from deconvcheck.diagnostics import Code, Diagnostic, make
from deconvcheck.read.spec import ReadFailure
from deconvcheck.read.tree import LoadError, NotAModel

EXTRA = "pip install 'deconvcheck[h5]'"
KEY = "model_config"
# What h5py raises for a file it cannot make sense of: OSError for a truncated or corrupt file,
# the others for attributes of types it cannot read.
_H5PY_ERRORS = (OSError, KeyError, RuntimeError, TypeError, ValueError)


def model_config(file: IO[bytes], path: str, limit: int) -> bytes:
    """The `model_config` JSON of the HDF5 file open in `file`, as UTF-8 bytes.

    Raises ReadFailure when h5py is not installed, NotAModel when the file has no model_config,
    and LoadError when the file is broken or the attribute is not JSON text of at most `limit`
    bytes. For example, the file `model.save("unet.h5")` wrote gives
    b'{"class_name": "Functional", "config": {"name": "unet", ...'.
    """
    try:
        import h5py  # noqa: PLC0415 - optional, and slow to import (numpy)
    except ImportError:
        message = (
            f"reading an HDF5 file (a Keras .h5 model) needs h5py, which is not installed: {EXTRA}"
        )
        raise ReadFailure(make(Code.FILE_UNREADABLE, message).at(path)) from None
    file.seek(0)
    try:
        with h5py.File(file, "r") as h5:
            value = h5.attrs.get(KEY)
            weights = value is None and _holds_weights(h5)
    except _H5PY_ERRORS as exc:
        raise LoadError(
            make(
                Code.WRONG_STRUCTURE,
                f"a broken HDF5 file: {exc}",
                hint="the file is cut short or damaged (a partial copy or download?): "
                "save or copy it again",
            )
        ) from None
    if value is None:
        raise NotAModel(_no_model(weights))
    return _json_bytes(value, limit)


def _holds_weights(h5: Any) -> bool:
    """Whether a file without a model holds Keras weights: `save_weights` of Keras 3 (its `vars`
    group) or of Keras 2 (the `layer_names` attribute), or a model's `model_weights` group."""
    return "layer_names" in h5.attrs or any(key in h5 for key in ("vars", "model_weights"))


def _no_model(weights: bool) -> Diagnostic:
    if weights:
        return make(
            Code.WRONG_STRUCTURE,
            f"a weights-only HDF5 file (what save_weights writes): it holds no model "
            f"architecture (no {KEY} attribute)",
            hint="save the whole model: model.save('model.keras') or model.save('model.h5'); "
            "or model.to_json() for the architecture alone",
        )
    return make(
        Code.WRONG_STRUCTURE,
        f"an HDF5 file without a Keras model: it has no {KEY} attribute",
        hint="give the file model.save('model.h5') writes, or model.to_json()",
    )


def _json_bytes(value: object, limit: int) -> bytes:
    """The attribute's text as UTF-8 bytes, refused unless it is a JSON object."""
    if isinstance(value, str):
        try:
            data = value.encode("utf-8", "surrogateescape")  # escaped bytes as they were
        except UnicodeEncodeError:
            raise LoadError(make(Code.NOT_UTF8, f"the {KEY} attribute is not UTF-8 text")) from None
    elif isinstance(value, bytes):  # Keras 2 with h5py 2 stored bytes (numpy.bytes_ here)
        data = bytes(value)
    else:
        found = getattr(value, "dtype", type(value).__name__)  # h5py gives numpy values
        raise LoadError(
            make(Code.WRONG_STRUCTURE, f"the {KEY} attribute is not text: it holds {found} data")
        )
    if len(data) > limit:
        message = f"the {KEY} attribute is {len(data):,} bytes, over the limit of {limit:,}"
        raise LoadError(make(Code.INPUT_TOO_LARGE, message))
    if not data.lstrip().startswith(b"{"):
        start = data.lstrip()[:20].decode("utf-8", "replace")
        found = f"it starts with {start!r}" if start else "it is empty"
        raise LoadError(
            make(
                Code.JSON_SYNTAX,
                f"the {KEY} attribute is not a JSON object: {found}",
                hint="save the model again with Keras's model.save('model.h5')",
            )
        )
    return data
