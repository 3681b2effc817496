"""What chat services would take for a ping or a link in plain text, by their own rules.

The tests that check notification text is inert ask this, not the code under test:
- Apprise's Discord plugin itself, which in Markdown mode turns the pings it finds in a body
  into real ones (`allow_mentions`);
- Discord's `@everyone`/`@here` and its `<@id>`, `<@!id>`, `<@&id>`, `<#id>`, `</cmd:id>`
  tokens (discord.js MessageMentions); Slack's `<!here>`, `<@U1>`, `<#C1>` and `<url|text>`;
- `@name` as Telegram (tdlib: `@`, then letters, digits or `_`), Mattermost, Rocket.Chat and
  Matrix read it, and Zulip's `@**name**`;
- masked Markdown links `[text](url)`, `[text][ref]` and `[ref]: url` definitions;
- URLs with a scheme (Discord, Mattermost, Slack) and bare domains (Telegram: a `.` with
  domain characters on both sides, which ZERO WIDTH SPACE is not).
"""

from __future__ import annotations

import re
import warnings
from functools import cache
from typing import Any

_RULES = {
    "everyone or here": re.compile(r"@(?:everyone|here)", re.I),
    "mention token": re.compile(r"<[@#!/:&]|<a:"),
    "angle-bracket link": re.compile(r"<[a-z][a-z0-9+.-]*:", re.I),
    "@name": re.compile(r"@[\w*]"),  # Zulip: @**name**, @*group*
    "masked link": re.compile(r"\]\(|\]\[|^\s*\[[^\]]*\]:", re.M),
    "URL": re.compile(r"[a-z][a-z0-9+.-]*://", re.I),
    # tdlib's domain characters: letters, digits, "_", "-", "~"; ZERO WIDTH SPACE is not one.
    "domain": re.compile(r"[\w~-]\.[\w~-]"),
}


@cache
def _discord() -> Any:
    with warnings.catch_warnings():
        # Apprise's e-mail plugin imports the deprecated imghdr as the plugins load.
        warnings.filterwarnings("ignore", message="'imghdr' is deprecated")
        import apprise

        return apprise.Apprise.instantiate("discord://1234/abcd/?format=markdown")


def live_syntax(text: str) -> list[str]:
    """The names of the rules that find a ping or a link in `text`; [] when it is inert."""
    found = [name for name, rule in _RULES.items() if rule.search(text)]
    if _discord().ping_payload(text):
        found.append("Apprise Discord ping")
    return found
