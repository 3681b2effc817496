"""The package both functions are created from until `stellarr deploy` ships the real one:
infra/placeholder/lambda.zip is exactly what build.py makes of its source, and it answers
every request 503 with what to do."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

from stellarr_testing.lambda_events import function_url_event
from stellarr_testing.terraform import INFRA

PLACEHOLDER = INFRA / "placeholder"


def test_the_committed_zip_is_built_from_its_source(tmp_path: Path) -> None:
    rebuilt = tmp_path / "lambda.zip"
    subprocess.run(
        [sys.executable, str(PLACEHOLDER / "build.py"), "--out", str(rebuilt)], check=True
    )
    assert rebuilt.read_bytes() == (PLACEHOLDER / "lambda.zip").read_bytes(), (
        "run `python3 packages/stellarr/infra/placeholder/build.py` and commit lambda.zip"
    )
    with zipfile.ZipFile(PLACEHOLDER / "lambda.zip") as archive:
        # The real package's module path, so the functions' handler settings resolve.
        assert archive.namelist() == ["stellarr/lambda_handler.py"]


def placeholder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "placeholder_lambda_handler", PLACEHOLDER / "stellarr" / "lambda_handler.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_says_stellarr_is_not_deployed_yet() -> None:
    module = placeholder()
    answer = module.handler(function_url_event("GET", "/api/health"), None)
    assert answer["statusCode"] == 503
    assert answer["headers"]["content-type"] == "application/json"
    assert json.loads(answer["body"]) == {
        "detail": "Stellarr is not deployed yet: run `stellarr deploy` (docs/deploy-aws.md)"
    }
    assert module.cache_warmer({"source": "aws.events"}, None)["status"].startswith(
        "Stellarr is not deployed yet"
    )
