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
