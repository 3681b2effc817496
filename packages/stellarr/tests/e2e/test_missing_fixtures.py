"""A run without DynamoDB Local's prerequisites fails once, with the reason, instead of once
per test: pytest runs for real, with the suite's plugin, on a PATH without Java."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from stellarr_testing.dynamodb_local import URL_OVERRIDE

TESTS = """
import pytest

@pytest.mark.dynamodb
@pytest.mark.parametrize("n", range(4))
def test_marked(n):
    pass

def test_through_the_fixture(dynamodb_endpoint):
    pass

def test_other():
    pass
"""


def test_without_java_the_run_fails_once_and_runs_the_rest(tmp_path: Path) -> None:
    (tmp_path / "test_needs_dynamodb.py").write_text(TESTS)
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    dynamodb: x\n")
    env = {k: v for k, v in os.environ.items() if k != URL_OVERRIDE}
    env["PATH"] = str(tmp_path)  # no java

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "stellarr_testing.plugin", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 1, run.stdout
    reasons = [line for line in run.stdout.splitlines() if "DynamoDB Local" in line]
    assert reasons == [
        "FAILED (setup): DynamoDB Local is unavailable, so 5 tests that need it did not run:"
        " DynamoDB Local needs Java 17+ on PATH (make test installs it: apt-get install"
        " openjdk-17-jre-headless)"
    ]
    assert "1 passed, 5 deselected" in run.stdout.splitlines()[-1]
