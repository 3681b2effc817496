"""Stellarr: a lightweight self-hosted media request system."""

__all__ = ["__version__"]

__version__ = "0.1.0"
