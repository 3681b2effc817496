"""Reading a segment in place gives what a segment file would have held, and the join
writes its file once with the index first, or the long way when the index outgrows its
room."""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import pytest

from stereospot.media import join as join_module
from stereospot.media.container import open_packets
from stereospot.media.join import join
from stereospot.media.span import check_span, span_of, span_packets
from stereospot.media.split import cut_points, split
from stereospot_testing.videos import make_video, mp4_boxes


def packets(container_path: Path, span: tuple[int, int | None] | None = None) -> list[tuple]:
    with open_packets(container_path) as container:
        video = container.streams.video[0]
        found = (
            span_packets(container, video, span)
            if span is not None
            else (p for p in container.demux(video) if p.size)
        )
        tb = video.time_base
        return [
            (
                round(float(p.pts * tb), 3),
                p.dts,
                p.is_keyframe,
                hashlib.sha256(bytes(p)).hexdigest(),
            )
            for p in found
        ]


@pytest.mark.parametrize("container", ["mp4", "matroska", "mpegts"])
def test_a_span_holds_the_packets_of_the_segment_file_cut_there(
    tmp_path: Path, container: str
) -> None:
    # MPEG-TS has no index: its seeks land where they can, and a span still starts at its
    # own keyframe.
    source = make_video(
        tmp_path / f"clip.{container}",
        seconds=6,
        keyframes=[1.5, 3.1, 4.6],
        gop=250,
        container=container,
    )
    cuts = cut_points(source, 1.0)
    files = split(source, 1.0, tmp_path).paths
    assert len(cuts.starts) == len(files) == 4 and cuts.has_audio
    for index, path in enumerate(files):
        in_place = packets(source, span_of(cuts.starts, index))
        assert in_place, index
        assert in_place[0][2]  # a keyframe first
        in_file = packets(path)
        if container == "mp4":
            assert in_place == in_file
        else:
            # Matroska keeps no decode times (the MP4 file computes them, in its own time
            # base), and MPEG-TS carries H.264 in another framing (the MP4 muxer rewrites
            # it): the pictures, their times and their keyframes still match.
            keep = (0, 2) if container == "mpegts" else (0, 2, 3)
            assert [[p[k] for k in keep] for p in in_place] == [
                [p[k] for k in keep] for p in in_file
            ]


def test_spans_from_json_are_checked() -> None:
    assert check_span([0, None]) == (0, None)
    assert check_span([10, 20]) == (10, 20)
    for bad in ([0], [5, 5], [9, 2], ["0", None], [0.5, None], [True, None], "0-9", None):
        with pytest.raises(ValueError):
            check_span(bad)


def test_the_join_writes_the_index_first_in_room_it_reserved(tmp_path: Path) -> None:
    source = make_video(tmp_path / "clip.mp4", seconds=4, keyframes=[2.0], gop=250)
    segments = split(source, 2.0, tmp_path).paths
    out = tmp_path / "joined.mp4"
    join(segments, source, out)
    names = mp4_boxes(out)
    assert names.index("moov") < names.index("free") < names.index("mdat"), names
    assert [p[3] for p in packets(out)] == [p[3] for p in packets(source)]


def test_an_index_that_outgrows_its_room_is_written_the_long_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_video(tmp_path / "clip.mp4", seconds=4, keyframes=[2.0], gop=250)
    segments = split(source, 2.0, tmp_path).paths
    monkeypatch.setattr(join_module, "_INDEX_PER_SAMPLE", 0)
    monkeypatch.setattr(join_module, "_INDEX_FIXED", 64)  # far too small for any index
    tried: list[dict[str, str]] = []
    write = join_module._write

    def recorded(*args: object) -> None:
        tried.append(args[-1])  # type: ignore[arg-type]
        write(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(join_module, "_write", recorded)
    out = tmp_path / "joined.mp4"
    join(segments, source, out)
    assert tried == [{"moov_size": "64"}, {"movflags": "+faststart"}]
    names = mp4_boxes(out)
    assert names.index("moov") < names.index("mdat"), names
    assert [p[3] for p in packets(out)] == [p[3] for p in packets(source)]


def test_pcm_sound_reserves_an_index_for_its_packets_not_its_samples(tmp_path: Path) -> None:
    # MOV counts PCM's single samples as its frames: 48,000 a second, where the AAC the
    # join re-encodes it to makes 47 packets. The room reserved follows the packets.
    import av
    import numpy as np

    picture = make_video(tmp_path / "picture.mp4", seconds=5, audio=False)
    source = tmp_path / "camera.mov"
    with av.open(str(picture)) as inp, av.open(str(source), "w", format="mov") as out:
        video = out.add_stream_from_template(inp.streams.video[0])
        sound = out.add_stream("pcm_s16le", rate=48000)
        for packet in inp.demux(inp.streams.video[0]):
            if packet.size:
                packet.stream = video
                out.mux(packet)
        tone = (np.sin(np.arange(48000 * 5) / 20) * 8000).astype(np.int16)
        for start in range(0, tone.size, 4800):
            frame = av.AudioFrame.from_ndarray(tone[None, start : start + 4800], "s16", "mono")
            frame.sample_rate = 48000
            out.mux(sound.encode(frame))
        out.mux(sound.encode(None))
    with open_packets(source) as probe:
        assert probe.streams.audio[0].frames > 100_000  # what MOV says: samples
    segments = split(source, 10.0, tmp_path).paths
    out = tmp_path / "joined.mp4"
    join(segments, source, out)
    # The index's room is a few kB, not 24 bytes for each of 240,000 samples (5.8 MB).
    assert out.stat().st_size < segments[0].stat().st_size + 500_000
    with open_packets(out) as joined:
        assert joined.streams.audio[0].codec_context.name == "aac"


@pytest.mark.parametrize("container", ["mp4", "matroska"])
def test_the_spans_of_a_film_last_as_long_as_the_film(tmp_path: Path, container: str) -> None:
    from stereospot.media.span import span_seconds

    # Matroska gives no stream duration: the last span runs to the container's end.
    source = make_video(tmp_path / "clip", seconds=5, keyframes=[2.1, 4.2], gop=250,
                        container=container)  # fmt: skip
    cuts = cut_points(source, 2.0)
    with open_packets(source) as opened:
        video = opened.streams.video[0]
        lengths = [span_seconds(video, span_of(cuts.starts, i)) for i in range(3)]
    assert lengths[0] == pytest.approx(2.08, abs=0.01)
    assert lengths[1] == pytest.approx(2.12, abs=0.01)
    assert sum(lengths) == pytest.approx(5.0, abs=0.2)


def test_a_cut_pass_counts_the_frames_and_says_how_far_it_is(tmp_path: Path) -> None:
    source = make_video(tmp_path / "clip.mp4", seconds=6, gop=24)
    heard: list[float] = []
    cuts = cut_points(source, 2.0, heard.append)
    written = split(source, 2.0, tmp_path)
    frames = len(packets(source))
    assert cuts.frames == written.frames == frames == 144
    # About every 2 % of the source, always forward, nearly to the end.
    assert len(heard) >= 30 and heard == sorted(heard)
    assert 0 < heard[0] < 0.1 and 0.9 < heard[-1] <= 1.0
    # A stream that starts 10 s in (as MPEG-TS streams cut from a broadcast do): counted from
    # its start, not from 0.
    late = tmp_path / "late.ts"
    with av.open(str(source)) as original, av.open(str(late), "w", format="mpegts") as out:
        video = original.streams.video[0]
        stream = out.add_stream_from_template(video)
        shift = int(10 / video.time_base)
        for packet in original.demux(video):
            if packet.dts is None:
                continue
            packet.pts += shift
            packet.dts += shift
            packet.stream = stream
            out.mux(packet)
    far: list[float] = []
    assert cut_points(late, 2.0, far.append).frames == frames
    assert far and far[0] < 0.1 and far == sorted(far) and far[-1] > 0.9, far[:3]
    said: list[float] = []
    (tmp_path / "again").mkdir()
    split(source, 2.0, tmp_path / "again", progress=said.append)
    assert said and said == sorted(said) and said[-1] > 0.9
