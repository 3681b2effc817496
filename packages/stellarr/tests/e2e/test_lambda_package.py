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
    "pycparser",  # cffi's C parser: only for building cffi modules
    "pywebpush",
    "aiohttp",
}
# The compiled packages, on every function.
NATIVE = {"pydantic-core", "cryptography", "cffi"}
# Apprise and what only it needs, attached only where NOTIFY_URLS is set.
APPRISE = {
    "apprise",
    "requests",
    "requests-oauthlib",
    "oauthlib",
    "urllib3",
    "charset-normalizer",
    "markdown",
    "pyyaml",
}
LAMBDA_312 = lambda_package.Target()


def distribution(entry: str) -> str:
    """The normalised project name of the dist-info folder an entry lies in."""
    folder = entry.split("/", 1)[0].removesuffix(".dist-info")
    (name,) = lambda_package.Requirements.names([folder.rsplit("-", 1)[0]])
    return name


def names_in(archive: Path, prefix: str = "") -> list[str]:
    with zipfile.ZipFile(archive) as zf:
        return [n.removeprefix(prefix) for n in zf.namelist() if n.startswith(prefix)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[int, int]]]:
    """`make lambda`'s build, with the Makefile's UV_COMPILE_BYTECODE=1 in the environment
    (uv would compile every wheel for the Python running it, 3.11 here)."""
    dist = tmp_path_factory.mktemp("dist")
    (dist / "layer.zip").write_bytes(b"the name before layers had names")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UV_COMPILE_BYTECODE", "1")
        sizes = lambda_package.build(dist)
    return dist, sizes


def test_function_and_layers_split_the_runtime_closure(
    built: tuple[Path, dict[str, tuple[int, int]]],
) -> None:
    dist, sizes = built
    assert list(sizes) == [
        "lambda.zip",
        "lambda-native-layer.zip",
        "lambda-apprise-layer.zip",
    ]
    # The stale layer.zip is gone; the manifest says what `stellarr deploy` attaches where.
    assert sorted(p.name for p in dist.iterdir()) == sorted([*sizes, "lambda-package.json"])
    manifest = json.loads((dist / "lambda-package.json").read_text())
    assert manifest == {
        "function": "lambda.zip",
        "runtime": "python3.12",
        "platform": "aarch64-manylinux2014",
        "layers": [
            {
                "name": "native",
                "zip": "lambda-native-layer.zip",
                "default": True,
                "needed_by": None,
            },
            {
                "name": "apprise",
                "zip": "lambda-apprise-layer.zip",
                "default": False,
                "needed_by": "NOTIFY_URLS",
            },
        ],
    }
    assert lambda_package.default_layer_zips() == ("lambda-native-layer.zip",)
    split = lambda_package.requirements()
    closure = lambda_package.Requirements.names(split.function)
    native = lambda_package.Requirements.names(split.layers["native"])
    apprise = lambda_package.Requirements.names(split.layers["apprise"])
    assert native == NATIVE
    assert apprise == APPRISE
    assert {"fastapi", "pydantic", "httpx", "mangum", "sniffio", "py-vapid", "http-ece"} <= closure
    # What Apprise shares with the function stays in the function.
    assert {"certifi", "idna"} <= closure
    assert not closure & (NEVER_SHIPPED | NATIVE | APPRISE | {"pytest", "moto"})
    everything = closure | native | apprise
    assert not everything & NEVER_SHIPPED

    for archive, prefix, expected in (
        ("lambda.zip", "", closure),
        ("lambda-native-layer.zip", "python/", native),
        ("lambda-apprise-layer.zip", "python/", apprise),
    ):
        names = names_in(dist / archive, prefix)
        assert len(names) == len(names_in(dist / archive)), f"{archive}: all under {prefix!r}"
        assert {distribution(n) for n in names if ".dist-info/" in n} == expected, archive
        assert not [n for n in names if n.endswith((".pyi", "py.typed")) or "/tests/" in n]
        assert not [n for n in names if n.endswith(("/RECORD", "/INSTALLER", "/WHEEL"))]
        licensed = {distribution(n) for n in names if ".dist-info/" in n and "LICEN" in n.upper()}
        # http-ece's source distribution has no licence file; its METADATA names MIT.
        assert licensed == expected - lambda_package.PURE_SOURCE_ONLY, archive

    native_names = names_in(dist / "lambda-native-layer.zip", "python/")
    assert any(
        n.startswith("pydantic_core/") and "aarch64" in n and n.endswith(".so")
        for n in native_names
    )
    assert any(n.startswith("cryptography/hazmat/bindings/_rust") for n in native_names)
    assert any(n.startswith("_cffi_backend.") for n in native_names)
    assert not [n for n in native_names if n.startswith("cffi/")]  # its Python half
    function = names_in(dist / "lambda.zip")
    metadata = next(n for n in function if n.startswith("http_ece-") and n.endswith("/METADATA"))
    with zipfile.ZipFile(dist / "lambda.zip") as zf:
        assert "License: MIT" in zf.read(metadata).decode()
    for unused in lambda_package.UNUSED_SUBPACKAGES:
        stem = unused.removesuffix(".py")
        left = [n for n in function + native_names if n.startswith(f"{stem}/")]
        assert left + [n for n in function + native_names if n in (unused, f"{stem}.pyc")] == []
    assert [n for n in function if n.startswith("bin/")] == []


def test_no_bytecode_for_another_python(built: tuple[Path, dict[str, tuple[int, int]]]) -> None:
    """UV_COMPILE_BYTECODE=1 was set, and no zip holds bytecode a 3.12 function never reads."""
    dist, sizes = built
    for archive in sizes:
        names = names_in(dist / archive)
        foreign = [n for n in names if ".cpython-" in n and ".cpython-312" not in n]
        assert foreign == [], f"{archive}: {foreign[:3]}"
    function = names_in(dist / "lambda.zip")
    if lambda_package.interpreter("3.12") is None:
        assert "fastapi/routing.py" in function  # no 3.12 to compile with: source only
    else:
        # Stellarr: source (for tracebacks) and 3.12 bytecode; the rest bytecode only.
        assert "stellarr/__pycache__/lambda_handler.cpython-312.pyc" in function
        assert "fastapi/routing.pyc" in function
        assert [n for n in function if n.endswith(".py") and not n.startswith("stellarr/")] == []


def test_a_folder_with_foreign_bytecode_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "fastapi" / "__pycache__"
    cache.mkdir(parents=True)
    (cache / "routing.cpython-312.pyc").write_bytes(b"")
    lambda_package.refuse_foreign_bytecode(tmp_path, LAMBDA_312)
    (cache / "routing.cpython-311.pyc").write_bytes(b"")
    with pytest.raises(RuntimeError, match=r"1 bytecode files for another Python than 3\.12"):
        lambda_package.refuse_foreign_bytecode(tmp_path, LAMBDA_312)


def test_the_function_keeps_stellarr_for_lambda_only(
    built: tuple[Path, dict[str, tuple[int, int]]],
) -> None:
    dist, sizes = built
    names = names_in(dist / "lambda.zip")
    assert "stellarr/lambda_handler.py" in names
    # The API docs page answers on Lambda; Swagger UI itself is in the web app's bucket.
    assert "stellarr/static/api-docs.js" in names
    assert "stellarr/static/favicon.svg" in names  # the docs page's icon
    assert [
        n for n in names if n.startswith(("stellarr/static/web/", "stellarr/static/vendor"))
    ] == []
    for module in ("cli", "server", "plex_sync", "plex_library", "__main__"):
        assert not [n for n in names if n.startswith(f"stellarr/{module}.")], module
        assert not [n for n in names if n.startswith(f"stellarr/__pycache__/{module}.")], module
    assert not [n for n in names if n.startswith("stellarr/deploy/")]

    zipped, unpacked = sizes["lambda.zip"]
    assert 0 < zipped < unpacked


def test_layers_take_their_roots_with_what_only_they_need() -> None:
    split = lambda_package.requirements(
        (
            lambda_package.Layer("web", frozenset({"httpx"}), default=True),
            lambda_package.Layer("crypto", frozenset({"cryptography"}), default=False),
        )
    )
    web = lambda_package.Requirements.names(split.layers["web"])
    crypto = lambda_package.Requirements.names(split.layers["crypto"])
    function = lambda_package.Requirements.names(split.function)
    # httpcore and h11 are httpx's alone; anyio and idna are shared with the function.
    assert {"httpx", "httpcore", "h11"} <= web
    assert {"cryptography", "cffi"} <= crypto
    assert not web & function and not crypto & function and not web & crypto
    assert {"anyio", "idna", "fastapi"} <= function


def test_refuses_boto3(tmp_path: Path) -> None:
    (tmp_path / "botocore").mkdir()
    with pytest.raises(RuntimeError, match="botocore"):
        lambda_package.refuse_forbidden(tmp_path)


def test_packaged_function_serves_from_its_own_folder(tmp_path: Path) -> None:
    """Built for this machine, run with nothing else importable (`-S`), as Lambda would:
    the function and its default layer serve, encrypt and sign Web Push messages (without
    cffi's Python half or pycparser), and without the Apprise layer a notification is a
    clear log line, not a failure."""
    target = lambda_package.Target.here()
    folder = tmp_path / "function"
    mode = lambda_package.assemble_function(folder, target)
    assert mode != "source", "this machine's own Python compiles the bytecode"
    layer = tmp_path / "opt"
    lambda_package.assemble_layer(layer, lambda_package.requirements().layers["native"], target)
    script = """
import json, sys, traceback
from stellarr.lambda_handler import handler

def get(path):
    event = {"version": "2.0", "rawPath": path, "rawQueryString": "", "headers": {"host": "x"},
             "requestContext": {"http": {"method": "GET", "path": path, "sourceIp": "1.2.3.4",
                                         "protocol": "HTTP/1.1"}}}
    return handler(event, None)["statusCode"]

statuses = [get("/api/auth/params"), get("/api/openapi.json"), get("/api/docs/init.js")]
docs = handler({"version": "2.0", "rawPath": "/api/docs", "rawQueryString": "",
                "headers": {"host": "x"}, "requestContext": {"http": {"method": "GET",
                "path": "/api/docs", "sourceIp": "1.2.3.4", "protocol": "HTTP/1.1"}}}, None)

import asyncio, base64, logging
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from stellarr.clients.notify import AppriseNotifier
from stellarr.clients.vapid import SubscriptionKeys, VapidKey
from stellarr.clients.webpush import encrypt
b64 = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=").decode()
browser = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
    serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
body = encrypt(SubscriptionKeys.parse(b64(browser), b64(bytes(16))), b"hello")
vapid = VapidKey.generate().authorization("https://push.example", "mailto:a@example.com", 10**9)
logging.basicConfig(stream=sys.stdout, format="LOG %(message)s")
notified = asyncio.run(AppriseNotifier().send(["json://127.0.0.1:9/"], "title", "body"))

import fastapi.encoders, stellarr.settings
frames = []
for failing in (stellarr.settings.Config.from_mapping, fastapi.encoders.jsonable_encoder):
    try:
        failing(object())
    except Exception as exc:
        frames.append(traceback.format_exception(exc)[-2])
loaded = sorted(m for m in ("cffi", "pycparser", "apprise") if m in sys.modules)
print(json.dumps({"statuses": statuses, "v1": "pydantic.v1" in sys.modules, "frames": frames,
                  "docs": docs["body"], "body": len(body), "vapid": vapid[:8],
                  "notified": notified, "loaded": loaded}))
"""
    env = {
        "PYTHONPATH": os.pathsep.join((str(folder), str(layer / "python"))),
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
    *logs, last = run.stdout.splitlines()
    result = json.loads(last)
    assert result["statuses"] == [200, 200, 200]
    assert 'src="/api-docs/swagger-ui-bundle.js"' in result["docs"]
    assert 'href="/api-docs/swagger-ui.css"' in result["docs"]
    assert result["body"] == 86 + len("hello") + 17 and result["vapid"] == "vapid t="
    assert result["notified"] is False and result["loaded"] == []
    assert any("Apprise layer" in line for line in logs), logs
    assert result["v1"] is False  # FastAPI's v1 check found no pydantic.v1 and moved on
    ours, theirs = result["frames"]
    # Our frames keep their source line; third-party frames name file, line and function.
    assert 'stellarr/settings.py"' in ours and ours.count("\n") >= 2
    assert '"/var/task/fastapi/encoders.py"' in theirs and theirs.count("\n") == 1
