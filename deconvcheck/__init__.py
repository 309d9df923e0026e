"""deconvcheck: Keras-exact shapes and parameter counts for encoder-decoder stacks, no framework.

    >>> import deconvcheck
    >>> print(deconvcheck.summary("unet.yaml"))          # doctest: +SKIP
    >>> deconvcheck.check("unet.yaml", input_shape=(100, 100, 8))  # doctest: +SKIP

`summary` and `check` (deconvcheck/api.py) are loaded when first used: the command line, which
imports this package, does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Finding", "ReadError", "Summary", "__version__", "check", "summary"]

if TYPE_CHECKING:
    from deconvcheck.api import Finding, ReadError, Summary, check, summary


def __getattr__(name: str) -> Any:
    if name in ("Finding", "ReadError", "Summary", "check", "summary"):
        from deconvcheck import api  # noqa: PLC0415 - the command line never needs it

        return getattr(api, name)
    raise AttributeError(f"module 'deconvcheck' has no attribute {name!r}")
