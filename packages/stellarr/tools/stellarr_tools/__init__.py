"""Stellarr's build-time helpers (not shipped): the Lambda packager and the OpenAPI dump."""
