"""Generate a data directory with N indicators and 8 quarters of progress (2025-Q1..2026-Q4)."""

from __future__ import annotations

import argparse
import random
from pathlib import Path

KINDS = ("cumulative", "level", "milestone")


def generate(root: Path, count: int, seed: int = 1, unit: str = "quan") -> Path:
    """Write `root/chitieu.toml` and `root/progress/*.toml`; return root."""
    rnd = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "progress").mkdir(exist_ok=True)
    groups = [f"nhom-{g}" for g in range(max(1, count // 50))]
    lines = [
        "schema = 1",
        "",
        "[unit]",
        f'id = "{unit}"',
        'name = "Quận Thử"',
        "year = 2026",
        "",
        "[dashboard]",
        'headline = ["ct-0", "ct-1", "ct-2", "ct-3"]',
        "",
    ]
    for g in groups:
        lines += ["[[group]]", f'id = "{g}"', f'name = "Lĩnh vực {g}"', ""]
    kinds = []
    for i in range(count):
        kind = KINDS[i % 3] if i >= 4 else "cumulative"
        kinds.append(kind)
        lines += [
            "[[indicator]]",
            f'id = "ct-{i}"',
            f'group = "{groups[i % len(groups)]}"',
            f'name = "Chỉ tiêu số {i} của phường"',
            f'unit = "{"%" if kind == "level" else "tỉ đồng"}"',
            f'kind = "{kind}"',
        ]
        if kind == "milestone":
            lines.append(f'due = "2026-Q{1 + i % 4}"')
        else:
            lines.append(f"target = {rnd.randint(50, 500)}")
        if i % 7 == 0 and kind == "cumulative":
            lines.append('report = "quarter"')
        lines.append('owner = "Bộ phận thử"')
        lines.append("")
    (root / "chitieu.toml").write_text("\n".join(lines), encoding="utf-8")
    for year in (2025, 2026):
        for q in range(1, 5):
            period = f"{year}-Q{q}"
            body = [
                "schema = 1",
                f'unit = "{unit}"',
                f'period = "{period}"',
                f"as_of = {year}-{q * 3:02d}-28",
                "",
                "[values]",
            ]
            for i, kind in enumerate(kinds):
                if rnd.random() < 0.05:
                    continue
                if kind == "milestone":
                    body.append(f"ct-{i} = {'true' if rnd.random() < 0.5 else 'false'}")
                else:  # a level is in % (at most 100: no warning for every other value)
                    value = rnd.uniform(0, 120 * q)
                    body.append(f"ct-{i} = {min(value, 100) if kind == 'level' else value:.2f}")
            (root / "progress" / f"{period}.toml").write_text(
                "\n".join(body) + "\n", encoding="utf-8"
            )
    return root


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("count", type=int)
    args = parser.parse_args()
    print(generate(args.root, args.count))
