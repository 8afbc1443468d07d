"""Catalog wording of an operating-system error, by class (never the raw English strerror)."""

from __future__ import annotations

import errno

from chitieu_tui.i18n import Msg

_CLASSES = {
    errno.EACCES: "os.permission",
    errno.EPERM: "os.permission",
    errno.ENOENT: "os.not_found",
    errno.ENOTDIR: "os.not_found",
    errno.EISDIR: "os.is_folder",
    errno.ENOSPC: "os.no_space",
    getattr(errno, "EDQUOT", errno.ENOSPC): "os.no_space",
    errno.EROFS: "os.read_only",
    errno.ENAMETOOLONG: "os.name_too_long",
}


def os_reason(exc: OSError) -> Msg:
    """Why an OS call failed, as a catalog message (`permission denied`, `system error EIO`)."""
    key = _CLASSES.get(exc.errno or 0)
    if key is not None:
        return Msg(key)
    code = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    return Msg("os.other", code=code)
