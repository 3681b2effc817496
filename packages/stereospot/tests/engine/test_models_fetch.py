"""`stereospot models fetch`: checksums, resume or restart, never a half file in place."""

import hashlib
import os
from pathlib import Path

import httpx
import pytest

from stereospot.cli import main
from stereospot.engine.fetch import ChecksumMismatch, fetch
from stereospot_testing.engine_http import Behaviour, model_server

BODY = os.urandom(3 * 1024 * 1024 + 17)
SHA = hashlib.sha256(BODY).hexdigest()


def _client() -> httpx.Client:
    return httpx.Client(timeout=10)


def test_download_is_verified_and_put_in_place(tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    with model_server(Behaviour(BODY)) as url, _client() as client:
        path = fetch(
            url, tmp_path / "m.onnx", SHA, client=client, progress=lambda *a: seen.append(a)
        )
    assert path.read_bytes() == BODY
    assert seen[-1] == (len(BODY), len(BODY))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx"]


def test_checksum_mismatch_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    with (
        model_server(Behaviour(BODY)) as url,
        _client() as client,
        pytest.raises(ChecksumMismatch, match="checksum mismatch"),
    ):
        fetch(url, tmp_path / "m.onnx", "0" * 64, client=client)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_download_resumes_with_range(tmp_path: Path) -> None:
    behaviour = Behaviour(BODY, cut_first_after=1_000_000)
    with model_server(behaviour) as url, _client() as client:
        path = fetch(url, tmp_path / "m.onnx", SHA, client=client)
    assert path.read_bytes() == BODY
    assert behaviour.requests[0] is None
    assert behaviour.requests[1] is not None
    resumed_from = int(behaviour.requests[1].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_from <= 1_000_000
    assert not (tmp_path / "m.onnx.part").exists()


def test_interrupted_download_restarts_when_range_is_ignored(tmp_path: Path) -> None:
    behaviour = Behaviour(BODY, honour_range=False, cut_first_after=500_000)
    with model_server(behaviour) as url, _client() as client:
        path = fetch(url, tmp_path / "m.onnx", SHA, client=client)
    assert path.read_bytes() == BODY  # the 200 overwrote the part rather than appending
    assert len(behaviour.requests) == 2


def test_a_part_left_by_a_killed_run_is_resumed(tmp_path: Path) -> None:
    (tmp_path / "m.onnx.part").write_bytes(BODY[:123_456])
    behaviour = Behaviour(BODY)
    with model_server(behaviour) as url, _client() as client:
        fetch(url, tmp_path / "m.onnx", SHA, client=client)
    assert behaviour.requests == ["bytes=123456-"]
    assert (tmp_path / "m.onnx").read_bytes() == BODY


def test_the_command_prints_the_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with model_server(Behaviour(BODY)) as url:
        code = main(["models", "fetch", url, "--sha256", SHA, "--dir", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0
    assert out.strip() == str(tmp_path / "model.onnx")
    assert "MB" in err  # the progress bar


def test_the_command_refuses_a_bad_checksum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with model_server(Behaviour(BODY)) as url:
        code = main(
            ["models", "fetch", url, "--sha256", "ab" * 32, "--dir", str(tmp_path), "--quiet"]
        )
    assert code == 1
    assert "checksum mismatch" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_command_needs_a_checksum_for_unpinned_models(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "fetch", "depth-anything-v2-small", "--dir", str(tmp_path)]) == 2
    assert "--sha256" in capsys.readouterr().err
    assert main(["models", "fetch", "no-such-model", "--dir", str(tmp_path)]) == 2
