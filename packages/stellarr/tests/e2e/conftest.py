"""The web app's browser fixtures (e2e/web_app.py), for every test_web_*.py module.

A module may define a fixture of the same name, e.g. its own `web_server` built on
`serving_web` for other settings: a module's fixture wins over a conftest's.
"""

from e2e.web_app import (  # noqa: F401  (fixtures, found by pytest by name)
    alice,
    new_page,
    page,
    problems,
    web_browser,
    web_server,
)
