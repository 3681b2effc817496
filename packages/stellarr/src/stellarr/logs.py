"""Logging that cannot leak credentials: every record is scrubbed of key=value secrets and
bearer tokens when it is created, whichever logger or handler it goes through."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote_plus

# `endpoint`: a Web Push endpoint URL is a bearer capability (whoever has it, and the keys,
# can message that browser); the UI asks /api/push/status?endpoint= on every page load.
_SECRET_NAMES = (
    "api_key",
    "token",
    "access_token",
    "apikey",
    "X-Plex-Token",
    "password",
    "endpoint",
)
_SECRET_PARAMS = re.compile(rf"(?i)\b({'|'.join(_SECRET_NAMES)})=([^&\s\"']+)")
# The app decodes parameter names, so ?tok%65n= is the feed token too. Names with an
# escape in them are judged after decoding, as the app reads them. Query strings stay in
# the access log (which feed, which page is worth seeing); only the values go.
_ENCODED_PARAM = re.compile(r"([\w.~+-]*%[0-9A-Fa-f]{2}[\w%.~+-]*)=([^&\s\"']+)")
_SECRET_LOWER = frozenset(name.lower() for name in _SECRET_NAMES)
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")


def _decoded(name: str) -> str:
    # A few rounds, in case something between the client and us decodes once more.
    for _ in range(3):
        decoded = unquote_plus(name)
        if decoded == name:
            break
        name = decoded
    return name.lower()


def _hide_encoded(match: re.Match[str]) -> str:
    name = match.group(1)
    return f"{name}=***" if _decoded(name) in _SECRET_LOWER else match.group(0)


def scrub(text: str) -> str:
    text = _SECRET_PARAMS.sub(r"\1=***", text)
    if "%" in text:
        text = _ENCODED_PARAM.sub(_hide_encoded, text)
    return _BEARER.sub(r"\1 ***", text)


def scrub_record(record: logging.LogRecord) -> None:
    args = record.args
    if isinstance(args, tuple):
        # Argument by argument first, so the record keeps its shape: uvicorn's own
        # AccessFormatter unpacks (client, method, path, version, status) from args.
        cleaned_args = tuple(scrub(arg) if isinstance(arg, str) else arg for arg in args)
        if cleaned_args != args:
            record.args = cleaned_args
    message = record.getMessage()
    cleaned = scrub(message)
    if cleaned != message:  # a secret made of the format and its arguments together
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        # Tracebacks of httpx errors quote the URL: format once, scrubbed.
        record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))


class ScrubFilter(logging.Filter):
    """For handlers configured elsewhere; the record factory below already covers ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


def install_scrubbing() -> None:
    """Scrub every log record at creation. A filter on a logger would miss its children,
    and on Lambda the runtime's handler is not ours to configure."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "stellarr_scrubs", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        scrub_record(record)
        return record

    factory.stellarr_scrubs = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


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
