"""Fixtures every StereoSpot suite shares (loaded through `pytest_plugins`)."""

import sys

import pytest

from stereospot_testing.backends import harness, moto_endpoint

__all__ = ["harness", "moto_endpoint", "pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    # CPython before 3.11.5 (Debian 12 has 3.11.2) can fail inside ast.parse while pytest
    # draws a failure's source from a large module such as Playwright's (CPython
    # gh-106905): the whole run then ends in an INTERNALERROR. Native tracebacks parse
    # nothing but single lines.
    if sys.version_info < (3, 11, 5) and config.option.tbstyle == "auto":
        config.option.tbstyle = "native"
