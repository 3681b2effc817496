"""tools/lambda_package.py for real: the function's closure from the lock, arm64 wheels from
PyPI, what is left out, and a package for this machine that still serves."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from stellarr_tools import lambda_package

NEVER_SHIPPED = {
    "boto3",
    "botocore",
    "s3transfer",
    "uvicorn",
    "uvloop",
    "httptools",
    "click",
    "plexapi",
}
# Web Push encryption and VAPID signing need cryptography: big native code, so a layer.
LAYER = {"cryptography", "cffi", "pycparser"}


def distribution(entry: str) -> str:
    """The normalised project name of the dist-info folder an entry lies in."""
    folder = entry.split("/", 1)[0].removesuffix(".dist-info")
    (name,) = lambda_package.Requirements.names([folder.rsplit("-", 1)[0]])
    return name


def test_function_zip_is_the_runtime_closure_and_the_layer_holds_cryptography(
    tmp_path: Path,
) -> None:
    sizes = lambda_package.build(tmp_path)

    assert set(sizes) == {"lambda.zip", "layer.zip"}
    split = lambda_package.requirements()
    closure = lambda_package.Requirements.names(split.function)
    assert lambda_package.Requirements.names(split.layer) == LAYER
    assert {"fastapi", "pydantic-core", "httpx", "mangum", "sniffio", "pywebpush"} <= closure
    assert {"apprise", "py-vapid", "http-ece"} <= closure
    assert not closure & (NEVER_SHIPPED | LAYER | {"pytest", "moto"})
    with zipfile.ZipFile(tmp_path / "layer.zip") as layer:
        assert any(n.startswith("python/cryptography/") for n in layer.namelist())

    with zipfile.ZipFile(tmp_path / "lambda.zip") as function:
        names = function.namelist()
    shipped = {distribution(n) for n in names if ".dist-info/" in n}
    assert shipped == closure
    tops = {n.split("/", 1)[0] for n in names}
    assert not {t for t in tops if t.split("-")[0] in NEVER_SHIPPED | LAYER}
    assert any(
        n.startswith("pydantic_core/") and "aarch64" in n and n.endswith(".so") for n in names
    )

    assert not [n for n in names if n.startswith(("pydantic/v1/", "bin/"))]
    assert not [n for n in names if n.endswith((".pyi", "py.typed")) or "/tests/" in n]
    assert not [n for n in names if n.endswith(("/RECORD", "/INSTALLER", "/WHEEL"))]
    licensed = {distribution(n) for n in names if ".dist-info/" in n and "LICEN" in n.upper()}
    # http-ece's source distribution has no licence file; its METADATA names MIT.
    assert licensed == closure - lambda_package.PURE_SOURCE_ONLY
    metadata = next(n for n in names if n.startswith("http_ece-") and n.endswith("/METADATA"))
    with zipfile.ZipFile(tmp_path / "lambda.zip") as function:
        assert "License: MIT" in function.read(metadata).decode()

    assert "stellarr/lambda_handler.py" in names
    # The API docs page works on Lambda; the UI itself is served from S3 and CloudFront.
    assert "stellarr/static/vendor/swagger-ui/swagger-ui-bundle.js" in names
    assert "stellarr/static/api-docs.js" in names
    assert "stellarr/static/favicon.svg" in names  # the docs page's icon
    assert [n for n in names if n.startswith("stellarr/static/web/")] == []
    if lambda_package.interpreter("3.12") is None:
        assert "fastapi/routing.py" in names  # no 3.12 to compile with: source only
    else:
        # Stellarr: source (for tracebacks) and 3.12 bytecode; the rest bytecode only.
        assert "stellarr/__pycache__/lambda_handler.cpython-312.pyc" in names
        assert "fastapi/routing.pyc" in names
        assert [n for n in names if n.endswith(".py") and not n.startswith("stellarr/")] == []

    zipped, unpacked = sizes["lambda.zip"]
    assert 0 < zipped < unpacked


def test_layer_takes_a_candidate_in_the_closure_with_what_only_it_needs() -> None:
    split = lambda_package.requirements(frozenset({"httpx", "cryptography"}))
    layer = lambda_package.Requirements.names(split.layer)
    function = lambda_package.Requirements.names(split.function)
    # httpcore and h11 are httpx's alone; anyio and idna are shared with the function.
    assert {"httpx", "httpcore", "h11"} <= layer
    assert not layer & function
    assert {"anyio", "idna", "fastapi"} <= function
    assert layer >= LAYER


def test_refuses_boto3(tmp_path: Path) -> None:
    (tmp_path / "botocore").mkdir()
    with pytest.raises(RuntimeError, match="botocore"):
        lambda_package.refuse_forbidden(tmp_path)


def test_packaged_function_serves_from_its_own_folder(tmp_path: Path) -> None:
    """Built for this machine, run with nothing else importable (`-S`), as Lambda would."""
    target = lambda_package.Target.here()
    folder = tmp_path / "function"
    mode = lambda_package.assemble_function(folder, target)
    assert mode != "source", "this machine's own Python compiles the bytecode"
    script = """
import json, sys, traceback
from stellarr.lambda_handler import handler

def get(path):
    event = {"version": "2.0", "rawPath": path, "rawQueryString": "", "headers": {"host": "x"},
             "requestContext": {"http": {"method": "GET", "path": path, "sourceIp": "1.2.3.4",
                                         "protocol": "HTTP/1.1"}}}
    return handler(event, None)["statusCode"]

statuses = [get("/api/auth/params"), get("/api/openapi.json"), get("/api/docs/swagger-ui.css")]
import fastapi.encoders, stellarr.settings
frames = []
for failing in (stellarr.settings.Config.from_mapping, fastapi.encoders.jsonable_encoder):
    try:
        failing(object())
    except Exception as exc:
        frames.append(traceback.format_exception(exc)[-2])
print(json.dumps({"statuses": statuses, "v1": "pydantic.v1" in sys.modules, "frames": frames}))
"""
    env = {
        "PYTHONPATH": str(folder),
        "STORE": "dynamodb",
        "DYNAMODB_TABLE": "never-reached",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "eu-west-1",
        "APP_SECRET_KEY": "p" * 48,
        "PRESHARED_PASSWORD": "packaged",
        "ENV_FILE": str(tmp_path / "absent.env"),
        "PATH": os.environ["PATH"],
    }
    python = lambda_package.interpreter(target.python_version)
    assert python is not None
    run = subprocess.run(
        [python, "-S", "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["statuses"] == [200, 200, 200]
    assert result["v1"] is False  # FastAPI's v1 check found no pydantic.v1 and moved on
    ours, theirs = result["frames"]
    # Our frames keep their source line; third-party frames name file, line and function.
    assert 'stellarr/settings.py"' in ours and ours.count("\n") >= 2
    assert '"/var/task/fastapi/encoders.py"' in theirs and theirs.count("\n") == 1
