import subprocess
import sys
from pathlib import Path

import pytest

from stereospot import __version__
from stereospot.cli import main
from stereospot.commands.convert import human_size
from stereospot.media.probe import probe
from stereospot_testing.videos import make_video


def test_every_command_module_registers(capsys: object) -> None:
    assert main(["version"]) == 0


def test_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stereospot", "version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"stereospot {__version__}"


def test_the_inference_server_listens_on_loopback_unless_told() -> None:
    from stereospot.cli import parser

    assert parser().parse_args(["inference-server"]).host == "127.0.0.1"
    assert parser().parse_args(["inference-server", "--host", "0.0.0.0"]).host == "0.0.0.0"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("source") / "clip.mp4", seconds=2)


def convert(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """`stereospot convert` with the stereo engine; what it printed on stdout."""
    code = main(["convert", *args, "--converter", "engine", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def kilobytes(path: Path) -> str:
    return f"{path.stat().st_size / 1000:.1f} kB"


def test_convert_writes_exactly_the_output_path_given(
    clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    printed = convert(capsys, str(clip), "-o", "out/film_3d.mp4")
    out = tmp_path / "out" / "film_3d.mp4"
    assert [p.name for p in out.parent.iterdir()] == ["film_3d.mp4"]  # no tag, nothing else
    assert probe(out).video_frames == probe(clip).video_frames
    # One line, with the absolute path although -o was relative.
    assert printed == (
        f"stereospot convert: wrote {out} (half-sbs, classical depth, 160x96, {kilobytes(out)})\n"
    )


def test_convert_tag_name_adds_the_vr_players_tag(
    clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = convert(capsys, str(clip), "-o", str(tmp_path / "film_3d.mp4"), "--tag-name",
                      "--format", "full-sbs")  # fmt: skip
    out = tmp_path / "film_3d_Full_SBS_LR.mp4"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
    assert printed == (
        f"stereospot convert: wrote {out} (full-sbs, classical depth, 320x96, {kilobytes(out)})\n"
    )


def test_sizes_read_as_a_person_writes_them() -> None:
    assert human_size(999) == "999 bytes"
    assert human_size(31_600) == "31.6 kB"
    assert human_size(12_345_678) == "12.3 MB"
    assert human_size(4_500_000_000) == "4.5 GB"


def test_the_cli_and_the_workers_load_no_web_framework(tmp_path: Path) -> None:
    # Every command module is imported to build the parser; `convert` and `worker` run in
    # processes that serve nothing, so FastAPI and friends (~0.17 s) must not come along.
    clip = make_video(tmp_path / "clip.mp4", seconds=1)
    child = (
        "import sys\n"
        "from stereospot.cli import main\n"
        f"code = main(['convert', {str(clip)!r}, '-o', {str(tmp_path / 'out.mp4')!r},"
        " '--converter', 'passthrough', '--quiet'])\n"
        "from stereospot.bootstrap import build\n"
        "from stereospot.workers import roles\n"
        "web = sorted({m.split('.')[0] for m in sys.modules}"
        " & {'fastapi', 'starlette', 'uvicorn', 'jinja2', 'pydantic'})\n"
        "print(code, web)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert result.stdout.splitlines()[-1] == "0 []", result.stdout + result.stderr


def test_a_one_segment_conversion_starts_no_process(
    clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from stereospot.workers import processes

    started: list[object] = []

    def no_process(*args: object, **kwargs: object) -> None:
        started.append(args)
        raise OSError("no processes in this test")

    monkeypatch.setattr(processes.subprocess, "Popen", no_process)
    printed = convert(capsys, str(clip), "-o", str(tmp_path / "one.mp4"))
    assert "wrote" in printed and started == []
    # A clip longer than one segment still gets its worker processes.
    main(["convert", str(clip), "-o", str(tmp_path / "two.mp4"), "--segment-seconds", "1",
          "--converter", "engine", "--quiet"])  # fmt: skip
    assert started
