"""Fixtures for the engine's tests: tiny generated clips and models in the test's tmp dir."""

from pathlib import Path

import pytest

from stereospot_testing.engine_media import RED_HIGH, RED_LOW, tiny_red_model


@pytest.fixture
def red_model(tmp_path: Path) -> Path:
    return tiny_red_model(tmp_path / "red.onnx")


@pytest.fixture
def red_params(red_model: Path) -> dict[str, object]:
    """ONNX depth = the red channel, normalised so red 0 is D = 0 and red 255 is D = 1."""
    normalisation = {"version": 1, "backend": "onnx:red.onnx", "low": RED_LOW, "high": RED_HIGH}
    return {"depth": "onnx", "model": str(red_model), "normalisation": normalisation}
