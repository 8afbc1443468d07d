"""chitieu-tui: a terminal dashboard for a ward's yearly targets, quarter by quarter."""

__version__ = "0.1.0"
