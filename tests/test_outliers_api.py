"""Outliers over the API (DESIGN sections 12 and 15) under a real uvicorn on 127.0.0.1: the
server judges every value written (the one writer), refuses an outlier with 422
`err.entry.outlier` unless the body says `confirm_outlier`, then writes it marked; the answer,
the progress document and the journal carry the mark; the client turns the refusal into the
form's question (OutlierError)."""

from __future__ import annotations

from pathlib import Path

import pytest
import servers
from hostile_server import UvicornThread
from servers import OWN, call

from chitieu_tui.core.chain import walk
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import ErrorList
from chitieu_tui.core.journal import read_journal
from chitieu_tui.core.outliers import OutlierError
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import SetValue
from chitieu_tui.remote.source import ApiSource

pytestmark = pytest.mark.timeout(60)
Q1 = Period(2026, 1)
IND = "ket-nap-dang-vien"  # 5, 9, 6, 8 a quarter in 2025 (mean 7, σ 1,58); 6 in 2026-Q1
PUT = f"/units/{OWN}/progress/{Q1}/values/{IND}"
BULK = f"/units/{OWN}/progress/{Q1}/values"

province, tokens, server = servers.province, servers.tokens, servers.server


def progress_file(province: Path) -> Path:
    return province / "ward-a" / "progress" / f"{Q1}.toml"


def test_put_refuses_an_outlier_unless_confirmed(
    province: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    before = progress_file(province).read_bytes()
    refused = call(server, "PUT", PUT, tokens["editor"], {"value": 60, "confirm": True})
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["code"] == "err.entry.outlier"
    assert "60" in problem["detail"] and "standard deviations" in problem["detail"]
    assert progress_file(province).read_bytes() == before
    bad = call(server, "PUT", PUT, tokens["editor"], {"value": 60, "confirm_outlier": "yes"})
    assert bad.status_code == 400
    ok = call(server, "PUT", PUT, tokens["editor"], {"value": 60, "confirm_outlier": True})
    assert ok.status_code == 200, ok.text
    value = ok.json()["values"][IND]
    assert value["value"] == 60 and value["followup"]["why"] == ["outlier"]
    assert value["followup"]["mean"] == 7 and value["followup"]["count"] == 4
    # what a reader gets, and the journal with the account, chained
    read = call(server, "GET", f"/units/{OWN}/progress/{Q1}", tokens["viewer"])
    assert read.json()["values"][IND]["followup"]["why"] == ["outlier"]
    changes = call(server, "GET", f"/units/{OWN}/journal/{Q1}", tokens["viewer"]).json()
    last = changes["changes"][-1]
    assert last["followup"] == "outlier" and last["account"] == "edi"
    stored = read_journal(province / "ward-a" / "journal" / f"{Q1}.toml")
    assert not walk(OWN, Q1, stored).broken


def test_a_viewers_confirmed_outlier_is_refused_and_nothing_is_written(
    province: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    """Saying `confirm_outlier` opens no right: a viewer's write is 403, single or bulk."""
    before = progress_file(province).read_bytes()
    body = {"value": 60, "confirm": True, "confirm_outlier": True}
    assert call(server, "PUT", PUT, tokens["viewer"], body).status_code == 403
    bulk = {"values": [{"id": IND, "value": 60}], "confirm_outlier": True}
    assert call(server, "POST", BULK, tokens["viewer"], bulk).status_code == 403
    assert progress_file(province).read_bytes() == before


def test_a_bulk_write_names_the_outlier_and_writes_nothing(
    province: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    before = progress_file(province).read_bytes()
    body = {"values": [{"id": "dang-vien", "value": 1431}, {"id": IND, "value": 60}]}
    refused = call(server, "POST", BULK, tokens["editor"], body)
    assert refused.status_code == 422
    assert refused.json()["index"] == 1 and refused.json()["id"] == IND
    assert progress_file(province).read_bytes() == before
    ok = call(server, "POST", BULK, tokens["editor"], {**body, "confirm_outlier": True})
    assert ok.status_code == 200, ok.text
    values = ok.json()["values"]
    assert values[IND]["followup"]["why"] == ["outlier"]
    assert "followup" not in values["dang-vien"]  # in line: no mark


def test_the_client_asks_and_marks(
    province: Path, server: UvicornThread, tokens: dict[str, str], tmp_path: Path
) -> None:
    source = ApiSource(server.url, OWN, snapshots=tmp_path / "snaps", token=tokens["editor"])
    request = SetValue(period=Q1, id=IND, value="60", confirm=True, via="form")
    with pytest.raises(OutlierError) as refused:
        source.write([request], snapshot=False)
    assert "60" in refused.value.text("en")
    confirmed = SetValue(
        period=Q1, id=IND, value="60", confirm=True, confirm_outlier=True, via="form"
    )
    written = source.write([confirmed], snapshot=False)
    mark = written.progress.values[IND].followup
    assert mark is not None and mark.why == ("outlier",) and mark.count == 4


def test_several_outliers_in_one_local_write_are_an_error_list(province: Path) -> None:
    """The same writer the server uses: two outliers, both said (the first named)."""
    data = DataDir(province / "ward-a")
    with pytest.raises(ErrorList) as refused:
        data.write(
            [
                SetValue(period=Q1, id=IND, value=60.0),
                SetValue(period=Q1, id="thu-ngan-sach", value=5000.0, confirm=True),
            ]
        )
    assert [e.code for e in refused.value.errors] == ["err.entry.outlier"] * 2
