"""The project's own errors; adapters translate driver errors into these."""


class StellarrError(Exception):
    """Base of every error Stellarr raises on purpose."""


class NotFound(StellarrError):
    pass


class Conflict(StellarrError):
    pass


class Forbidden(StellarrError):
    pass


class Unauthorized(StellarrError):
    pass


class RateLimited(StellarrError):
    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class UpstreamError(StellarrError):
    """A service we depend on (TMDB, AWS) failed; the message never holds credentials."""


class StoreError(StellarrError):
    """The store failed in a way the caller cannot fix (I/O, throttling past retries)."""


class BadRequest(StellarrError):
    """Input that passed type validation but breaks a rule (answered with 400)."""


class Unavailable(StellarrError):
    """Something Stellarr needs is missing or down right now (answered with 503)."""


class TMDBNotConfigured(Unavailable):
    pass


# What looking an id up upstream may raise. Whoever resolves ids logs it and tries the next
# way: a webhook records what it can without them.
LOOKUP_ERRORS = (UpstreamError, Unavailable, NotFound)
