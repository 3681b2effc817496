"""Pure pieces: the state machine, keys, events, the retry policy, names, settings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from stereospot import events
from stereospot.errors import InvalidInput, SettingsError
from stereospot.jobs import keys, naming
from stereospot.jobs.models import JobStatus as S
from stereospot.jobs.states import TRANSITIONS, allowed
from stereospot.retry import RetryPolicy
from stereospot.settings import Settings, documented
from stereospot_testing.paths import DOCS

JOB = "0123456789abcdef0123456789abcdef"


def test_finished_states_are_final_and_failed_can_retry() -> None:
    assert TRANSITIONS[S.COMPLETED] == TRANSITIONS[S.CANCELLED] == frozenset()
    assert allowed(S.FAILED, S.CONVERTING) and allowed(S.FAILED, S.QUEUED)
    assert not allowed(S.COMPLETED, S.REASSEMBLING) and not allowed(S.CONVERTING, S.CHUNKING)
    assert all(allowed(s, S.CANCELLED) for s in S if s not in (S.COMPLETED, S.CANCELLED))


def test_keys_round_trip_and_refuse_nonsense() -> None:
    assert keys.parse_segment(keys.segment_key(JOB, 3, 7)) == keys.SegmentKey(JOB, 3, 7)
    assert keys.parse_source(keys.source_key(JOB, "mkv")) == keys.SourceKey(JOB, "mkv")
    for bad in (f"segments/{JOB}/7_7.mp4", f"segments/{JOB}/1_2.mp4/x", "segments/x/0_1.mp4"):
        assert keys.parse_segment(bad) is None
    assert keys.parse_source(f"input/{JOB}/audio.mka") is None
    with pytest.raises(InvalidInput):
        keys.check_job_id("../" + JOB[3:])
    assert keys.job_prefixes(JOB)["output"] == [f"jobs/{JOB}/", f"segments/{JOB}/"]


def test_s3_events_round_trip_with_encoded_keys() -> None:
    body = events.object_created("bucket", "segments/a b+c/0_1.mp4", 12, 0.0)
    assert events.parse(body) == [events.ObjectCreated("bucket", "segments/a b+c/0_1.mp4", 12)]
    assert events.parse('{"Event": "s3:TestEvent"}') == []
    assert events.parse("not json") == []


def test_retry_policy_doubles_up_to_its_ceiling() -> None:
    policy = RetryPolicy(base=5, ceiling=30)
    assert [policy.delay(n) for n in range(1, 6)] == [5, 10, 20, 30, 30]


def test_download_names_carry_the_players_tags() -> None:
    assert naming.tagged("holiday.mov", "half-sbs") == "holiday_Half_SBS_LR.mp4"
    assert naming.tagged("film_TB.mp4", "full-sbs") == "film_TB.mp4"
    assert naming.tagged("a/b\\c<d>.mp4", "anaglyph") == "c_d_Anaglyph.mp4"


def test_settings_parse_and_fail_in_one_line() -> None:
    settings = Settings.from_env({"STEREOSPOT_SEGMENT_SECONDS": "30", "STEREOSPOT_DATA_DIR": "/x"})
    assert settings.segment_seconds == 30.0 and settings.data_dir == Path("/x")
    for env, needle in [
        ({"STEREOSPOT_BACKEND": "gcp"}, "STEREOSPOT_BACKEND"),
        ({"STEREOSPOT_SEGMENT_SECONDS": "-1"}, "positive"),
        ({"STEREOSPOT_INFERENCE": "http"}, "STEREOSPOT_INFERENCE_URL"),
        ({"STEREOSPOT_BACKEND": "aws"}, "STEREOSPOT_SIGNING_KEY"),
        ({"STEREOSPOT_SIGNING_KEY": "short"}, "32"),
    ]:
        with pytest.raises(SettingsError, match=needle) as caught:
            Settings.from_env(env)
        assert "\n" not in str(caught.value)
    # The inference container behind SageMaker checks no token: no key to be given there.
    sagemaker = {"STEREOSPOT_BACKEND": "aws", "STEREOSPOT_INFERENCE_BEHIND_SAGEMAKER": "1"}
    assert Settings.from_env(sagemaker).signing_key is None


def test_every_setting_is_documented() -> None:
    docs = (DOCS / "stereospot.md").read_text()
    assert {f.metadata["env"] for f in dataclasses.fields(Settings)} == {
        e for e, _, _ in documented()
    }
    missing = [env for env, _, _ in documented() if f"`{env}`" not in docs]
    assert missing == []


# What each part may import from the rest of StereoSpot: the domain (jobs/) and the engine
# are the bottom layers; the application service, the workers and the web sit on them, and
# only the composition root (bootstrap) and the commands put them together.
_ABOVE = ("workers", "web", "aws", "local", "commands", "inference", "service", "pipeline")
FORBIDDEN = {
    "jobs": (*_ABOVE, "bootstrap"),
    "engine": ("jobs", *_ABOVE),
    # The web is given the service: it builds nothing and runs no worker.
    "web": ("bootstrap", "workers", "pipeline", "local", "aws", "commands", "inference"),
}


def _stereospot_imports(path: Path) -> set[str]:
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        found |= {n.split(".")[1] for n in names if n.startswith("stereospot.") and "." in n}
    return found


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_the_bottom_layers_import_nothing_above_them(part: str) -> None:
    import stereospot

    folder = Path(stereospot.__file__).parent / part
    files = sorted(folder.rglob("*.py"))
    assert len(files) >= 5
    crossings = {
        f"{path.relative_to(folder.parent)} imports stereospot.{layer}"
        for path in files
        for layer in _stereospot_imports(path) & set(FORBIDDEN[part])
    }
    assert crossings == set()
