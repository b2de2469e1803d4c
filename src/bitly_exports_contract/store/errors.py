"""The store's error type."""


class StoreError(RuntimeError):
    """A store that cannot be built or opened; the message says which file and why."""
