"""The project's own errors. Adapters translate driver errors (sqlite3, botocore) into
these, so nothing above an adapter sees a driver type."""

from __future__ import annotations


class StereoSpotError(Exception):
    """Base of every error this package raises on purpose."""


class NotFound(StereoSpotError):
    """No such job or object, or one the caller may not see (the two look the same)."""


class Conflict(StereoSpotError):
    """A conditional write lost: the state was not what the caller expected."""


class InvalidInput(StereoSpotError):
    """The request itself is wrong (bad key, bad parameter); the message says what."""


class StoreError(StereoSpotError):
    """A backend failed (disk, network, service); worth retrying later."""


class SettingsError(StereoSpotError):
    """Configuration is missing or wrong; the one-line message names the variable."""


class TooLarge(InvalidInput):
    """More bytes than a limit allows (a part, an upload); the message says which limit."""


class LimitReached(StereoSpotError):
    """The user already has as many of something as they may (jobs in progress)."""


class QuotaExceeded(StereoSpotError):
    """The user's files would take more room than their share; the message says how much."""


class StorageFull(StoreError):
    """The disk has no room: nothing of the write was kept. Worth retrying once space
    returns (finished jobs deleted, the disk grown)."""
