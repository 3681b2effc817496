"""How `stereospot serve` and `inference-server` size their connection cap
(stereospot.server) and check its settings; the guards themselves are tested on real
processes in tests/web/ and tests/inference/test_idle_connections.py."""

from __future__ import annotations

import json

import pytest

from stereospot.errors import SettingsError
from stereospot.server import DEFAULT_CEILING, HEADROOM, busy_answer, connection_cap
from stereospot.settings import Settings


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
        ("STEREOSPOT_REQUEST_HEAD_TIMEOUT_SECONDS", "0"),
        ("STEREOSPOT_REQUEST_HEAD_TIMEOUT_SECONDS", "soon"),
        ("STEREOSPOT_MAX_CONNECTIONS", "0"),
    ],
)
def test_connection_settings_are_checked(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: value})


def test_connection_settings_are_read() -> None:
    settings = Settings.from_env(
        {"STEREOSPOT_REQUEST_HEAD_TIMEOUT_SECONDS": "2.5", "STEREOSPOT_MAX_CONNECTIONS": "50"}
    )
    assert (settings.request_head_timeout, settings.max_connections) == (2.5, 50)
    assert (Settings().request_head_timeout, Settings().max_connections) == (5.0, None)
