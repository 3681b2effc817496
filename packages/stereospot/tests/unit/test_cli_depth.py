"""`stereospot convert --depth/--model`: neural depth from the command line, through a job,
with the tiny ONNX model the tests build (depth = the frame's red channel)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from stereospot.cli import main
from stereospot_testing.engine_media import tiny_red_model
from stereospot_testing.videos import make_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("source") / "clip.mp4", seconds=1)


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_red_model(tmp_path_factory.mktemp("model") / "tiny-red.onnx")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["convert", *args, "--converter", "engine", "--quiet"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def said(err: str) -> list[str]:
    """What convert told the user on stderr, the engine's comfort report left out."""
    return [line for line in err.splitlines() if not line.startswith("comfort: ")]


def first_frame(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        return frame.to_ndarray(format="rgb24")


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv("STEREOSPOT_MODEL_DIR", str(folder))
    return folder


def test_a_model_file_given_by_path_gives_other_depth_than_classical(
    clip: Path,
    model: Path,
    models_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Full SBS at 10 % moves pixels by up to 8 px on this 160 px clip (2 % of an 80 px half
    # SBS eye would round every shift to nothing).
    strong = ("--format", "full-sbs", "--strength", "10")
    code, out, err = run(capsys, str(clip), "-o", str(tmp_path / "neural.mp4"), *strong,
                         "--model", str(model))  # fmt: skip
    assert code == 0, err
    assert "(full-sbs, onnx depth from tiny-red.onnx, " in out
    code, out, err = run(capsys, str(clip), "-o", str(tmp_path / "flat.mp4"), *strong,
                         "--depth", "classical")  # fmt: skip
    assert code == 0, err
    assert "(full-sbs, classical depth, " in out
    assert said(err) == []  # asked for classical: no advice
    # The job carried the model to the engine: the red-channel depth warps differently.
    neural, flat = first_frame(tmp_path / "neural.mp4"), first_frame(tmp_path / "flat.mp4")
    assert neural.shape == flat.shape
    assert np.abs(neural.astype(int) - flat.astype(int)).mean() > 1.0


def test_an_installed_model_is_the_default_and_is_named(
    clip: Path,
    model: Path,
    models_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    models_dir.mkdir()
    (models_dir / "depth-small.onnx").write_bytes(model.read_bytes())
    code, out, err = run(capsys, str(clip), "-o", str(tmp_path / "out.mp4"))
    assert code == 0, err
    assert said(err) == ["stereospot convert: depth model depth-small.onnx (onnx)"]
    assert "(half-sbs, onnx depth from depth-small.onnx, " in out
    code, out, err = run(capsys, str(clip), "-o", str(tmp_path / "named.mp4"), "--model",
                         "depth-small.onnx")  # fmt: skip
    assert code == 0, err
    assert "onnx depth from depth-small.onnx" in out


def test_without_a_model_it_says_so_in_one_line_then_converts_classically(
    clip: Path, models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, str(clip), "-o", str(tmp_path / "out.mp4"))
    assert code == 0, err
    [line] = said(err)
    assert "no depth model in" in line and "stereospot models fetch" in line
    assert "classical depth" in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--model", "absent.onnx"], "no depth model 'absent.onnx'"),
        (["--depth", "onnx"], "--depth onnx needs a model"),
        (["--depth", "torch", "--model", "MODEL"], "--depth torch cannot read tiny-red.onnx"),
    ],
)
def test_a_depth_that_cannot_be_had_stops_before_converting(
    clip: Path,
    model: Path,
    models_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    says: str,
) -> None:
    args = [str(model) if a == "MODEL" else a for a in args]
    code, out, err = run(capsys, str(clip), "-o", str(tmp_path / "out.mp4"), *args)
    assert code == 2
    assert says in err and out == ""
    assert not (tmp_path / "out.mp4").exists()


def test_a_file_that_is_no_model_is_refused(
    clip: Path, models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, str(clip), "-o", str(tmp_path / "out.mp4"), "--model", str(clip))
    assert code == 2
    assert "not a depth model" in err
