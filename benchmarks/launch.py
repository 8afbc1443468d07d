"""Run one command; write its wall time, peak RSS (KiB) and exit code to a file descriptor.

    python3 -I -S benchmarks/launch.py FD PROGRAM ARG...

A fresh, small process (no site, ≈9 MiB) forks and execs the measured command, so the
child's `ru_maxrss` is its own peak and not the benchmark runner's memory at fork time
(Linux keeps the larger of the pre-exec and post-exec high-water marks).
"""

import os
import sys
import time


def main() -> None:
    """Fork, exec, wait4; report on the descriptor given as the first argument."""
    fd = int(sys.argv[1])
    cmd = sys.argv[2:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(fd)
            os.execv(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    os.write(fd, f"{elapsed!r} {usage.ru_maxrss} {code}".encode())
    os.close(fd)


if __name__ == "__main__":
    main()
