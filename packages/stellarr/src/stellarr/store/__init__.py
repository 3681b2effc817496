from stellarr.store.ports import Database, Entry, ExpiringKeys, MediaStore, Stores

__all__ = ["Database", "Entry", "ExpiringKeys", "MediaStore", "Stores"]
