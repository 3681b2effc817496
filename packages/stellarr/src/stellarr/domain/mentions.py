"""Text for chat channels with its mentions and links made inert, and still readable.

Titles come from TMDB and names are typed at login, and NOTIFY_URLS channels read syntax in
plain text:
- pings: `@everyone`, `@here` and `<@id>`, `<@!id>`, `<@&role>` (Discord); `@all`, `@channel`,
  `@here`, `@name` (Mattermost, Rocket.Chat); `<!here>`, `<!channel>`, `<@U123>` (Slack);
  `@room` (Matrix); `@**all**` (Zulip); `@username` (Telegram). Apprise's Discord plugin in
  Markdown mode even turns any `@word` or `@123` of the body into a ping of its own;
- links: masked `[text](url)` and `<url|text>`, which hide where they go; and bare URLs,
  linked when they carry a scheme (Discord, Mattermost, Slack) or merely look like a domain
  (Telegram: `evil.com`; Mattermost: `www.evil.com`).

A ZERO WIDTH SPACE breaks every one of those forms and shows as nothing (discord.js escapes
`@everyone` the same way; Telegram's parser ends a domain at it). It goes:
- after each `@` and `<`: no mention and no `<...>` token can start;
- after each `]`: `[text](url)`, `[text][ref]` and `[ref]: url` are no longer links;
- after the `:` of `scheme://`, and before each `.` with a visible character on either side:
  neither a URL nor a bare domain is recognised.
Characters are only ever added, so dropping the ZERO WIDTH SPACEs gives back the original,
and text that was already made inert is left as it is.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"

_INERT = re.compile(
    # Characters that open a mention, a token or a masked link's target: a ZWSP after.
    r"(?P<after>[@<\]](?!\u200b)"
    # The colon of "scheme://", where every linkifier starts a URL: a ZWSP after.
    r"|(?<=[\w+.-]):(?=//))"
    # A dot between two visible characters ("evil.com", "www.x", "é.рф"): a ZWSP before,
    # so no domain forms. A dot that ends a sentence ("Mr. Robot", "(2021).") is left alone.
    r"|(?<=[^\s\u200b])(?P<before>\.)(?=[^\s.\u200b])"
)


def _defused(match: re.Match[str]) -> str:
    after = match.group("after")
    return after + ZWSP if after else ZWSP + match.group("before")


def inert(text: str) -> str:
    """`text` with every mention, masked link and URL broken by ZERO WIDTH SPACEs."""
    return _INERT.sub(_defused, text)
