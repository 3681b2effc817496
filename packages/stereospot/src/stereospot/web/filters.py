"""Jinja filters for the pages."""

from __future__ import annotations

import time

import jinja2


def when(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


def duration(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def install_filters(env: jinja2.Environment) -> None:
    env.filters["when"] = when
    env.filters["duration"] = duration
