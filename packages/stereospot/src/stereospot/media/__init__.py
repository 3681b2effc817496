"""Media operations on local files with PyAV: admit (from the headers), probe, split at
keyframes, join, copy audio.

Everything here is stream copy (no re-encoding) except where a container cannot hold a codec;
the converters in `stereospot.convert` are the only code that decodes pictures.
"""
