"""How many cores this process may use, and whether the machine has one to spare now."""

from __future__ import annotations

import os

ENV_WORKERS = "CHITIEU_WORKERS"
"""`CHITIEU_WORKERS=1` (or 0): every cold read is serial (the roll-up's frame, the report, one
large unit); 2 (or more): the report's and one large unit's workers are used however busy
the machine is (benchmarks; the roll-up's frame uses its workers whenever there are two
cores)."""


def asked_workers() -> str:
    """What `CHITIEU_WORKERS` says ("" when unset)."""
    return os.environ.get(ENV_WORKERS, "").strip()


def serial_asked() -> bool:
    """`CHITIEU_WORKERS=1` (or 0): no worker processes."""
    return asked_workers() in ("0", "1")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def core_free_now() -> bool:
    """Another core is idle at this moment: fewer tasks running than cores, this process
    among them (Linux: `/proc/loadavg`'s count of running tasks; elsewhere the last minute's
    load average under the cores but one). For a short read (one large unit)."""
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            running = int(f.read().split()[3].split("/")[0])
        return running < cores()
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.getloadavg()[0] < cores() - 1
    except (AttributeError, OSError):
        return False


def idle_cores() -> float:
    """The cores left idle over the last minute (the cores less the load average; negative
    when tasks wait). For a long read (a collection's report)."""
    try:
        return cores() - os.getloadavg()[0]
    except (AttributeError, OSError):
        return float(cores())
