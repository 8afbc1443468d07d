"""CPU seconds of the first frame's work outside Textual, for before/after pairs on a loaded
machine (CPU time moves far less with other work than wall time does).

    PYTHONPATH=TREE/src python3 benchmarks/frame_cpu.py ROOT [--own-cache]

Prints: the first frame's imports (chitieu_tui.app), `FileSource.load` (definitions, the
quarter, the history), the table's per-row work (the widths in bulk, `table_widths`, where
the tree has it; else every row's cell texts and widths, `cells` + `width_of`), in CPU
seconds, and the process's peak RSS in MiB. Run it alternately from two trees.
`--own-cache`: the unit's own parse cache (`CHITIEU_CACHE_DIR`), as `chitieu` opens it
(a second open when the cache is filled).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

t0 = time.process_time()
import chitieu_tui.app  # noqa: E402, F401 - the first frame's imports
from chitieu_tui.core.filesource import FileSource  # noqa: E402
from chitieu_tui.i18n import use  # noqa: E402
from chitieu_tui.widgets.indicator_table import cells  # noqa: E402
from chitieu_tui.widgets.line_table import width_of  # noqa: E402

try:
    from chitieu_tui.present.cells import table_widths  # noqa: E402
except ImportError:  # a tree before the widths in bulk
    table_widths = None

use("vi")
own = {"own_cache": True} if "--own-cache" in sys.argv else {}
t1 = time.process_time()
view = FileSource(Path(sys.argv[1]), **own).load(None)  # type: ignore[arg-type]
t2 = time.process_time()
if table_widths is not None:
    widths = table_widths(view.board.evaluations, width_of)
else:
    texts = [cells(ev) for ev in view.board.evaluations]
    lens = [[width_of(x) for x in t.values()] for t in texts]
t3 = time.process_time()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"imports {t1 - t0:.4f} load {t2 - t1:.4f} cells {t3 - t2:.4f} peak {peak:.1f}")
