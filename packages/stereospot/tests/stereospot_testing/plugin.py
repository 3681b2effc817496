"""Fixtures every StereoSpot suite shares (loaded through `pytest_plugins`)."""

from stereospot_testing.backends import harness, moto_endpoint

__all__ = ["harness", "moto_endpoint"]
