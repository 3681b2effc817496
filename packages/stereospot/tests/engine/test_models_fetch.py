"""`stereospot models fetch|verify|list` against a hub on 127.0.0.1 (HF_ENDPOINT), with the
tiny ONNX model the tests build standing in for Depth Anything: the first fetch pins commit
and SHA-256, later fetches hold to the pin, a changed file is refused, and what is
installed converts."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from stereospot.cli import main
from stereospot.engine.fetch import KNOWN, LOCK_FILE
from stereospot_testing.engine_http import Hub, hub_server
from stereospot_testing.engine_media import tiny_red_model

NAME = "depth-anything-v2-small"
REPO, FILE = KNOWN[NAME].repo_id, KNOWN[NAME].filename
FIRST, SECOND = "a" * 40, "b" * 40


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return tiny_red_model(tmp_path_factory.mktemp("tiny") / "tiny.onnx").read_bytes()


@pytest.fixture
def hub(tiny: bytes, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    served = Hub()
    served.publish(REPO, FIRST, FILE, tiny)
    with hub_server(served) as url:
        monkeypatch.setenv("HF_ENDPOINT", url)
        monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
        yield served


def models(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["models", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def lock(folder: Path) -> dict[str, dict[str, object]]:
    entries: dict[str, dict[str, object]] = json.loads((folder / LOCK_FILE).read_text())["models"]
    return entries


def test_the_first_fetch_installs_and_pins_commit_and_checksum(
    hub: Hub, tiny: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = models(capsys, "fetch", NAME, "--dir", str(tmp_path), "--quiet")
    assert code == 0, err
    installed = tmp_path / f"{NAME}.onnx"
    assert installed.read_bytes() == tiny
    sha = hashlib.sha256(tiny).hexdigest()
    assert out == f"{installed}\t{REPO}@{FIRST}\tsha256={sha}\n"
    assert lock(tmp_path)[NAME] == {
        "repo_id": REPO,
        "filename": FILE,
        "revision": FIRST,
        "sha256": sha,
        "size": len(tiny),
    }
    code, out, _ = models(capsys, "verify", "--dir", str(tmp_path))
    assert (code, out.split("\t")[:2]) == (0, [NAME, "ok"])
    code, out, _ = models(capsys, "list", "--dir", str(tmp_path))
    assert f"{NAME}\t{REPO}/{FILE}\tApache-2.0\tinstalled, pinned to {FIRST[:12]}\n" in out


def test_later_fetches_hold_to_the_pin_when_main_moves(
    hub: Hub, tiny: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert models(capsys, "fetch", NAME, "--dir", str(tmp_path), "--quiet")[0] == 0
    (tmp_path / f"{NAME}.onnx").unlink()
    hub.publish(REPO, SECOND, FILE, tiny + b"\0 a newer export")  # main moves on
    code, out, err = models(capsys, "fetch", NAME, "--dir", str(tmp_path), "--quiet")
    assert code == 0, err
    assert f"@{FIRST}\t" in out
    assert (tmp_path / f"{NAME}.onnx").read_bytes() == tiny

    # --revision re-pins, and says so.
    code, out, err = models(capsys, "fetch", NAME, "--dir", str(tmp_path), "--revision",
                            "main", "--quiet")  # fmt: skip
    assert code == 0, err
    assert f"re-pinned from {FIRST[:12]} to {SECOND[:12]}" in err
    assert lock(tmp_path)[NAME]["revision"] == SECOND
    assert (tmp_path / f"{NAME}.onnx").read_bytes().endswith(b"a newer export")


def test_a_changed_file_under_the_pinned_commit_is_refused(
    hub: Hub, tiny: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert models(capsys, "fetch", NAME, "--dir", str(tmp_path / "first"), "--quiet")[0] == 0
    # Another machine, given the deployment's lock file; the hub now serves other bytes
    # under the pinned commit, consistently announced.
    fresh = tmp_path / "second"
    fresh.mkdir()
    (fresh / LOCK_FILE).write_bytes((tmp_path / "first" / LOCK_FILE).read_bytes())
    hub.files[REPO][FIRST][FILE] = tiny + b"\0 swapped"
    code, out, err = models(capsys, "fetch", NAME, "--dir", str(fresh), "--quiet")
    assert code == 1 and out == ""
    assert "the lock file records" in err and "nothing was installed" in err
    assert not (fresh / f"{NAME}.onnx").exists()


def test_bytes_that_do_not_match_the_hubs_checksum_are_refused(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.lie_about.add(FIRST)  # the content URL serves something else than the hub announced
    code, _, err = models(capsys, "fetch", NAME, "--dir", str(tmp_path), "--quiet")
    assert code == 1
    assert "the hub's checksum is" in err
    assert not (tmp_path / f"{NAME}.onnx").exists() and not (tmp_path / LOCK_FILE).exists()


def test_an_interrupted_transfer_is_resumed(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from huggingface_hub.constants import DOWNLOAD_CHUNK_SIZE

    # huggingface_hub writes whole chunks: the cut comes after the first one arrived.
    big = os.urandom(DOWNLOAD_CHUNK_SIZE + 1024 * 1024 + 17)
    hub.files[REPO][FIRST][FILE] = big
    hub.cut_first_after = DOWNLOAD_CHUNK_SIZE + 512 * 1024
    code, _, err = models(capsys, "fetch", NAME, "--dir", str(tmp_path), "--quiet")
    assert code == 0, err
    assert (tmp_path / f"{NAME}.onnx").read_bytes() == big
    assert hub.gets[0] is None
    assert hub.gets[1:] == [f"bytes={DOWNLOAD_CHUNK_SIZE}-"]


def test_verify_names_a_tampered_or_missing_model(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert models(capsys, "fetch", NAME, "--dir", str(tmp_path), "--quiet")[0] == 0
    installed = tmp_path / f"{NAME}.onnx"
    installed.write_bytes(installed.read_bytes() + b"\0")
    code, out, _ = models(capsys, "verify", "--dir", str(tmp_path))
    assert code == 1 and f"{NAME}\tFAILED\tSHA-256 " in out
    installed.unlink()
    code, out, _ = models(capsys, "verify", "--dir", str(tmp_path))
    assert code == 1 and "is missing" in out
    code, out, _ = models(capsys, "verify", "depth-anything-v2-base", "--dir", str(tmp_path))
    assert code == 1 and "not in models.lock.json" in out


def test_unknown_names_revisions_and_repositories_are_clear_errors(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = models(capsys, "fetch", "no-such-model", "--dir", str(tmp_path))
    assert code == 2 and "one of depth-anything-v2-base" in err
    code, _, err = models(capsys, "fetch", NAME, "--dir", str(tmp_path), "--revision", "v9")
    assert code == 1 and f"{REPO}@v9" in err
    code, _, err = models(capsys, "fetch", "depth-anything-v2-base", "--dir", str(tmp_path))
    assert code == 1 and "onnx-community/depth-anything-v2-base@main" in err
    code, _, err = models(capsys, "verify", "--dir", str(tmp_path))
    assert code == 1 and "nothing pinned" in err


def test_a_fetched_model_is_what_convert_uses_by_default(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from stereospot_testing.videos import make_video

    folder = tmp_path / "models"
    monkeypatch.setenv("STEREOSPOT_MODEL_DIR", str(folder))
    assert models(capsys, "fetch", NAME, "--dir", str(folder), "--quiet")[0] == 0
    clip = make_video(tmp_path / "clip.mp4", seconds=1)
    code = main(["convert", str(clip), "-o", str(tmp_path / "out.mp4"), "--quiet",
                 "--converter", "engine"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"onnx depth from {NAME}.onnx" in captured.out


TORCH = "depth-anything-v2-small-torch"


def test_a_torch_model_is_a_pinned_folder_of_files(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from stereospot.engine.fetch import folder_digest
    from stereospot.engine.model_names import installed

    known = KNOWN[TORCH]
    bodies = {
        "config.json": b'{"model_type": "depth_anything"}',
        "model.safetensors": os.urandom(4096),
        "preprocessor_config.json": b'{"do_resize": true}',
    }
    for path, body in bodies.items():
        hub.publish(known.repo_id, FIRST, path, body)
    code, out, err = models(capsys, "fetch", TORCH, "--dir", str(tmp_path), "--quiet")
    assert code == 0, err
    folder = tmp_path / TORCH
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == bodies
    digests = {name: hashlib.sha256(body).hexdigest() for name, body in bodies.items()}
    entry = lock(tmp_path)[TORCH]
    assert entry["revision"] == FIRST and entry["files"] == digests
    assert entry["sha256"] == folder_digest(digests)
    assert out == f"{folder}\t{known.repo_id}@{FIRST}\tsha256={folder_digest(digests)}\n"
    assert installed(tmp_path) == {TORCH: "torch"}  # what jobs and the form offer
    code, out, _ = models(capsys, "list", "--dir", str(tmp_path))
    assert f"{TORCH}\t" in out and f"installed, pinned to {FIRST[:12]}" in out

    # Another machine with the deployment's lock file: every file is held to its pin, and
    # a changed one under the pinned commit is refused with nothing installed.
    fresh = tmp_path / "second"
    fresh.mkdir()
    (fresh / LOCK_FILE).write_bytes((tmp_path / LOCK_FILE).read_bytes())
    hub.files[known.repo_id][FIRST]["model.safetensors"] = b"other weights"
    code, _, err = models(capsys, "fetch", TORCH, "--dir", str(fresh), "--quiet")
    assert code == 1 and "the lock file records" in err, err
    assert not (fresh / TORCH).exists()

    (folder / "config.json").unlink()

    code, out, _ = models(capsys, "verify", TORCH, "--dir", str(tmp_path))
    assert code == 1 and out == f"{TORCH}\tFAILED\tconfig.json missing or changed\n"
    (folder / "config.json").write_bytes(bodies["config.json"])
    code, out, _ = models(capsys, "verify", TORCH, "--dir", str(tmp_path))
    assert (code, out.split("\t")[:2]) == (0, [TORCH, "ok"])
