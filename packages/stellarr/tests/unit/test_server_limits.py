"""How `stellarr serve` sizes its connection cap (stellarr.server) and checks its settings;
the guards themselves are tested on a real process in tests/e2e/test_idle_connections.py."""

from __future__ import annotations

import json

import pytest

from stellarr.server import DEFAULT_CEILING, HEADROOM, busy_answer, connection_cap
from stellarr.settings import Config, SettingsError


def test_the_cap_stays_below_the_descriptor_limit() -> None:
    assert connection_cap(256, None) == 256 - HEADROOM
    assert connection_cap(1024, 5000) == 1024 - HEADROOM  # a setting cannot exceed it
    assert connection_cap(1024, 100) == 100
    assert connection_cap(100, None) == 50  # a tiny limit keeps half for everything else
    assert connection_cap(1_048_576, None) == DEFAULT_CEILING
    assert connection_cap(None, None) == DEFAULT_CEILING  # no limit at all


def test_the_busy_answer_is_a_whole_http_response() -> None:
    answer = busy_answer(4.2)
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("ascii").split("\r\n")
    assert lines[0] == "HTTP/1.1 503 Service Unavailable"
    assert "connection: close" in lines and "retry-after: 5" in lines
    assert f"content-length: {len(body)}" in lines
    assert "detail" in json.loads(body)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REQUEST_HEAD_TIMEOUT_SECONDS", "0"),
        ("REQUEST_HEAD_TIMEOUT_SECONDS", "nan"),
        ("REQUEST_HEAD_TIMEOUT_SECONDS", "soon"),
        ("MAX_CONNECTIONS", "0"),
    ],
)
def test_connection_settings_are_checked(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Config.from_mapping({variable: value})


def test_connection_settings_are_read() -> None:
    config = Config.from_mapping({"REQUEST_HEAD_TIMEOUT_SECONDS": "2.5", "MAX_CONNECTIONS": "50"})
    assert (config.request_head_timeout, config.max_connections) == (2.5, 50)
    assert (Config().request_head_timeout, Config().max_connections) == (5.0, None)
