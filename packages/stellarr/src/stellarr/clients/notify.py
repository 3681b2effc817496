"""Notifications through Apprise (ntfy, Discord, Telegram, e-mail, ... from NOTIFY_URLS).

Apprise is synchronous and slow to import, so it is imported on first use and run in a
worker thread, bounded by its own timeout and ours. Its log lines can quote the URLs,
and the URLs hold tokens: its logger is kept away from ours, and what we log names a
URL by its position in NOTIFY_URLS or its service's name, never by its text.

Everything handed to Apprise is plain text made inert here (domain/mentions.py), whoever
wrote it: a TMDB title or a login name such as "@here" must not ping a Discord server or
hide a link, and one place at the boundary cannot be forgotten by the next message.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Sequence

from stellarr.domain.mentions import inert

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0
# Past Apprise's own deadline: time for its worker to hand back what it has.
_GRACE_SECONDS = 2.0


def _quiet_apprise() -> None:
    apprise_log = logging.getLogger("apprise")
    # Above CRITICAL: no record is even made, so no handler anywhere can print one.
    apprise_log.setLevel(logging.CRITICAL + 10)
    apprise_log.propagate = False
    if not apprise_log.handlers:
        # Without a handler of its own, Python's last-resort handler would print warnings.
        apprise_log.addHandler(logging.NullHandler())
    # Apprise sends with requests; urllib3 logs each request line (URL path included) at
    # DEBUG. Left alone when someone configured it on purpose.
    transport_log = logging.getLogger("urllib3")
    if transport_log.level == logging.NOTSET:
        transport_log.setLevel(logging.WARNING)


class AppriseNotifier:
    def __init__(self, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._timeout = timeout

    async def send(self, urls: Sequence[str], title: str, body: str) -> bool:
        """Tell every URL; True when at least one of them took the message. Never raises."""
        if not urls:
            return False
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self._send, tuple(urls), inert(title), inert(body)),
                self._timeout + _GRACE_SECONDS,
            )
        except TimeoutError:
            log.warning("NOTIFY: gave up after %.0f s", self._timeout)
        except Exception as exc:  # a notification never fails its caller
            log.warning("NOTIFY: failed: %s", type(exc).__name__)
        return False

    def _send(self, urls: tuple[str, ...], title: str, body: str) -> bool:
        # Apprise's e-mail plugin imports imghdr (deprecated since 3.11) when the plugins
        # load on first use; that is Apprise's business, not a warning for our admin.
        warnings.filterwarnings(
            "ignore", message="'imghdr' is deprecated", category=DeprecationWarning
        )
        _quiet_apprise()
        try:
            import apprise
        except ImportError:
            # Lambda ships Apprise as a layer of its own, attached where NOTIFY_URLS is set.
            log.warning(
                "NOTIFY: Apprise is not installed, so NOTIFY_URLS goes unused; on Lambda, "
                "attach the Apprise layer (dist/lambda-apprise-layer.zip)"
            )
            return False

        target = apprise.Apprise()
        for number, url in enumerate(urls, 1):
            if not target.add(url):
                log.warning("NOTIFY: NOTIFY_URLS entry %d is not a URL Apprise understands", number)
        if not len(target):
            return False
        # Apprise sends to every service at once; `timeout` bounds the whole call.
        result = target.notify(
            body=body, title=title, body_format=apprise.NotifyFormat.TEXT, timeout=self._timeout
        )
        for service in result.results:
            if service:
                log.info("NOTIFY: sent through %s", service.name)
            else:
                log.warning(
                    "NOTIFY: %s did not take the message (%s)", service.name, service.status.name
                )
        return result.success_count > 0
