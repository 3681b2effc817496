from stellarr.store.base import Store

__all__ = ["Store"]
