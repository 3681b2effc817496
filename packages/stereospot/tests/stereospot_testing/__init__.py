"""Test helpers for StereoSpot: generated videos, moto, the in-process app."""
