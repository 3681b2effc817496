"""StereoSpot: 2D video in, stereoscopic 3D out, split into segments converted in parallel."""

__version__ = "0.1.0"
