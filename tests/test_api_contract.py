"""The API as a contract: the OpenAPI document, generated from the wire Structs, checked by
schemathesis against a real server, and the client holding servers to the same shapes."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from datadirs import close, set_value
from hostile_server import HostileServer, UvicornThread

from chitieu_tui.core.datadir import BUNDLED, DataDir
from chitieu_tui.core.errors import SourceError
from chitieu_tui.core.periods import Period
from chitieu_tui.core.verify import verify_folder
from chitieu_tui.remote import schema
from chitieu_tui.remote.server import build_openapi, create_app, guarded_protocol, routes
from chitieu_tui.remote.source import ApiSource
from chitieu_tui.remote.wire import (
    API_PREFIX,
    definitions_to_json,
    journal_to_json,
    progress_to_json,
)

pytestmark = pytest.mark.timeout(240)
TOKEN = "contract-token-123"
SECOND = "thu-nghiem"
SHAPES = {
    "listUnits": schema.UnitList,
    "getUnit": schema.UnitDocument,
    "listPeriods": schema.PeriodList,
    "getProgress": schema.ProgressDocument,
    "getYear": schema.UnitDocument,
    "getJournal": schema.Journal,
    "getBulkNewest": schema.BulkProgress,
    "getBulk": schema.BulkProgress,
    "getMe": schema.Me,
    "verifyUnit": schema.Verification,
    "getTargets": schema.TargetsDocument,
}
WRITES = {
    ("putValue", "put"),
    ("deleteValue", "delete"),
    ("putValues", "post"),
    ("closeQuarter", "post"),
    ("reopenQuarter", "post"),
    ("approveQuarter", "post"),
    ("returnQuarter", "post"),
    ("putTargets", "put"),
}
FAST = {
    "connect_timeout": 0.5,
    "read_timeout": 0.5,
    "deadline": 2.0,
    "once_deadline": 3.0,
    "retries": 1,
    "backoff": 0.01,
    "backoff_max": 0.05,
}


def build_district(root: Path) -> Path:
    """A folder of two units: the bundled sample, and a copy (`thu-nghiem`) with a further
    quarter, values with who/when/cause/remedy, two journals and a closed quarter."""
    root.mkdir(parents=True)
    shutil.copytree(BUNDLED, root / "my-thoi")
    second = root / SECOND
    shutil.copytree(BUNDLED, second)
    for path in [second / "chitieu.toml", *second.glob("years/*.toml")]:
        text = path.read_text(encoding="utf-8").replace('id = "my-thoi"', f'id = "{SECOND}"')
        path.write_text(text, encoding="utf-8")
    for path in second.glob("progress/*.toml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('unit = "my-thoi"', f'unit = "{SECOND}"'), encoding="utf-8")
    data = DataDir(second)
    q1, q2 = Period(2026, 1), Period(2026, 2)
    set_value(data, q1, "bhyt", 91.5, "đã rà soát", by="Nguyễn Văn A")
    set_value(data, q1, "thu-ngan-sach", 33.0, by="Trần Thị B", cause="chậm thu", remedy="đôn đốc")
    set_value(data, q2, "bhyt", 92.0, by="Nguyễn Văn A")
    set_value(data, q2, "so-tay-dien-tu", True, by="Lê C")
    close(data, q1, "đã họp chốt", by="Chủ tịch")
    (root / "collection.toml").write_text(  # the bulk answer's name, deadline and report head
        'name = "District"\n\n[reporting]\ncutoff_day = 14\nsend_days = 2\n\n'
        '[report]\nstyle = "state"\nissuer = "DISTRICT"\nrecipients = ["Archive"]\n',
        encoding="utf-8",
    )
    (root / "targets").mkdir()  # the year of the sample's `year` parameter (issue 21)
    for year in (2025, 2026):
        (root / "targets" / f"{year}.toml").write_text(
            '[[indicator]]\nid = "bhyt"\ntarget = 95\nunits = { my-thoi = 95, thu-nghiem = 95 }\n',
            encoding="utf-8",
        )
    return root


@pytest.fixture
def district(tmp_path: Path) -> Path:
    return build_district(tmp_path / "district")


@pytest.fixture
def served(district: Path) -> Iterator[UvicornThread]:
    """`chitieu serve` of the district (with a token) under uvicorn, as `serve` runs it."""
    app = create_app(district, token=TOKEN)
    srv = UvicornThread(app, http=guarded_protocol(64), timeout_keep_alive=5).start()
    yield srv
    srv.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


def resolve(doc: dict[str, Any], node: Any) -> Any:
    """`node` with every local `$ref` replaced by what it points to."""
    if isinstance(node, dict):
        if set(node) == {"$ref"}:
            target: Any = doc
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return resolve(doc, target)
        return {k: resolve(doc, v) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(doc, v) for v in node]
    return node


def operations(doc: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """operationId -> (path, operation), of the read (GET) operations."""
    return {
        op["get"]["operationId"]: (path, op["get"])
        for path, op in doc["paths"].items()
        if "get" in op
    }


def body_schema(doc: dict[str, Any], op_id: str, status: str = "200") -> dict[str, Any]:
    """The JSON Schema of one response body, refs resolved, with the components beside it."""
    _, op = operations(doc)[op_id]
    response = resolve(doc, op["responses"][status])
    (content,) = [v for k, v in response["content"].items() if k.endswith("json")]
    return {**content["schema"], "components": doc["components"]}


def validator(doc: dict[str, Any], op_id: str, status: str = "200") -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    return jsonschema.Draft202012Validator(
        body_schema(doc, op_id, status), format_checker=jsonschema.FormatChecker()
    )


# -- the document ---------------------------------------------------------------------------


def test_document_is_valid_openapi_31(served: UvicornThread, http: httpx.Client) -> None:
    doc = http.get(served.url + API_PREFIX + "/openapi.json").json()
    assert doc == json.loads(json.dumps(build_openapi(), ensure_ascii=False))
    assert doc["openapi"] == "3.1.0"
    try:
        from openapi_spec_validator import validate
    except ImportError:  # structural checks only
        validate = None
    if validate is not None:
        validate(doc)
    text = json.dumps(doc)
    for ref in set(re.findall(r'"\$ref": "([^"]+)"', text)):
        resolve(doc, {"$ref": ref})  # every reference resolves
    assert set(operations(doc)) == {*SHAPES, "getOpenApi"}


def test_schemas_are_generated_from_the_structs_not_written_by_hand() -> None:
    doc = build_openapi()
    shapes = [*SHAPES.values(), schema.ProblemDetails]
    _, components = msgspec.json.schema_components(
        shapes, ref_template="#/components/schemas/{name}"
    )
    assert set(doc["components"]["schemas"]) == set(components)
    for name, generated in components.items():
        served = doc["components"]["schemas"][name]
        assert {k: v for k, v in served.items() if k != "required"} == {
            k: v for k, v in generated.items() if k != "required"
        }
    # required: every field chitieu serve always sends (all but those left out when absent)
    indicator = doc["components"]["schemas"]["Indicator"]
    assert {"id", "kind", "unit", "report", "min", "integer"} <= set(indicator["required"])
    assert not {"target", "plan", "baseline", "max", "due", "aggregate"} & set(
        indicator["required"]
    )
    assert set(doc["components"]["schemas"]["ProgressDocument"]["required"]) == {
        "unit",
        "period",
        "as_of",
        "closed",
        "state",
        "returned",
        "values",
    }
    assert doc["components"]["schemas"]["ValueNote"]["required"] == ["value"]
    # no blob: every 200 body but the document itself is a Struct or a list of them
    for op_id, shape in SHAPES.items():
        got = body_schema(doc, op_id)
        assert got.get("type") != "object" or got.get("properties"), op_id
        assert shape is not None


def test_values_closed_and_problem_are_exact() -> None:
    doc = build_openapi()
    comps = doc["components"]["schemas"]
    values = comps["ProgressDocument"]["properties"]["values"]["additionalProperties"]
    assert values == {
        "anyOf": [
            {"type": "integer"},  # a whole value of an integer indicator: 6, not 6.0
            {"type": "number"},
            {"type": "boolean"},
            {"$ref": "#/components/schemas/ValueNote"},
        ]
    }
    assert set(comps["ValueNote"]["properties"]) == {
        "value",
        "note",
        "by",
        "at",
        "cause",
        "remedy",
        "followup",
    }
    closed = comps["ProgressDocument"]["properties"]["closed"]["anyOf"]
    assert {"$ref": "#/components/schemas/ClosedInfo"} in closed and {"type": "null"} in closed
    assert set(comps["ProblemDetails"]["required"]) == {"type", "title", "status", "detail", "code"}
    assert comps["Change"]["properties"]["via"]["enum"]


def test_parameters_have_patterns_and_sample_examples() -> None:
    params = build_openapi()["components"]["parameters"]
    assert params["unit"]["schema"]["pattern"] == "^[a-z0-9-]{1,64}$"
    assert params["period"]["schema"]["pattern"] == "^(19[0-9]{2}|2[01][0-9]{2}|2200)-Q[1-4]$"
    assert params["year"]["schema"]["pattern"] == "^[0-9]{4}$"
    assert params["unit"]["examples"]["sample"]["value"] == "my-thoi"
    assert params["period"]["examples"]["sample"]["value"] == "2026-Q1"
    assert params["year"]["examples"]["sample"]["value"] == "2025"
    for name in ("unit", "period", "year"):
        pattern = re.compile(params[name]["schema"]["pattern"])
        assert pattern.search(params[name]["examples"]["sample"]["value"])


def test_every_operation_lists_the_statuses_it_can_answer() -> None:
    doc = build_openapi()
    expect = {
        "listUnits": {"200", "304", "401", "429", "500", "503"},
        "getUnit": {"200", "304", "401", "429", "404", "500", "503"},
        "listPeriods": {"200", "304", "401", "429", "404", "500", "503"},
        "getProgress": {"200", "304", "400", "401", "429", "404", "500", "503"},
        "getYear": {"200", "304", "400", "401", "429", "404", "500", "503"},
        "getJournal": {"200", "304", "400", "401", "429", "404", "500", "503"},
        "getBulkNewest": {"200", "304", "401", "429", "404", "500", "503"},
        "getBulk": {"200", "304", "400", "401", "429", "500", "503"},
        "getOpenApi": {"200", "304", "401", "429", "500", "503"},
        "getMe": {"200", "304", "401", "429", "500", "503"},
        "verifyUnit": {"200", "304", "400", "401", "429", "404", "500", "503"},
        "getTargets": {"200", "304", "400", "401", "429", "404", "500", "503"},
    }
    for op_id, (_, op) in operations(doc).items():
        assert set(op["responses"]) == expect[op_id], op_id
        ok = resolve(doc, op["responses"]["200"])
        assert "ETag" in ok["headers"]
        for status in set(op["responses"]) - {"200", "304"}:
            problem = resolve(doc, op["responses"][status])
            assert "application/problem+json" in problem["content"]
    assert "405" in doc["info"]["description"]


def test_examples_are_the_sample_and_fit_their_schemas(
    served: UvicornThread, http: httpx.Client
) -> None:
    doc = build_openapi()
    for op_id, shape in SHAPES.items():
        path, op = operations(doc)[op_id]
        example = op["responses"]["200"]["content"]["application/json"]["examples"]["sample"]
        value = example["value"]
        assert not list(validator(doc, op_id).iter_errors(value)), op_id
        assert msgspec.to_builtins(msgspec.convert(value, shape)) == value
        if op_id in ("getJournal", "listUnits", "getBulk", "getBulkNewest", "getMe", "getTargets"):
            continue  # two units served; the journal's `at` is "now"; /me: the shared token
        params = {
            k: v["examples"]["sample"]["value"]
            for k, v in doc["components"]["parameters"].items()
            if "examples" in v
        }
        url = served.url + path.format(**params)
        assert http.get(url).json() == value, op_id
    problem = doc["components"]["responses"]["Problem404"]["content"]["application/problem+json"]
    assert not list(
        validator(doc, "getUnit", "404").iter_errors(problem["examples"]["sample"]["value"])
    )


# -- the server holds to it ------------------------------------------------------------------


def served_paths(district: Path) -> dict[str, list[str]]:
    """Every 200 path of the district, by operation."""
    out: dict[str, list[str]] = {op: [] for op in SHAPES}
    out["listUnits"].append(f"{API_PREFIX}/units")
    for folder in sorted(p for p in district.iterdir() if (p / "chitieu.toml").exists()):
        data = DataDir(folder)
        uid = data.definitions().unit.id
        base = f"{API_PREFIX}/units/{uid}"
        out["getUnit"].append(base)
        out["listPeriods"].append(base + "/periods")
        for period in data.periods():
            out["getProgress"].append(f"{base}/progress/{period}")
            out["getJournal"].append(f"{base}/journal/{period}")
        out["getYear"] += [f"{base}/years/2025", f"{base}/years/2026"]
        out["getBulk"] += [f"{API_PREFIX}/progress/{p}" for p in data.periods()]
    out["getBulkNewest"].append(f"{API_PREFIX}/progress")
    out["getMe"].append(f"{API_PREFIX}/me")
    out["verifyUnit"] = [f"{API_PREFIX}/units/{u}/verify" for u in ("my-thoi", SECOND)]
    out["verifyUnit"].append(f"{API_PREFIX}/units/{SECOND}/verify?period=2026-Q1")
    out["getTargets"].append(f"{API_PREFIX}/targets/2025")
    out["getBulk"] = sorted(set(out["getBulk"])) + [f"{API_PREFIX}/progress/2031-Q3"]
    return out


def test_every_served_body_fits_its_schema(
    served: UvicornThread, http: httpx.Client, district: Path
) -> None:
    doc = http.get(served.url + API_PREFIX + "/openapi.json").json()
    seen = Counter[str]()
    for op_id, paths in served_paths(district).items():
        check = validator(doc, op_id)
        for path in paths:
            resp = http.get(served.url + path)
            assert resp.status_code == 200, path
            body = resp.json()
            assert not [e.message for e in check.iter_errors(body)], path
            assert msgspec.json.decode(resp.content, type=SHAPES[op_id]) is not None
            seen[op_id] += 1
    assert all(seen[op] for op in SHAPES)
    bulk = http.get(served.url + f"{API_PREFIX}/progress").json()  # the collection's head
    assert bulk["reporting"] == {"cutoff_day": 14, "send_days": 2}
    assert bulk["report"]["issuer"] == "DISTRICT" and bulk["units"][0]["definitions"]["report"]
    closed = http.get(served.url + f"{API_PREFIX}/units/{SECOND}/progress/2026-Q1").json()
    assert closed["closed"]["by"] == "Chủ tịch"
    budget = closed["values"]["thu-ngan-sach"]
    assert {"value", "by", "at", "cause", "remedy"} == set(budget)


def test_to_json_drops_nothing_through_the_structs(district: Path) -> None:
    """What wire.*_to_json builds has no field the Structs lack (the server encodes through
    them, so a field added to one and not the other would vanish silently)."""
    for folder in (p for p in district.iterdir() if (p / "chitieu.toml").exists()):
        data = DataDir(folder)
        defs = data.definitions()
        docs: list[tuple[Any, Any]] = [(definitions_to_json(defs), schema.UnitDocument)]
        for period in data.periods():
            prog = data.progress(period, defs)
            assert prog is not None
            docs.append((progress_to_json(prog), schema.ProgressDocument))
            changes = data.journal(period)
            docs.append((journal_to_json(defs.unit.id, period, changes), schema.Journal))
        for body, shape in docs:
            assert msgspec.to_builtins(msgspec.convert(body, shape)) == body


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/units/nowhere", 404, "err.server.unknown_unit"),
        ("/units/my-thoi/progress/2026-Q5", 400, "err.server.bad_period"),
        ("/units/my-thoi/years/٢٠٢٥", 400, "err.server.bad_year"),
        ("/units/my-thoi/progress/2026-Q4", 404, "err.server.no_progress"),
        ("/nothing", 404, "err.server.no_route"),
    ],
)
def test_problems_fit_their_schema(
    served: UvicornThread, http: httpx.Client, path: str, status: int, code: str
) -> None:
    doc = build_openapi()
    resp = http.get(served.url + API_PREFIX + path)
    assert resp.status_code == status
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert not list(validator(doc, "getProgress", str(status)).iter_errors(body))
    assert body["code"] == code and body["type"] == "about:blank"
    denied = httpx.get(served.url + API_PREFIX + "/units", timeout=10)
    assert denied.status_code == 401 and denied.json()["code"] == "err.server.token_missing"
    assert not list(validator(doc, "listUnits", "401").iter_errors(denied.json()))
    put = http.put(served.url + API_PREFIX + "/units")
    assert put.status_code == 405 and put.json()["code"] == "err.server.read_only"


def test_a_body_that_would_break_the_document_is_a_500_not_sent(
    served: UvicornThread, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def drifted(progress: Any) -> dict[str, Any]:
        body = progress_to_json(progress)
        body["values"]["bhyt"] = "90%"
        return body

    monkeypatch.setattr(routes, "progress_to_json", drifted)
    resp = http.get(served.url + f"{API_PREFIX}/units/{SECOND}/progress/2026-Q2")
    assert resp.status_code == 500 and resp.json()["code"] == "err.server.unexpected"
    assert "90%" not in resp.text


def test_links_walk_the_whole_api_from_the_list(served: UvicornThread, http: httpx.Client) -> None:
    doc = http.get(served.url + API_PREFIX + "/openapi.json").json()
    ops = operations(doc)
    reached: set[str] = set()

    def walk(op_id: str, params: dict[str, str]) -> None:
        path, op = ops[op_id]
        resp = http.get(served.url + path.format(**params))
        assert resp.status_code == 200, (op_id, params)
        if op_id in reached:
            return
        reached.add(op_id)
        body = resp.json()
        for link in op["responses"]["200"].get("links", {}).values():
            args = {}
            for name, expr in link["parameters"].items():
                pointer = expr.removeprefix("$response.body#")
                value: Any = body
                for part in pointer.strip("/").split("/"):
                    value = value[int(part)] if isinstance(value, list) else value[part]
                args[name] = str(value)
            _, target = ops[link["operationId"]]
            params = [resolve(doc, p) for p in target["parameters"]]
            needed = {p["name"] for p in params if p.get("required")}
            if needed <= set(args):
                walk(link["operationId"], args)

    walk("listUnits", {})
    assert reached == set(SHAPES)


# -- schemathesis against the real server ------------------------------------------------------

SCHEMATHESIS_SEED = 20260402
SCHEMATHESIS_EXAMPLES = 12
SCHEMATHESIS_CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429", "5xx"]
"""


def _schemathesis(
    spec: Path, url: str, token: str, har: Path, *more: str
) -> subprocess.CompletedProcess[str]:
    """One schemathesis run (all checks, positive and negative data) against `url`. A
    request the schema allows may still be refused for what it means (a value out of the
    indicator's bounds, an id the year does not have: 422; a stale `expect`: 412), as
    docs/api.md says: those statuses are accepted answers to valid data too."""
    (spec.parent / "schemathesis.toml").write_text(SCHEMATHESIS_CONFIG, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", str(spec)]
        + ["--url", url, "--header", f"Authorization: Bearer {token}"]
        + ["--checks", "all", "--mode", "all", "--workers", "1", *more]
        + ["--seed", str(SCHEMATHESIS_SEED), "--max-examples", str(SCHEMATHESIS_EXAMPLES)]
        + ["--report", "har", "--report-har-path", str(har), "--no-color"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=spec.parent,
    )


def _reached(doc: dict[str, Any], har: Path) -> tuple[Counter[str], Counter[str]]:
    """(every answer, every 2xx answer) per operation, from a schemathesis HAR report."""
    templates = []
    for path, item in doc["paths"].items():
        pattern = re.compile(re.sub(r"\\\{[a-z]+\\\}", "[^/]+", re.escape(path)))
        for method, op in item.items():
            templates.append((method.upper(), pattern, op["operationId"]))
    seen, ok = Counter[str](), Counter[str]()
    for entry in json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]:
        path = httpx.URL(entry["request"]["url"]).path
        for method, template, op_id in templates:
            if entry["request"]["method"] == method and template.fullmatch(path):
                seen[op_id] += 1
                ok[op_id] += 200 <= entry["response"]["status"] < 300
    return seen, ok


def test_schemathesis_finds_nothing_and_reaches_every_read(
    served: UvicornThread, http: httpx.Client, tmp_path: Path
) -> None:
    pytest.importorskip("schemathesis")
    spec = tmp_path / "openapi.json"
    spec.write_bytes(http.get(served.url + API_PREFIX + "/openapi.json").content)
    har = tmp_path / "run.har"
    # the read routes with a shared token (a server without accounts is read-only: its
    # writes are the roles' run below)
    run = _schemathesis(spec, served.url, TOKEN, har, "--include-method", "GET")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "No issues found" in run.stdout
    doc = json.loads(spec.read_text(encoding="utf-8"))
    total = sum(len(item) for item in doc["paths"].values())
    assert total == len(SHAPES) + 1 + len(WRITES) == 20
    assert f"{len(SHAPES) + 1} selected / {total} total" in run.stdout
    _, ok = _reached(doc, har)
    assert all(ok[op_id] for op_id in operations(doc)), ok


ROLES = ("editor", "approver", "viewer")


@pytest.fixture
def accounts_served(district: Path) -> Iterator[tuple[UvicornThread, dict[str, str]]]:
    """The district served with users.toml: one account per role on both units."""
    from chitieu_tui.core.users import add_user

    users = district / "users.toml"
    tokens = {r: add_user(users, r[:3], r, ["*"], f"Tài khoản {r}") for r in ROLES}
    srv = UvicornThread(create_app(district), http=guarded_protocol(64)).start()
    yield srv, tokens
    srv.stop()


@pytest.mark.timeout(900)
def test_schemathesis_with_a_token_per_role_covers_every_route(
    accounts_served: tuple[UvicornThread, dict[str, str]], district: Path, tmp_path: Path
) -> None:
    """Every operation, reads and writes, with an editor's, an approver's and a viewer's
    token, the stateful phase following the document's links (a write's answer leads to
    the quarter, its journal and its verification; close to reopen, approve to return): no
    issue, the document's statuses and shapes held; every operation answers 2xx to some
    role, and a viewer's writes never do."""
    pytest.importorskip("schemathesis")
    served, tokens = accounts_served
    spec = tmp_path / "openapi.json"
    headers = {"Authorization": f"Bearer {tokens['viewer']}"}
    spec.write_bytes(httpx.get(served.url + API_PREFIX + "/openapi.json", headers=headers).content)
    doc = json.loads(spec.read_text(encoding="utf-8"))
    total = sum(len(item) for item in doc["paths"].values())
    ok_by_role: dict[str, Counter[str]] = {}
    for role in ROLES:
        ward = DataDir(district / "my-thoi")
        progress = ward.progress(Period(2026, 1), ward.definitions())
        if role == "approver" and progress is not None and progress.closed is None:
            close(ward, Period(2026, 1), "nộp", by="Phường")  # something submitted to approve
        har = tmp_path / f"{role}.har"
        run = _schemathesis(spec, served.url, tokens[role], har)
        assert run.returncode == 0, role + run.stdout[-6000:] + run.stderr[-2000:]
        assert re.search(r"(\d+) generated, \1 passed", run.stdout), role  # the 403s: warned
        assert f"{total} selected / {total} total" in run.stdout, role
        assert "Stateful" in run.stdout, role
        seen, ok = _reached(doc, har)
        assert set(seen) == {op["operationId"] for i in doc["paths"].values() for op in i.values()}
        ok_by_role[role] = ok
    writes = {op_id for op_id, _ in WRITES}
    assert not any(ok_by_role["viewer"][op] for op in writes), ok_by_role["viewer"]
    assert not any(
        ok_by_role["approver"][op]
        for op in writes - {"approveQuarter", "returnQuarter", "putTargets"}
    )
    assert not any(
        ok_by_role["editor"][op] for op in ("approveQuarter", "returnQuarter", "putTargets")
    )
    for op_id in {op["operationId"] for i in doc["paths"].values() for op in i.values()}:
        assert any(ok[op_id] for ok in ok_by_role.values()), op_id
    for unit in ("my-thoi", SECOND):  # whatever was written, every chain verifies
        assert "broken" not in [f.state for f in verify_folder(DataDir(district / unit))], unit


# -- the client holds servers to it ----------------------------------------------------------


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    srv = HostileServer().start()
    yield srv
    srv.stop()


async def test_client_refuses_a_body_off_the_schema_and_keeps_the_last_good(
    hostile: HostileServer,
) -> None:
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    good = await source.aload(None)
    progress = f"{API_PREFIX}/units/my-thoi/progress/2026-Q1"
    doc = copy.deepcopy(hostile.documents[progress])
    doc["values"]["thu-ngan-sach"] = "32 tỉ"
    hostile.documents[progress] = doc
    source._http.cache.clear()
    stale = await source.aload(None)
    assert stale.stale and stale.board is good.board
    err = source.last_error
    assert isinstance(err, SourceError) and err.code == "err.api.wrong_shape"
    text = err.render("en")
    assert text.startswith(hostile.url + progress + ": ")
    assert "/api/v1/openapi.json" in text and "thu-ngan-sach" in text
    assert "expected bool | int | float | object, got str" in text
    assert "số liệu sai cấu trúc" in err.render("vi")
    await source.aclose()


async def test_client_ignores_unknown_fields_of_a_newer_server(hostile: HostileServer) -> None:
    base = f"{API_PREFIX}/units/my-thoi"
    unit = hostile.documents[base]
    unit["extra"] = {"new": True}
    unit["indicators"][0]["trend"] = "up"
    unit["unit"]["province"] = "An Giang"
    prog = hostile.documents[base + "/progress/2026-Q1"]
    prog["published"] = "2026-04-02"
    prog["values"]["hoc-tap-nghi-quyet"]["source"] = "báo cáo"
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    view = await source.aload(None)
    assert not view.stale and source.last_error is None
    assert view.board.progress is not None
    assert view.board.progress.values["hoc-tap-nghi-quyet"].value == 86.5
    await source.aclose()


async def test_client_refuses_a_unit_document_off_the_schema(hostile: HostileServer) -> None:
    base = f"{API_PREFIX}/units/my-thoi"
    hostile.documents[base]["indicators"][0]["kind"] = "sometimes"
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    with pytest.raises(SourceError) as info:
        await source.aload(None)
    text = info.value.render("en")
    assert hostile.url + base in text and "wrong shape" in text
    await source.aclose()
