"""Logging that cannot leak credentials: every handler scrubs key=value secrets and bearers."""

from __future__ import annotations

import logging
import re
from typing import Any

_SECRET_PARAMS = re.compile(
    r"(?i)\b(api_key|token|access_token|apikey|X-Plex-Token|password)=([^&\s\"']+)"
)
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")


def scrub(text: str) -> str:
    return _BEARER.sub(r"\1 ***", _SECRET_PARAMS.sub(r"\1=***", text))


class ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks of httpx errors quote the URL; keep the type, drop the text.
            exc = record.exc_info[1]
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = (type(exc), exc, exc.__traceback__)
        return True


# Loggers whose records can carry a URL or header with a credential in it. A filter on the
# logger itself (not only on our handlers) also protects handlers we did not configure,
# such as Lambda's or a test's.
SENSITIVE_LOGGERS = ("httpx", "httpcore", "uvicorn.access", "uvicorn.error", "stellarr", "mangum")


def install_scrubbing() -> None:
    for name in SENSITIVE_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ScrubFilter) for f in logger.filters):
            logger.addFilter(ScrubFilter())


def log_config(level: str = "INFO") -> dict[str, Any]:
    """dictConfig for Stellarr and uvicorn alike, with the scrubber on every handler."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "plain",
        "filters": ["scrub"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"scrub": {"()": ScrubFilter}},
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": True},
            # httpx logs every URL at INFO; with a v3 key that URL holds the key.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }
