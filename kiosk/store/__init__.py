"""The totem's single source of truth: one SQLite file in WAL mode, shared by every process."""

from kiosk.store.db import Store
from kiosk.store.errors import StorageError

__all__ = ["StorageError", "Store"]
