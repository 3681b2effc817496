"""`stellarr lambda-package` for real: arm64 wheels from PyPI, two zips, no boto3 inside."""

from __future__ import annotations

import zipfile
from pathlib import Path

from stellarr.lambda_package import build


def test_builds_function_and_layer_zips_without_boto3(tmp_path: Path) -> None:
    sizes = build(tmp_path)
    assert set(sizes) == {"lambda.zip", "layer.zip"}
    with zipfile.ZipFile(tmp_path / "lambda.zip") as function:
        names = function.namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert not {t for t in tops if t.split("-")[0] in ("boto3", "botocore", "s3transfer")}
    assert {"stellarr", "fastapi", "pydantic_core", "httpx", "mangum"} <= tops
    assert "stellarr/lambda_handler.py" in names
    assert not {t for t in tops if t.split("-")[0] in ("uvicorn", "uvloop", "click")}
    assert any(
        n.startswith("pydantic_core/") and "aarch64" in n and n.endswith(".so") for n in names
    )
    with zipfile.ZipFile(tmp_path / "layer.zip") as layer:
        layer_names = layer.namelist()
    assert any(n.startswith("python/cryptography/") for n in layer_names)
    for zipped, unpacked in sizes.values():
        assert 0 < zipped < unpacked
