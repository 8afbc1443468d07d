"""`report --format pdf`: the docx converted by LibreOffice (`soffice --headless
--convert-to pdf`) in a profile of its own, within a time limit (DESIGN section 14)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from chitieu_tui.core.errors import ToolError

SOFFICE = "soffice"
TIMEOUT_SECONDS = 300
"""The longest a conversion may take (a 40-unit collection takes well under a minute)."""


def soffice() -> str | None:
    """The path of LibreOffice's `soffice`, or None when it is not on PATH."""
    return shutil.which(SOFFICE)


def convert(data: bytes, suffix: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """`data` (a .docx or .xlsx, by `suffix`) as PDF bytes. A missing LibreOffice, a failed
    or a late conversion are coded ToolErrors (exit 1), naming what to install."""
    program = soffice()
    if program is None:
        raise ToolError("err.pdf.no_soffice")
    with tempfile.TemporaryDirectory(prefix="chitieu-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / f"report.{suffix}"
        source.write_bytes(data)
        profile = (folder / "profile").as_uri()
        argv = [
            program,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        env = {**os.environ, "HOME": str(folder)}
        try:
            # a session of its own: on timeout the whole group goes (soffice starts soffice.bin)
            proc = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                cwd=folder,
                start_new_session=True,
            )
        except OSError as exc:
            raise ToolError("err.pdf.failed", reason=exc.strerror or str(exc)) from None
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(proc)
            raise ToolError("err.pdf.timeout", seconds=int(timeout)) from None
        out = folder / "report.pdf"
        if proc.returncode != 0 or not out.is_file():
            reason = (stderr or stdout).decode("utf-8", "replace").strip()
            raise ToolError("err.pdf.failed", reason=reason[-300:] or f"exit {proc.returncode}")
        return out.read_bytes()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End the conversion's process group (started by us, in its own session)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.communicate()
