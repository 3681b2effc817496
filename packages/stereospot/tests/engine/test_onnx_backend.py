"""The ONNX Runtime backend with a tiny model built here by onnx.helper."""

import os
from pathlib import Path

import numpy as np
import pytest

from stereospot.engine.depth.factory import make_estimator
from stereospot.engine.depth.onnx_backend import OnnxDepth, patch_size
from stereospot.engine.params import EngineParams, ParamsError
from stereospot_testing.engine_media import RED_HIGH, RED_LOW, tiny_red_model


def test_loads_on_cpu_and_returns_inverse_depth(red_model: Path) -> None:
    estimator = OnnxDepth(red_model)
    assert "CPUExecutionProvider" in estimator.providers
    assert estimator.input_size(1920, 1080) == (32, 24)  # the model's fixed size
    frames = np.zeros((3, 24, 32, 3), np.uint8)
    frames[1, ..., 0] = 255
    depth = estimator.estimate(frames)
    assert depth.shape == (3, 24, 32) and depth.dtype == np.float32
    assert depth[0] == pytest.approx(np.full((24, 32), RED_LOW), abs=1e-5)
    assert depth[1] == pytest.approx(np.full((24, 32), RED_HIGH), abs=1e-5)


def test_a_fixed_batch_of_one_is_fed_frame_by_frame(tmp_path: Path) -> None:
    model = tiny_red_model(tmp_path / "one.onnx", batch=1)
    frames = np.random.default_rng(0).integers(0, 255, (5, 24, 32, 3), dtype=np.uint8)
    assert OnnxDepth(model).estimate(frames).shape == (5, 24, 32)


def test_dynamic_sizes_get_the_patch_grid() -> None:
    assert patch_size(1920, 1080) == (924, 518)
    assert patch_size(640, 480) == (686, 518)


def test_the_factory_builds_it_from_params(red_model: Path) -> None:
    estimator = make_estimator(EngineParams.parse({"depth": "onnx", "model": str(red_model)}))
    assert estimator.name == "onnx:red.onnx"


def test_missing_model_or_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="needs a model path"):
        EngineParams.parse({"depth": "onnx"})
    with pytest.raises(FileNotFoundError, match="ONNX model not found"):
        OnnxDepth(tmp_path / "nothing.onnx")


def test_a_process_loads_a_model_once_and_again_when_it_changes(tmp_path: Path) -> None:
    model = tiny_red_model(tmp_path / "tiny.onnx")
    params = EngineParams.parse({"depth": "onnx", "model": str(model)})
    first = make_estimator(params)
    assert make_estimator(EngineParams.parse({"depth": "onnx", "model": str(model)})) is first
    assert make_estimator(EngineParams.parse({})) is not first  # classical: its own
    tiny_red_model(model, width=48, height=32)  # replaced on disk (a re-fetch)
    os.utime(model, ns=(1, 1))
    again = make_estimator(params)
    assert again is not first
    assert again.input_size(640, 480) == (48, 32)
    with pytest.raises(FileNotFoundError, match="depth model not found"):
        make_estimator(EngineParams.parse({"depth": "onnx", "model": str(tmp_path / "x")}))
