"""Make data of the bundled samples' shape (not gen.py's): a large unit, or a country of units."""

from __future__ import annotations

import argparse
import shutil
import tomllib
from pathlib import Path

import tomli_w

SRC = Path(__file__).resolve().parent.parent / "src" / "chitieu_tui"
UNIT = SRC / "sample"
COLLECTION = SRC / "sample_collection"


def country(dest: Path, count: int, targets: bool = True) -> Path:
    """Copy the sample collection's units round-robin to `count` units; scale `targets/`."""
    units = sorted(p.name for p in COLLECTION.iterdir() if (p / "chitieu.toml").is_file())
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(COLLECTION / "collection.toml", dest / "collection.toml")
    copies: dict[str, list[str]] = {u: [] for u in units}
    for n in range(count):
        orig = units[n % len(units)]
        new = f"{orig}-{n:04d}"
        copies[orig].append(new)
        src = COLLECTION / orig
        for path in src.rglob("*.toml"):
            out = dest / new / path.relative_to(src)
            out.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_text(encoding="utf-8")
            out.write_text(text.replace(f'"{orig}"', f'"{new}"'), encoding="utf-8")
    if targets:
        for path in (COLLECTION / "targets").glob("*.toml"):
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            for ind in data.get("indicator", []):
                old = ind["units"]
                new_units = {c: v for u, v in old.items() for c in copies.get(u, [])}
                scale = ind["target"] / sum(old.values()) if sum(old.values()) else 1
                ind["units"] = new_units
                ind["target"] = round(sum(new_units.values()) * scale, 2)
            (dest / "targets").mkdir(exist_ok=True)
            (dest / "targets" / path.name).write_bytes(tomli_w.dumps(data).encode())
    return dest


def unit(dest: Path, count: int) -> Path:
    """The sample unit with its indicators copied (new ids, "(bản N)" names) to `count`."""
    data = tomllib.loads((UNIT / "chitieu.toml").read_text(encoding="utf-8"))
    base = data["indicator"]
    inds = []
    for n in range(count):
        ind = dict(base[n % len(base)])
        copy = n // len(base)
        if copy:
            ind["id"] = f"{ind['id']}-{copy}"
            ind["name"] = f"{ind['name']} (bản {copy})"
        inds.append(ind)
    data["indicator"] = inds
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "chitieu.toml").write_bytes(tomli_w.dumps(data).encode())
    ids = {i["id"] for i in base}
    made = {i["id"] for i in inds}
    for path in (UNIT / "progress").glob("*.toml"):
        prog = tomllib.loads(path.read_text(encoding="utf-8"))
        for key in ("values", "notes", "plans"):
            table = prog.get(key)
            if isinstance(table, dict) and path.stem.startswith("2026"):
                extra = {
                    f"{k}-{c}": v
                    for c in range(1, (count - 1) // len(base) + 1)
                    for k, v in table.items()
                    if k in ids and f"{k}-{c}" in made
                }
                table.update(extra)
        (dest / "progress").mkdir(exist_ok=True)
        (dest / "progress" / path.name).write_bytes(tomli_w.dumps(prog).encode())
    if (UNIT / "years").is_dir():
        shutil.copytree(UNIT / "years", dest / "years", dirs_exist_ok=True)
    return dest


def main() -> None:
    """`samplemade.py unit DEST N` or `samplemade.py country DEST N [--no-targets]`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=("unit", "country"))
    parser.add_argument("dest", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--no-targets", action="store_true")
    args = parser.parse_args()
    if args.kind == "unit":
        unit(args.dest, args.count)
    else:
        country(args.dest, args.count, targets=not args.no_targets)
    print(args.dest)


if __name__ == "__main__":
    main()
