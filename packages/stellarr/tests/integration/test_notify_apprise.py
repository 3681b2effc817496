"""AppriseNotifier against a real local target, through Apprise's own `json://` plugin."""

from __future__ import annotations

import logging

import pytest

from stellarr.clients.notify import AppriseNotifier
from stellarr.domain.mentions import ZWSP
from stellarr_testing.chat_syntax import live_syntax
from stellarr_testing.fake_notify import FakeNotifyTarget
from stellarr_testing.processes import free_port

SECRET = "s3cr3t-hook-token"


async def test_sends_title_and_body(notify_target: FakeNotifyTarget) -> None:
    sent = await AppriseNotifier(timeout=5).send(
        [notify_target.url("/hook")], "Movie Available", "Dune has been added to the library!"
    )
    assert sent is True
    [message] = notify_target.messages()
    assert message.path == "/hook"
    assert message.body["title"] == "Movie Available"
    assert message.body["message"] == "Dune has been added to the library!"


async def test_what_apprise_is_given_pings_nobody_and_links_nowhere(
    notify_target: FakeNotifyTarget,
) -> None:
    title = "New request: @everyone [click](https://evil.example)"
    body = "@here requested the movie <@&42> www.evil.example."
    assert await AppriseNotifier(timeout=5).send([notify_target.url()], title, body) is True
    [message] = notify_target.messages()
    for sent, original in ((message.body["title"], title), (message.body["message"], body)):
        assert live_syntax(sent) == []
        assert sent.replace(ZWSP, "") == original  # every word is still there


async def test_one_good_url_is_enough_and_each_is_tried(notify_target: FakeNotifyTarget) -> None:
    # free_port closes its probe before returning, so nothing listens there.
    urls = [f"json://127.0.0.1:{free_port()}/down", notify_target.url("/up")]
    assert await AppriseNotifier(timeout=5).send(urls, "t", "b") is True
    assert [m.path for m in notify_target.messages()] == ["/up"]


async def test_failures_are_false_and_logs_hold_no_secret(
    notify_target: FakeNotifyTarget, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    notify_target.status = 500
    url = notify_target.url(f"/hook/{SECRET}", credentials=f"user:{SECRET}")
    assert await AppriseNotifier(timeout=5).send([url], "t", "b") is False
    [message] = notify_target.messages()  # it was tried, with the credentials
    assert message.basic_auth == f"user:{SECRET}"
    assert "did not take the message" in caplog.text
    assert SECRET not in caplog.text


async def test_urls_apprise_does_not_know_are_reported_by_position(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    sent = await AppriseNotifier(timeout=5).send([f"nosuchscheme://{SECRET}"], "t", "b")
    assert sent is False
    assert "entry 1 is not a URL Apprise understands" in caplog.text
    assert SECRET not in caplog.text


async def test_nothing_configured_sends_nothing() -> None:
    assert await AppriseNotifier().send([], "t", "b") is False
