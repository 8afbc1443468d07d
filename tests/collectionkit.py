"""Write collections (folders of small data folders) for tests, and an independent check."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import tomli_w


def write_unit(
    root: Path,
    uid: str,
    indicators: list[dict[str, Any]],
    values: dict[str, dict[str, Any]] | None = None,
    *,
    name: str | None = None,
    headline: list[str] | None = None,
    folder: str | None = None,
) -> Path:
    """`root/<folder or uid>` with chitieu.toml (group `g`) and progress files by period."""
    unit = root / (folder or uid)
    (unit / "progress").mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {
        "schema": 1,
        "unit": {"id": uid, "name": name or f"Phường {uid}", "year": 2026},
        "group": [{"id": "g", "name": "Nhóm"}],
        "indicator": [{"group": "g", "name": f"Chỉ tiêu {i['id']}", **i} for i in indicators],
    }
    if headline is not None:
        doc["dashboard"] = {"headline": headline}
    (unit / "chitieu.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")
    for period, vals in (values or {}).items():
        prog = {"schema": 1, "unit": uid, "period": period, "values": vals}
        (unit / "progress" / f"{period}.toml").write_text(tomli_w.dumps(prog), encoding="utf-8")
    return unit


def random_collection(root: Path, units: int, seed: int = 7) -> Path:
    """`units` units with random targets and values, gaps, mismatched definitions and one
    broken unit (the third); 2026-Q1 and 2026-Q2."""
    rnd = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for u in range(units):
        uid = f"u{u:03d}"
        if u == 2:
            unit = write_unit(root, uid, [{"id": "a", "kind": "cumulative", "target": 10}])
            (unit / "chitieu.toml").write_text("schema = 1\n[unit\n", encoding="utf-8")
            continue
        money = "triệu đồng" if u % 7 == 3 else "tỉ đồng"  # a mismatched unit of measure
        kind_b = "cumulative" if u % 11 == 5 else "level"  # a mismatched kind
        inds: list[dict[str, Any]] = [
            {"id": "thu", "kind": "cumulative", "unit": money, "target": rnd.randint(50, 500)},
            {"id": "bhyt", "kind": kind_b, "unit": "%", "target": rnd.choice([90, 95, 100])},
            {"id": "dn", "kind": "level", "unit": "doanh nghiệp", "target": rnd.randint(10, 90)},
            {
                "id": "kn",
                "kind": "cumulative",
                "unit": "người",
                "report": "quarter",
                "target": rnd.randint(5, 40),
            },
            {"id": "xong", "kind": "milestone", "unit": "mốc", "due": "2026-Q2"},
            {
                "id": "ngheo",
                "kind": "level",
                "unit": "%",
                "direction": "decrease",
                "baseline": 6.0,
                "target": rnd.choice([2.0, 3.0]),
            },
        ]
        values: dict[str, dict[str, Any]] = {}
        for q in (1, 2):
            vals: dict[str, Any] = {}
            for ind in inds:
                if rnd.random() < 0.2:
                    continue  # a gap
                if ind["kind"] == "milestone":
                    vals[ind["id"]] = rnd.random() < 0.5
                elif ind["id"] == "ngheo":
                    vals[ind["id"]] = round(rnd.uniform(1.5, 6.0), 2)
                else:
                    vals[ind["id"]] = round(rnd.uniform(0, float(ind["target"]) * 0.6 * q), 2)
            if vals and not (u % 13 == 4 and q == 2):  # some units report nothing in Q2
                values[f"2026-Q{q}"] = vals
        write_unit(root, uid, inds, values, headline=["thu", "bhyt", "kn"])
    return root


def independent_totals(root: Path, period: str) -> dict[str, dict[str, Any]]:
    """docs/rollup.md's totals computed straight from the files (tomllib, no app code):
    {id: {"aggregate", "value", "target", "percent_of_target", "units"}}."""
    import statistics
    import tomllib
    from collections import Counter

    year, quarter = int(period[:4]), int(period[-1])
    per_id: dict[str, list[tuple[dict[str, Any], float | None]]] = {}
    for unit in sorted(p for p in root.iterdir() if (p / "chitieu.toml").is_file()):
        try:
            defs = tomllib.loads((unit / "chitieu.toml").read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError:
            continue
        quarters: dict[int, dict[str, Any]] = {}
        for q in range(1, quarter + 1):
            f = unit / "progress" / f"{year}-Q{q}.toml"
            if f.is_file():
                quarters[q] = tomllib.loads(f.read_text(encoding="utf-8"))["values"]
        for ind in defs["indicator"]:
            raw = quarters.get(quarter, {}).get(ind["id"])
            ytd: float | None = None
            if raw is not None and not isinstance(raw, bool):
                if ind["kind"] == "cumulative" and ind.get("report") == "quarter":
                    ytd = sum(
                        float(quarters[q][ind["id"]]) for q in quarters if ind["id"] in quarters[q]
                    )
                else:
                    ytd = float(raw)
            per_id.setdefault(ind["id"], []).append((ind, ytd))
    out: dict[str, dict[str, Any]] = {}
    for iid, items in per_id.items():
        shapes = Counter((i.get("unit", ""), i["kind"]) for i, _ in items)
        top = max(shapes.values())
        ref = next(i for i, _ in items if shapes[(i.get("unit", ""), i["kind"])] == top)
        how = ref.get("aggregate") or (
            "sum"
            if ref["kind"] == "cumulative"
            else "mean"
            if ref["kind"] == "level" and ref.get("unit") == "%"
            else "none"
        )
        taking = [
            (i, v)
            for i, v in items
            if (i.get("unit", ""), i["kind"]) == (ref.get("unit", ""), ref["kind"])
            and v is not None
        ]
        if how == "none" or not taking:
            out[iid] = {"aggregate": how, "value": None, "target": None,
                        "percent_of_target": None, "units": len(taking)}  # fmt: skip
            continue
        f = sum if how == "sum" else statistics.fmean
        value = f([v for _, v in taking])
        target = f([float(i["target"]) for i, _ in taking])
        out[iid] = {
            "aggregate": how,
            "value": value,
            "target": target,
            "percent_of_target": round(value / target * 100, 2),
            "units": len(taking),
        }
    return out
