"""core/cores.py: the cores, whether one is spare, and what CHITIEU_WORKERS asks."""

from __future__ import annotations

import io
import os

import pytest

from chitieu_tui.core import cores


def test_cores_are_those_this_process_may_run_on() -> None:
    assert cores.cores() == len(os.sched_getaffinity(0)) >= 1


@pytest.mark.parametrize(
    ("value", "serial"), [("1", True), ("0", True), (" 1 ", True), ("2", False), ("", False)]
)
def test_chitieu_workers_one_or_zero_asks_for_no_workers(
    monkeypatch: pytest.MonkeyPatch, value: str, serial: bool
) -> None:
    monkeypatch.setenv(cores.ENV_WORKERS, value)
    assert cores.serial_asked() is serial
    assert cores.asked_workers() == value.strip()


def test_a_spare_core_is_fewer_running_tasks_than_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cores, "cores", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (3.5, 3.0, 2.0))
    assert cores.idle_cores() == pytest.approx(-1.5)

    def loadavg(running: str) -> None:
        real_open = open

        def fake(path: str, *args: object, **kwargs: object) -> object:
            if path == "/proc/loadavg":
                return io.StringIO(f"0.50 0.40 0.30 {running}/300 4242\n")
            return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr("builtins.open", fake)

    loadavg("1")
    assert cores.core_free_now()  # only this process runs
    loadavg("2")
    assert not cores.core_free_now()  # the other core is taken
    loadavg("garbled")
    assert not cores.core_free_now()  # falls back to the load average: 3.5 on 2 cores
