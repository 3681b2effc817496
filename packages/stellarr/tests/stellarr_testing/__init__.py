"""Test helpers for Stellarr: fake upstreams, store makers, the in-process harness."""
