"""Remake the README's pictures: `python docs/screenshots.py` (from the repository).

Each is made by `chitieu screenshot` on the bundled samples, in Vietnamese, into docs/img/:
the dashboard, the year's path of the first indicator in its detail view, and the
province's roll-up. The header's clock differs from run to run; everything else is the
same, so a changed screen shows as a changed picture in review. tests/test_readme_pictures.py
runs this script into a temporary folder and checks the three pictures and the README's links.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"

PICTURES: dict[str, list[str]] = {
    "dashboard.svg": ["--size", "120x36"],
    "detail.svg": ["--size", "100x36", "--press", "enter"],
    "rollup.svg": ["--size", "120x30", "--config", "{collection}"],
}
"""Each picture's file name and its options of `chitieu screenshot`."""


def make(folder: Path) -> list[Path]:
    """Write every picture into `folder`; their paths."""
    # The bundled samples: the package's own folders (not an installed copy elsewhere).
    sample = SRC / "chitieu_tui" / "sample"
    collection = SRC / "chitieu_tui" / "sample_collection"
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(SRC), "CHITIEU_LANG": "vi", "COLUMNS": "120"}
    env.pop("CHITIEU_CONFIG", None)
    made = []
    for name, options in PICTURES.items():
        options = [o.replace("{collection}", str(collection)) for o in options]
        if "--config" not in options:
            options += ["--config", str(sample)]
        out = folder / name
        command = [sys.executable, "-m", "chitieu_tui", "screenshot", "--lang", "vi"]
        subprocess.run(
            [*command, *options, "--output", str(out)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        made.append(out)
    return made


if __name__ == "__main__":
    for path in make(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "img"):
        print(path)
