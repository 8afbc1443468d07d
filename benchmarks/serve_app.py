"""`chitieu serve` without the bulk route (per-unit routes only), for benchmarks/rollup.py.

python3 benchmarks/serve_app.py ROOT PORT
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from chitieu_tui.remote.server import create_app


def main() -> None:
    root, port = Path(sys.argv[1]), int(sys.argv[2])
    app = create_app(root, bulk=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", server_header=False)


if __name__ == "__main__":
    main()
