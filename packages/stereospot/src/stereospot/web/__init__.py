"""The web UI: `create_app` in `stereospot.web.app` builds it from the composition root."""
