"""The one atomic writer: temp file in the same folder, flush, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from chitieu_tui.core.errors import Place, WriteError
from chitieu_tui.core.oserrors import os_reason


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


def atomic_write(path: Path, data: bytes, *, overwrite: bool = True) -> Path:
    """Write `data` to `path` so that readers see the old file or the new one, never half.

    With `overwrite=False` the final step is a hard link, which fails if `path`
    exists (FileExistsError), so an existing file is never replaced.
    """
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WriteError("err.write.folder", Place(str(folder)), reason=os_reason(exc)) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path))
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
            tmp.unlink()
    except FileExistsError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WriteError("err.write.file", Place(str(path)), reason=os_reason(exc)) from None
    _fsync_dir(folder)
    return path
