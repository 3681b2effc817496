"""Fixtures every StereoSpot suite shares."""
