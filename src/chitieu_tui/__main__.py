"""Allow `python -m chitieu_tui`."""

from chitieu_tui.cli import main

raise SystemExit(main())
