"""Data of a third shape, the plainest a person would write by hand: each unit one
chitieu.toml (four groups, N indicators with only the required fields, half level, half
cumulative) and ONE progress file (2026-Q2, a value for every indicator); no notes, plans,
years/ or targets/. Written apart from gen.py and samplemade.py, for the goals of issue 23
to be checked on a shape neither was tuned on.

    python3 benchmarks/plainmade.py unit DEST N        # one unit of N indicators
    python3 benchmarks/plainmade.py country DEST N     # N units of 40 indicators
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

INDICATORS = 40
KINDS = ("level", "cumulative")


def unit(dest: Path, count: int, uid: str = "xa-mau", name: str = "Xã Mẫu", seed: int = 7) -> Path:
    """One unit folder with `count` indicators and one progress file."""
    rng = random.Random(seed)
    (dest / "progress").mkdir(parents=True, exist_ok=True)
    defs = ["schema = 1", "", "[unit]", f'id = "{uid}"', f'name = "{name}"', "year = 2026", ""]
    for g in range(4):
        defs += ["[[group]]", f'id = "g{g}"', f'name = "Nhóm {g}"', ""]
    values = ["schema = 1", f'unit = "{uid}"', 'period = "2026-Q2"', "as_of = 2026-06-30", ""]
    values.append("[values]")
    for i in range(count):
        target = rng.randint(10, 5000)
        defs += [
            "[[indicator]]",
            f'id = "ct-{i:02d}"',
            f'group = "g{i % 4}"',
            f'name = "Chỉ tiêu {i}"',
            'unit = "đơn vị"',
            f'kind = "{KINDS[i % 2]}"',
            f"target = {target}",
            "",
        ]
        values.append(f"ct-{i:02d} = {rng.randint(0, target)}")
    (dest / "chitieu.toml").write_text("\n".join(defs) + "\n", encoding="utf-8")
    (dest / "progress" / "2026-Q2.toml").write_text("\n".join(values) + "\n", encoding="utf-8")
    return dest


def country(dest: Path, count: int) -> Path:
    """`count` units (`xa-0000`…) of 40 indicators and a collection.toml."""
    dest.mkdir(parents=True, exist_ok=True)
    columns = ", ".join(f'"ct-{i:02d}"' for i in range(4))
    text = f'name = "Cả nước"\ncolumns = [{columns}]\n'
    (dest / "collection.toml").write_text(text, encoding="utf-8")
    for u in range(count):
        uid = f"xa-{u:04d}"
        unit(dest / uid, INDICATORS, uid, f"Xã số {u}", seed=u)
    return dest


def main() -> None:
    """`plainmade.py unit DEST N` or `plainmade.py country DEST N`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=("unit", "country"))
    parser.add_argument("dest", type=Path)
    parser.add_argument("count", type=int)
    args = parser.parse_args()
    (unit if args.kind == "unit" else country)(args.dest, args.count)
    print(args.dest)


if __name__ == "__main__":
    main()
