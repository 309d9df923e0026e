"""Writing an output file (`-o` of convert, export and draw) so that no file is ever lost.

The text goes into a temporary file beside the target, which is renamed over it (`os.replace`)
only once all of it is written and synced: a full disk, a file-size limit, a read-only folder or
an interrupted run leave the old file as it was and no temporary file behind. The target may
not be a file the command read (the input, a nested model), compared by device and inode, so a
hard link or a symbolic link to it is refused too. A target that exists and is not a regular
file (`/dev/null`, `/dev/stdout`, a FIFO) is written through, never replaced.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Collection

FileKey = tuple[int, int]  # (st_dev, st_ino), as deconvcheck.read.loader keys the files it read


class WriteError(Exception):
    """The output was not written; the message says why (the old file, if any, is unchanged)."""


def write_file(target: str, data: bytes, protected: Collection[FileKey] = ()) -> None:
    """Put `data` in the file `target`, whole or not at all.

    >>> write_file("unet.svg", b"<svg ...>", protected={(2049, 1234)})   # doctest: +SKIP
    """
    if not target:
        raise WriteError("no file name given to write to (-o '')")
    try:
        info: os.stat_result | None = os.stat(target)  # through a symbolic link
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise WriteError(f"cannot write {target}: {exc.strerror or exc}") from None
    if info is not None and (info.st_dev, info.st_ino) in protected:
        raise WriteError(
            f"refusing to overwrite {target}: it is a file this command reads (the input, or "
            "a model it uses), or a link to one"
        )
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise WriteError(f"cannot write {target}: it is a directory")
    try:
        if info is not None and not stat.S_ISREG(info.st_mode):
            _write_through(target, data)
        else:
            _replace(target, data, info)
    except OSError as exc:
        kept = "; the old file is unchanged" if info and stat.S_ISREG(info.st_mode) else ""
        raise WriteError(f"cannot write {target}: {exc.strerror or exc}{kept}") from None


def _write_through(target: str, data: bytes) -> None:
    """A device or a pipe: opened without waiting for a reader (a FIFO nobody reads is an
    error, not a hang), then written in full."""
    flags = os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(target, flags)
    try:
        os.set_blocking(descriptor, True)
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def _replace(target: str, data: bytes, old: os.stat_result | None) -> None:
    import tempfile  # noqa: PLC0415 - only when a file is written

    real = os.path.realpath(target)  # a symbolic link is kept: the file it names is replaced
    folder, name = os.path.split(real)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with open(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(descriptor)  # on disk before it takes the old file's place
        _keep_mode(temporary, old)
        os.replace(temporary, real)
    except BaseException:  # a full disk, a size limit, Ctrl-C: the old file stays
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)


def _keep_mode(path: str, old: os.stat_result | None) -> None:
    """The old file's permissions (and owner, where allowed); a new file's as `open` would
    make it (0o666 less the umask), not mkstemp's 0o600."""
    if old is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(path, 0o666 & ~umask)
        return
    os.chmod(path, stat.S_IMODE(old.st_mode))
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):  # only root may give a file away
            os.chown(path, old.st_uid, old.st_gid)


def _sync_folder(folder: str) -> None:
    """The rename on disk too, where a folder can be opened (not on Windows)."""
    try:
        descriptor = os.open(folder or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
