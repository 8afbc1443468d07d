"""The one atomic writer: temp file in the same folder, flush, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from chitieu_tui.core.errors import Place, WriteError
from chitieu_tui.core.oserrors import os_reason

STALE_TEMP_SECONDS = 600.0
"""A temp file of ours older than this is left over from a killed writer and is removed."""
_TEMP_RE = re.compile(r"\A\..+\.[a-z0-9_]{8}\.tmp\Z")
"""`tempfile.mkstemp(prefix=".<name>.", suffix=".tmp")`: eight random characters."""
_NO_LINK = frozenset(
    {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}
)
"""Errors of `os.link` on file systems without hard links (vfat, exFAT, some SMB shares)."""
Body = bytes | bytearray | Callable[[BinaryIO], object]
"""What is written: the bytes, or a function that writes them into the open file (a large
file encoded piece by piece, never held whole; it may seek back to fill in a header, and
read back what it wrote: `os.pread` on the file's descriptor, open for reading too)."""


def _fill(fh: BinaryIO, data: Body) -> None:
    """Write `data` (`Body`) into `fh`."""
    if callable(data):
        data(fh)
    else:
        fh.write(data)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable by syncing its folder (best effort where unsupported)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _mode_for(path: Path) -> int:
    """The existing file's permissions (a shared, group-writable file stays so), else 0644."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o644


def remove_stale_temps(folder: Path, now: float | None = None) -> None:
    """Remove our temp files older than STALE_TEMP_SECONDS (killed writers); best effort."""
    limit = (time.time() if now is None else now) - STALE_TEMP_SECONDS
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not _TEMP_RE.match(name):
            continue
        tmp = folder / name
        with contextlib.suppress(OSError):
            st = tmp.lstat()
            if stat.S_ISREG(st.st_mode) and st.st_mtime < limit:
                tmp.unlink()


def write_target(path: Path) -> Path:
    """The file to replace: a symlink's final target (so the link stays a link)."""
    try:
        return path.resolve() if path.is_symlink() else path
    except (OSError, RuntimeError):
        return path


def _write_exclusive(path: Path, data: Body, mode: int) -> None:
    """Create `path` (never an existing one), write, flush and fsync; remove it on failure."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            _fill(fh, data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


class Pending:
    """A file written to its temp name, synced, waiting to replace its target (`commit`) or
    to be dropped (`abort`): lets a writer find out that a write would fail before it
    records anything else (the journal)."""

    def __init__(self, tmp: Path, path: Path, asked: Path, where: str) -> None:
        self.tmp = tmp
        self.path = path
        self.asked = asked
        self.where = where

    def commit(self) -> Path:
        """Rename the temp file over the target, then sync the folder; the path asked for."""
        try:
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self.abort()
            raise WriteError("err.write.file", Place(self.where), reason=os_reason(exc)) from None
        _fsync_dir(self.path.parent)
        return self.asked

    def abort(self) -> None:
        """Remove the temp file (best effort)."""
        with contextlib.suppress(OSError):
            self.tmp.unlink()


def _set_mode(tmp: Path, mode: int) -> None:
    """Give the temp file the target's permissions; best effort: a file system without
    permissions (FAT through FUSE answers ENOSYS, some shares EPERM) keeps its own."""
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode)


class Begun:
    """A temp file beside its target, written in part (`begin_write`): the rest written, the
    whole synced and put in place by `finish` (in one thread: another than the one that
    began it may), or dropped by `abort`."""

    def __init__(self, fh: BinaryIO, tmp: Path, target: Path, asked: Path, where: str) -> None:
        self.fh, self.tmp, self.target, self.asked, self.where = fh, tmp, target, asked, where

    def synced(self, rest: Body | None = None) -> Path:
        """`rest` written (bytes, or a function given the file), the file flushed, synced,
        closed and given the target's mode; the temp file's path. Nothing left on failure."""
        try:
            try:
                if rest is not None:
                    _fill(self.fh, rest)
                self.fh.flush()
                os.fsync(self.fh.fileno())
            finally:
                self.fh.close()
            _set_mode(self.tmp, _mode_for(self.target))
        except OSError as exc:
            self.abort()
            raise WriteError("err.write.file", Place(self.where), reason=os_reason(exc)) from None
        except BaseException:  # a writing function that failed: no temp file left behind
            self.abort()
            raise
        return self.tmp

    def finish(self, rest: Body | None = None) -> Path:
        """`synced`, then the temp file renamed over the target and the folder synced; the
        path asked for."""
        return Pending(self.synced(rest), self.target, self.asked, self.where).commit()

    def abort(self) -> None:
        """Close and remove the temp file (best effort)."""
        with contextlib.suppress(OSError):
            self.fh.close()
        with contextlib.suppress(OSError):
            self.tmp.unlink()


def _begin(target: Path, data: Body, where: str, shown: str | None, asked: Path) -> Begun:
    """A new temp file beside `target` (open to read too), `data` written into it; `asked`:
    the path the caller named (`target` may be a link's)."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise folder_error(folder, shown and str(Path(shown).parent), exc) from None
    remove_stale_temps(folder)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise folder_error(folder, shown and str(Path(shown).parent), exc) from None
    tmp = Path(tmp_name)
    try:
        fh = os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    begun = Begun(fh, tmp, target, asked, where)
    try:
        _fill(fh, data)
    except OSError as exc:
        begun.abort()
        raise WriteError("err.write.file", Place(where), reason=os_reason(exc)) from None
    except BaseException:
        begun.abort()
        raise
    return begun


def _temp(path: Path, data: Body, where: str, shown: str | None) -> Path:
    """`data` in a new temp file beside `path` (flushed, synced, with `path`'s mode)."""
    return _begin(path, data, where, shown, path).synced()


def _writable_target(path: Path, where: str) -> Path:
    """The file a write to `path` replaces (a link's target); a read-only one refused."""
    target = write_target(path)
    with contextlib.suppress(OSError):
        if target.stat().st_mode & 0o222 == 0:
            raise WriteError("err.write.read_only_file", Place(where))
    return target


def begin_write(path: Path, data: Body, *, shown: str | None = None) -> Begun:
    """The first part of `atomic_write` (checks, the temp file, `data` written into it),
    for a writer that finishes elsewhere (`Begun.finish`: the rest, the sync and the rename;
    a large cache file sealed and synced by a thread while the app draws)."""
    where = shown or str(path)
    return _begin(_writable_target(path, where), data, where, shown, path)


def prepare_write(path: Path, data: Body, *, shown: str | None = None) -> Pending:
    """Everything of `atomic_write` but the rename: checks (a read-only file is refused), the
    temp file written and synced. `commit()` it, or `abort()`."""
    begun = begin_write(path, data, shown=shown)
    return Pending(begun.synced(), begun.target, begun.asked, begun.where)


def atomic_write(
    path: Path, data: Body, *, overwrite: bool = True, shown: str | None = None
) -> Path:
    """Write `data` to `path` so that readers see the old file or the new one, never half.

    With `overwrite=False` the final step is a hard link, which fails if `path`
    exists (FileExistsError), so an existing file is never replaced; where the
    file system has no hard links, an exclusive create is used instead. A
    symlink is written through (its target replaced); a read-only file (no
    write bit) is refused. `shown` names the file in messages.
    """
    if overwrite:
        return prepare_write(path, data, shown=shown).commit()
    where = shown or str(path)
    tmp = _temp(path, data, where, shown)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in _NO_LINK:
                raise
            _write_exclusive(path, data, _mode_for(path))
        tmp.unlink()
    except FileExistsError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WriteError("err.write.file", Place(where), reason=os_reason(exc)) from None
    _fsync_dir(path.parent)
    return path


def _as_typed(path: Path) -> str:
    """A path relative to the current folder when inside it (as the user would type it)."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def folder_error(folder: Path, shown: str | None, exc: OSError) -> WriteError:
    """The folder cannot be made or written: a file in its way is said as such."""
    for part in (folder, *folder.parents):
        try:
            if part.is_dir():
                break
            if not os.path.lexists(part):
                continue
        except OSError:  # a name too long: said below, with the reason
            break
        named = shown if part == folder and shown else _as_typed(part)
        return WriteError("err.folder.is_file", Place(named))
    return WriteError("err.write.folder", Place(shown or _as_typed(folder)), reason=os_reason(exc))
