"""Video I/O through the whole engine: timing, colour tags, audio, codecs, atomic output."""

from fractions import Fraction
from pathlib import Path

import av
import pytest

from stereospot.engine.convert import convert_file
from stereospot_testing.engine_media import make_video


def _probe(path: Path) -> dict[str, object]:
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        frames = sum(1 for _ in c.decode(video=0))
        return {
            "rate": v.average_rate,
            "frames": frames,
            "size": (v.codec_context.width, v.codec_context.height),
            "codec": v.codec_context.name,
            "audio": c.streams.audio[0].codec_context.name if c.streams.audio else None,
            "colour": (
                int(v.codec_context.colorspace),
                int(v.codec_context.color_primaries),
                int(v.codec_context.color_trc),
                int(v.codec_context.color_range),
            ),
            "metadata": dict(v.metadata),
        }


@pytest.mark.parametrize("rate", [Fraction(60), Fraction(60000, 1001), Fraction(50)])
def test_frame_rates_above_30_are_kept(tmp_path: Path, rate: Fraction) -> None:
    src = make_video(tmp_path / "src.mp4", frames=10, rate=rate)
    report = convert_file(src, tmp_path / "out.mp4", {})
    out = _probe(tmp_path / "out.mp4")
    assert out["rate"] == rate
    assert out["frames"] == 10 == report["frames"]
    assert report["rate"] == f"{rate.numerator}/{rate.denominator}"


def test_audio_is_copied_and_colour_tags_kept(tmp_path: Path) -> None:
    src = make_video(tmp_path / "src.mp4", frames=8, bt709=True)
    report = convert_file(src, tmp_path / "out.mp4", {"format": "full-sbs"})
    out = _probe(tmp_path / "out.mp4")
    assert report["audio"] == "copy" and out["audio"] == "aac"
    assert out["colour"] == (1, 1, 1, 1)  # BT.709 matrix, primaries, transfer; limited range
    assert out["codec"] == "h264" and out["size"] == (128, 48)


def test_audio_the_container_refuses_becomes_aac(tmp_path: Path) -> None:
    src = make_video(tmp_path / "src.mkv", frames=8, audio="pcm_s16le")
    report = convert_file(src, tmp_path / "out.mp4", {})
    assert report["audio"] == "aac"
    assert _probe(tmp_path / "out.mp4")["audio"] == "aac"


def test_matroska_output_carries_its_stereo_mode(tmp_path: Path) -> None:
    src = make_video(tmp_path / "src.mp4", frames=4, audio=None)
    convert_file(src, tmp_path / "out.mkv", {"format": "half-tb"})
    assert _probe(tmp_path / "out.mkv")["metadata"].get("stereo_mode") == "top_bottom"


def test_frames_wider_than_h264_players_take_become_hevc(tmp_path: Path) -> None:
    src = make_video(tmp_path / "src.mp4", width=2056, height=32, frames=2, audio=None)
    report = convert_file(src, tmp_path / "out.mp4", {"format": "full-sbs"})
    out = _probe(tmp_path / "out.mp4")
    assert report["codec"] == "libx265" and out["codec"] == "hevc"
    assert out["size"] == (4112, 32) and out["frames"] == 2


def test_a_failed_conversion_leaves_nothing_behind(tmp_path: Path) -> None:
    src = make_video(tmp_path / "src.mp4", frames=30)
    dst = tmp_path / "out" / "final.mp4"

    def stop(percent: int) -> None:
        if percent >= 20:
            raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError, match="cancelled"):
        convert_file(src, dst, {}, progress=stop)
    assert list(dst.parent.iterdir()) == []


def test_progress_reaches_100(tmp_path: Path) -> None:
    src = make_video(tmp_path / "src.mp4", frames=6)
    seen: list[int] = []
    convert_file(src, tmp_path / "out.mp4", {}, progress=seen.append)
    assert seen[-1] == 100 and seen == sorted(seen)
