"""The film moves once: a local job reads its source in place (cut points on the job, no
segment files, the audio taken from the source), the join writes the final file once with
its index first, and once it is stored nothing but the source and the final is left."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from stereospot.jobs import keys
from stereospot.jobs.models import JobStatus
from stereospot.media.container import open_packets
from stereospot.ports import ObjectRef
from stereospot_testing.backends import Harness
from stereospot_testing.pipeline import assert_matches_source, make_app, submit
from stereospot_testing.videos import make_video, mp4_boxes


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    return make_video(folder / "clip.mp4", seconds=7, keyframes=[1.3, 2.9, 4.1, 5.5], gop=250)


def video_packets(path: Path) -> list[str]:
    with open_packets(path) as container:
        video = container.streams.video[0]
        return [hashlib.sha256(bytes(p)).hexdigest() for p in container.demux(video) if p.size]


def test_a_local_job_reads_its_source_in_place_and_leaves_one_copy(
    harness: Harness, clip: Path, tmp_path: Path
) -> None:
    app = make_app(harness)
    job = submit(app, clip)
    app.drain()
    done = app.backend.jobs.get(job.job_id)
    assert done is not None and done.status == JobStatus.COMPLETED
    objects = app.backend.objects
    source = keys.source_key(job.job_id, "mp4")
    if harness.kind == "local":
        # Cut points on the job (the keyframes at 0, 2.9 and 5.5 s), never segment files.
        assert done.cuts is not None and len(done.cuts) == 3 and done.cuts[0] == 0
    else:
        assert done.cuts is None  # on S3 the workers are elsewhere: segment files
    # Whatever way it was cut, only the source and the final are left.
    assert objects.keys("input", f"input/{job.job_id}/") == [source]
    assert objects.keys("input", keys.segments_prefix(job.job_id)) == []
    assert objects.keys("output", keys.output_segments_prefix(job.job_id)) == []
    final = tmp_path / "final.mp4"
    objects.get_file(ObjectRef("output", keys.final_key(job.job_id)), final)
    # Written once, index first: no faststart rewrite, and a player starts at once.
    boxes = mp4_boxes(final)
    assert boxes.index("moov") < boxes.index("mdat"), boxes
    # Pass-through: the very packets of the source, and its sound.
    assert video_packets(final) == video_packets(clip)
    assert assert_matches_source(app, job.job_id, clip).has_audio


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_a_matroska_source_is_read_in_place_too(harness: Harness, tmp_path: Path) -> None:
    mkv = make_video(
        tmp_path / "clip.mkv", seconds=5, keyframes=[2.1, 4.2], gop=250, container="matroska"
    )
    app = make_app(harness)
    job = submit(app, mkv)
    app.drain()
    done = app.backend.jobs.get(job.job_id)
    assert done is not None and done.status == JobStatus.COMPLETED, done
    assert done.cuts is not None and len(done.cuts) == 3  # 0, 2.1 and 4.2 s
    final = tmp_path / "final.mp4"
    app.backend.objects.get_file(ObjectRef("output", keys.final_key(job.job_id)), final)
    assert video_packets(final) == video_packets(mkv)


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_the_final_is_on_the_disk_before_what_it_was_made_from_is_deleted(
    harness: Harness, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stereospot.local import objects as folder_store

    happened: list[str] = []
    sync = folder_store._sync
    monkeypatch.setattr(
        folder_store, "_sync", lambda path: (happened.append(f"sync {path.name}"), sync(path))
    )
    store = harness.backend.objects
    delete = store.delete_prefix

    def deleting(bucket: str, prefix: str) -> int:
        happened.append(f"delete {bucket}:{prefix}")
        return delete(bucket, prefix)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "delete_prefix", deleting)
    app = make_app(harness)
    job = submit(app, clip)
    app.drain()
    assert app.service.detail("ann", job.job_id).job.status == JobStatus.COMPLETED
    # The final's bytes, then its folder's entry, then the segments go.
    first_delete = next(i for i, e in enumerate(happened) if e.startswith("delete"))
    synced = happened[:first_delete]
    assert synced[-2:] == ["sync final.mp4", f"sync {job.job_id}"], happened
    assert f"delete output:segments/{job.job_id}/" in happened[first_delete:]
