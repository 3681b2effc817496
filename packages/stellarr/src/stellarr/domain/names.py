"""What a display name may be: a label people recognise, not an account.

Names end up in feeds, logs and other people's screens, so control and format characters
(NUL, newlines, terminal escapes, bidi overrides that reorder text) are refused, and so is a
name made only of characters nobody can see.

A name that is a chat service's call to everyone ("@here", "@everyone", ...) is refused too:
it reads as a ping on every screen it shows on, and nobody is called that. Notifications make
any other mention inert on their own (domain/mentions.py), so "@alice" stays a fine name.
"""

from __future__ import annotations

import unicodedata

from stellarr.domain.errors import BadRequest

MAX_NAME_LENGTH = 50
# Cc control, Cf format (bidi, zero-width), Cs surrogates, Co private use, Cn unassigned,
# Zl/Zp line and paragraph separators.
_REFUSED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Letters and symbols that render as nothing; with spaces and combining marks they could
# make a name that looks empty.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
# Whole-room mentions: Discord, Slack, Mattermost, Rocket.Chat, Matrix. Compared after NFKC
# and case folding, so "@HERE" and "@here" in full-width letters read as what they look like.
BROADCAST_MENTIONS = frozenset({"@everyone", "@here", "@channel", "@all", "@room"})


def _invisible(char: str) -> bool:
    return char in _BLANK or unicodedata.category(char) in ("Zs", "Mn", "Me")


def check_name(raw: str) -> str:
    """The name to use (trimmed), or BadRequest saying what is wrong with it."""
    name = raw.strip()
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        raise BadRequest(f"name must be 1 to {MAX_NAME_LENGTH} characters")
    if any(unicodedata.category(c) in _REFUSED for c in name):
        raise BadRequest("name must not contain control or formatting characters")
    if all(_invisible(c) for c in name):
        raise BadRequest("name must contain a visible character")
    if unicodedata.normalize("NFKC", name).casefold() in BROADCAST_MENTIONS:
        raise BadRequest("name must not be a mention of everyone, such as @here or @everyone")
    return name
