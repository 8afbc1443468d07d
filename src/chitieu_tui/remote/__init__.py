"""The remote side: the JSON API server (`chitieu serve`) and its client source (`--api`)."""
