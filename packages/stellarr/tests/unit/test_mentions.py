"""Notification text with its pings and links made inert, and still reading the same."""

from __future__ import annotations

import pytest

from stellarr.domain.mentions import ZWSP, inert
from stellarr_testing.chat_syntax import live_syntax

Z = ZWSP

# (what a title or a name says, what the channels are given)
HOSTILE = [
    ("@everyone", f"@{Z}everyone"),
    ("@here", f"@{Z}here"),
    ("ping @channel and @all", f"ping @{Z}channel and @{Z}all"),
    ("@room", f"@{Z}room"),  # Matrix
    ("@**all**", f"@{Z}**all**"),  # Zulip
    ("@alice_bob", f"@{Z}alice_bob"),  # Telegram, Mattermost
    ("@123456", f"@{Z}123456"),  # a user id to Apprise's Discord plugin
    ("<@80351110224678912>", f"<{Z}@{Z}80351110224678912>"),
    ("<@!80351110224678912>", f"<{Z}@{Z}!80351110224678912>"),
    ("<@&165511591545143296>", f"<{Z}@{Z}&165511591545143296>"),
    ("<#103735883630395392>", f"<{Z}#103735883630395392>"),
    ("</airhorn:816437322781949972>", f"<{Z}/airhorn:816437322781949972>"),
    ("<!here> <!channel>", f"<{Z}!here> <{Z}!channel>"),  # Slack
    ("<http://x|y>", f"<{Z}http:{Z}//x|y>"),  # Slack's masked link
    ("[click](https://evil.example)", f"[click]{Z}(https:{Z}//evil{Z}.example)"),
    ("[click](<evil>)", f"[click]{Z}(<{Z}evil>)"),
    ("[click][1]", f"[click]{Z}[1]{Z}"),
    ("[1]: /x", f"[1]{Z}: /x"),
    ("see HTTPS://evil.example/a?b=c", f"see HTTPS:{Z}//evil{Z}.example/a?b=c"),
    ("ftp://[::1]/", f"ftp:{Z}//[::1]{Z}/"),
    ("www.evil.com", f"www{Z}.evil{Z}.com"),
    ("evil.com/login", f"evil{Z}.com/login"),  # Telegram links a bare domain
    ("пример.рф", f"пример{Z}.рф"),
    ("eve@evil.com", f"eve@{Z}evil{Z}.com"),
]

# Ordinary titles and names: nothing in them is syntax, so they go out character for character.
ORDINARY = [
    "Stranger Things",
    "Mr. Robot",
    "Star Wars: Episode IV \u2013 A New Hope",
    "alice requested the TV show Stranger Things (2016).",
    "Dune has been added to the library!",
    "Zoë 山田 مريم",
    "Wait... What?",
    "",
]


@pytest.mark.parametrize(("raw", "expected"), HOSTILE)
def test_each_form_is_broken_where_it_starts(raw: str, expected: str) -> None:
    assert live_syntax(raw), "the case must be live to begin with"
    assert inert(raw) == expected
    assert live_syntax(expected) == []


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_left_as_it_is(text: str) -> None:
    assert inert(text) == text


def test_the_issues_title_and_name_read_the_same_and_ping_nobody() -> None:
    text = "@here requested the movie @everyone [click](https://evil.example) (2021)."
    out = inert(text)
    assert live_syntax(out) == []
    assert out.replace(ZWSP, "") == text  # only invisible characters were added
    assert inert(out) == out  # and inert text stays as it is


def test_zero_width_spaces_already_there_are_not_doubled() -> None:
    assert inert(f"@{Z}here <{Z}@1> a{Z}.b") == f"@{Z}here <{Z}@{Z}1> a{Z}.b"
