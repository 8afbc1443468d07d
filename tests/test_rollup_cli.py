"""`chitieu report|snapshot|screenshot` on a collection, from files and through `chitieu serve`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from collectionkit import independent_totals, random_collection
from hostile_server import UvicornThread
from test_rollup_core import assert_matches

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.remote.server import create_app

pytestmark = pytest.mark.timeout(120)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    return random_collection(tmp_path / "gen", 30)


@pytest.fixture
def server(generated: Path) -> Iterator[UvicornThread]:
    srv = UvicornThread(create_app(generated)).start()
    yield srv
    srv.stop()


@pytest.mark.parametrize("period", ["2026-Q1", "2026-Q2"])
def test_report_json_of_a_generated_collection(
    capsys: pytest.CaptureFixture[str], generated: Path, period: str
) -> None:
    code, out, err = run(
        capsys, "report", "--config", str(generated), "--format", "json", "--period", period
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["period"] == period and doc["collection"]["name"] == "gen"
    assert_matches(doc, independent_totals(generated, period))
    assert "u002/chitieu.toml" in err.replace("\n", "")  # warned about; the others reported
    units = {u["unit"]: u for u in doc["units"]}
    assert len(units) == 30
    assert set(units["u000"]) == {"unit", "name", "summary", "indicators", "rules", "rules_broken"}
    assert units["u000"]["summary"]["total"] == 6


def test_the_same_through_serve_and_api(
    capsys: pytest.CaptureFixture[str], generated: Path, server: UvicornThread, tmp_path: Path
) -> None:
    for period in ("2026-Q1", "2026-Q2"):
        code, local, _ = run(
            capsys, "report", "--config", str(generated), "--format", "json", "--period", period
        )
        assert code == 0
        code, remote, err = run(
            capsys, "report", "--api", server.url, "--format", "json", "--period", period,
            "--snapshots", str(tmp_path / "snaps"),
        )  # fmt: skip
        assert code == 0, err
        a, b = json.loads(local), json.loads(remote)
        assert a["totals"] == b["totals"]
        assert a["period"] == b["period"]
        readable = [u for u in a["units"] if u["summary"] is not None]
        assert readable == [u for u in b["units"] if u["summary"] is not None]
        # the bulk answer carries a broken unit with its problem, as the files show it
        broken = [(u["unit"], u["indicators"]) for u in a["units"] if u["summary"] is None]
        assert broken == [(u["unit"], u["indicators"]) for u in b["units"] if u.get("error")]
        assert all("chitieu.toml:2:6" in u["error"] for u in b["units"] if u.get("error"))
        assert_matches_no_broken(b, independent_totals(generated, period))


def assert_matches_no_broken(doc: dict, want: dict) -> None:
    got = {x["id"]: x for x in doc["totals"]}
    for iid, w in want.items():
        assert got[iid]["units"] == w["units"]
        assert got[iid]["value"] == pytest.approx(w["value"])


def test_report_every_format_on_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    root = str(BUNDLED_COLLECTION)
    code, table, _ = run(capsys, "report", "--config", root)
    assert code == 0
    assert "Tỉnh An Giang (minh họa) · Q1 2026 · 4/5 units reporting" in table
    assert "15.5%* (3)" in table  # of the province's own target, targets/2026.toml (issue 21)
    code, md, _ = run(capsys, "report", "--config", root, "--format", "markdown")
    assert md.startswith("# Tỉnh An Giang \\(minh họa\\)")
    assert "| 2 | Phường Mỹ Thới | 8/20 | ▼ 13.75% |" in md
    code, text, _ = run(capsys, "report", "--config", root, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    totals = {r["id"]: r for r in rows if r["row"] == "total"}
    assert totals["thu-ngan-sach"]["units"] == "3"
    assert totals["thu-ngan-sach"]["percent_of_target"] == "22.01"
    assert len([r for r in rows if r["row"] == "unit" and r["unit_id"] == "my-thoi"]) == 20
    code, out, _ = run(capsys, "report", "--config", root, "--format", "json")
    doc = json.loads(out)
    bhyt = next(x for x in doc["totals"] if x["id"] == "bhyt")
    # mean of 95.4, 90, 86, 91 over the mean of the targets 95, 95, 95, 95
    assert bhyt == {
        "id": "bhyt",
        "name": "Tỷ lệ người dân tham gia BHYT",
        "aggregate": "mean",
        "value": pytest.approx(90.6),
        "target": pytest.approx(95.0),
        "percent_of_target": 95.37,
        "units": 4,
    }


def test_snapshot_of_a_collection(
    capsys: pytest.CaptureFixture[str], generated: Path, tmp_path: Path
) -> None:
    code, out, err = run(capsys, "snapshot", "--config", str(generated), "--period", "2026-Q1")
    assert code == 1  # one unit is broken: said, and every other unit still snapshotted
    paths = [Path(line) for line in out.splitlines()]
    assert len(paths) == 29 and all(p.is_file() for p in paths)
    assert len({p.parent.parent.parent.name for p in paths}) == 29
    assert "u002/chitieu.toml" in err.replace("\n", "")


def test_screenshot_of_the_rollup(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "r.svg"
    code, out, _ = run(
        capsys,
        "screenshot",
        "--config",
        str(BUNDLED_COLLECTION),
        "-o",
        str(out_file),
        "--size",
        "100x30",
    )
    assert code == 0 and Path(out.strip()) == out_file
    svg = out_file.read_text()
    assert "Long&#160;Xuyên" in svg and "units&#160;reporting" in svg
