"""The core: model, arithmetic, loading, snapshots; free of Textual."""
