"""ObjectStore: whole writes, once-only writes, events for new objects, uploads, keys."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from stereospot import events
from stereospot.errors import InvalidInput, NotFound
from stereospot.ports import ObjectRef, UploadedPart
from stereospot_testing.backends import Harness

JOB = "0123456789abcdef0123456789abcdef"


def test_put_get_list_delete(harness: Harness, tmp_path: Path) -> None:
    store = harness.backend.objects
    src = tmp_path / "a.bin"
    src.write_bytes(b"hello" * 100)
    store.put_file(ObjectRef("output", f"jobs/{JOB}/segments/0.mp4"), src)
    store.put_bytes(ObjectRef("output", f"jobs/{JOB}/final.mp4"), b"final")
    store.put_bytes(ObjectRef("output", "jobs/other/final.mp4"), b"x")
    assert store.get_bytes(ObjectRef("output", f"jobs/{JOB}/final.mp4")) == b"final"
    store.get_file(ObjectRef("output", f"jobs/{JOB}/segments/0.mp4"), tmp_path / "b.bin")
    assert (tmp_path / "b.bin").read_bytes() == src.read_bytes()
    assert store.size(ObjectRef("output", f"jobs/{JOB}/final.mp4")) == 5
    assert store.size(ObjectRef("output", f"jobs/{JOB}/none.mp4")) is None
    assert store.keys("output", f"jobs/{JOB}/") == [
        f"jobs/{JOB}/final.mp4",
        f"jobs/{JOB}/segments/0.mp4",
    ]
    assert store.delete_prefix("output", f"jobs/{JOB}/") == 2
    assert store.keys("output", "jobs/") == ["jobs/other/final.mp4"]
    with pytest.raises(NotFound):
        store.get_bytes(ObjectRef("output", f"jobs/{JOB}/final.mp4"))


def test_if_absent_writes_once_among_threads(harness: Harness, tmp_path: Path) -> None:
    store = harness.backend.objects
    files = []
    for n in range(4):
        files.append(tmp_path / f"{n}.bin")
        files[-1].write_bytes(bytes([n]) * 1000)
    ref = ObjectRef("output", f"jobs/{JOB}/final.mp4")
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda f: store.put_file(ref, f, if_absent=True), files))
    assert results.count(True) == 1
    assert store.get_bytes(ref) == files[results.index(True)].read_bytes()


def test_an_adopted_file_is_stored_and_given_up(harness: Harness, tmp_path: Path) -> None:
    objects = harness.backend.objects
    staging = objects.staging()
    folder = staging if staging is not None else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    ref = ObjectRef("output", "jobs/adopt/final.mp4")
    first, second = folder / "first.bin", folder / "second.bin"
    first.write_bytes(b"first")
    second.write_bytes(b"second")
    assert objects.adopt_file(ref, first, if_absent=True) is True
    assert objects.adopt_file(ref, second, if_absent=True) is False  # the first one stays
    assert objects.get_bytes(ref) == b"first"
    assert not first.exists() and not second.exists()


def test_a_linked_file_is_stored_and_kept_by_its_owner(harness: Harness, tmp_path: Path) -> None:
    objects = harness.backend.objects
    film = tmp_path / "film.mp4"
    film.write_bytes(b"a film's bytes")
    ref = ObjectRef("input", "input/linked/source.mp4")
    objects.link_file(ref, film)
    assert objects.get_bytes(ref) == b"a film's bytes"
    assert film.read_bytes() == b"a film's bytes"  # the owner's file is untouched
    local = objects.local_path(ref)
    if local is not None:  # the folder store: the same bytes on disk, not a copy
        assert local.stat().st_ino == film.stat().st_ino


def test_an_object_is_copied_inside_the_store(harness: Harness) -> None:
    objects = harness.backend.objects
    source = ObjectRef("input", "input/first/source.mp4")
    objects.put_bytes(source, b"the film")
    again = ObjectRef("input", "input/second/source.mp4")
    objects.copy(source, again)
    assert objects.get_bytes(again) == b"the film"
    objects.delete_prefix("input", "input/first/")
    assert objects.get_bytes(again) == b"the film"  # a copy, not a reference
    with pytest.raises(NotFound):
        objects.copy(source, ObjectRef("input", "input/third/source.mp4"))


def test_new_objects_emit_s3_events(harness: Harness) -> None:
    store, queues = harness.backend.objects, harness.backend.queues
    store.put_bytes(ObjectRef("input", f"input/{JOB}/source.mp4"), b"src")
    store.put_bytes(ObjectRef("input", f"segments/{JOB}/0_2.mp4"), b"seg")
    store.put_bytes(ObjectRef("output", f"jobs/{JOB}/final.mp4"), b"out")

    def created(queue_pair: object) -> list[events.ObjectCreated]:
        found = []
        while batch := queue_pair.main.receive(10, wait=1):  # type: ignore[attr-defined]
            for message in batch:
                found.extend(events.parse(message.body))
                queue_pair.main.delete(message.receipt)  # type: ignore[attr-defined]
        return found

    [source] = created(queues.chunking)
    assert source.key == f"input/{JOB}/source.mp4" and source.size == 3
    assert store.ref(f"s3://{source.bucket}/x") if harness.kind == "aws" else True
    [segment] = created(queues.video)
    assert segment.key == f"segments/{JOB}/0_2.mp4"


def test_uris_round_trip_and_foreign_ones_are_refused(harness: Harness) -> None:
    store = harness.backend.objects
    ref = ObjectRef("input", f"segments/{JOB}/1_3.mp4")
    assert store.ref(store.uri(ref)) == ref
    for bad in (
        "s3://elsewhere/x",
        "file:///etc/passwd",
        "http://a/b",
        store.uri(ref) + "/../../x",
    ):
        with pytest.raises(InvalidInput):
            store.ref(bad)


@pytest.mark.parametrize(
    "key", ["../escape", "input/../../x", "/abs/key", "a//b", "a/./b", "a\\b", "", "a/b\n", "x/"]
)
def test_traversal_keys_are_refused(harness: Harness, key: str) -> None:
    with pytest.raises(InvalidInput):
        harness.backend.objects.put_bytes(ObjectRef("input", key), b"x")


def test_resumable_upload(harness: Harness) -> None:
    store = harness.backend.objects
    ref = ObjectRef("input", f"input/{JOB}/source.mkv")
    upload = store.start_upload(ref)
    first = b"a" * (5 * 1024 * 1024)  # S3's smallest part but the last
    etag1 = store.put_part(ref, upload, 1, first)
    url = store.part_url(ref, upload, 2, 300, len(b"tail"))
    if url is None:
        etag2 = store.put_part(ref, upload, 2, b"tail")
    else:
        response = httpx.put(url, content=b"tail")
        assert response.status_code == 200
        etag2 = response.headers["etag"]
    assert [(p.number, p.etag, p.size) for p in store.parts(ref, upload)] == [
        (1, etag1, len(first)),
        (2, etag2, 4),
    ]
    with pytest.raises(InvalidInput):
        store.complete_upload(ref, upload, [UploadedPart(1, '"nope"', 1)])
    store.complete_upload(ref, upload, store.parts(ref, upload))
    assert store.get_bytes(ref) == first + b"tail"
    [message] = harness.backend.queues.chunking.main.receive(wait=1)
    assert json.loads(message.body)["Records"][0]["eventName"].startswith("ObjectCreated:")


def test_abort_and_unknown_uploads(harness: Harness) -> None:
    store = harness.backend.objects
    ref = ObjectRef("input", f"input/{JOB}/source.mp4")
    upload = store.start_upload(ref)
    store.put_part(ref, upload, 1, b"x")
    store.abort_upload(ref, upload)
    with pytest.raises(NotFound):
        store.parts(ref, upload)
    with pytest.raises(NotFound):
        store.parts(ObjectRef("input", f"input/{JOB}/other.mp4"), "0" * 32)
