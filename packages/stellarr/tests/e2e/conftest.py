"""The web app's browser fixtures (e2e/web_app.py), for every test_web_*.py module.

Tests that define a fixture of the same name (the old UI's test_browser.py has its own
`page`) keep theirs: a module's fixture wins over a conftest's.
"""

from e2e.web_app import (  # noqa: F401  (fixtures, found by pytest by name)
    new_page,
    page,
    problems,
    web_browser,
    web_server,
)
