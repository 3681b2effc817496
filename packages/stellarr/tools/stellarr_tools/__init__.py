"""Stellarr's build-time helpers (not shipped): the Lambda packager, the container image's
wheelhouse and the OpenAPI dump."""
