"""Tiny generated media and models for the engine's tests: nothing downloaded, all in tmp."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray

Scene = Callable[[int, int, int], NDArray[np.uint8]]  # (index, width, height) -> RGB


def square_scene(index: int, width: int, height: int) -> NDArray[np.uint8]:
    """A red square (near, for the red-channel test model) on a textured dark background."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.zeros((height, width, 3), np.uint8)
    image[..., 1] = ((x // 4 + y // 4) % 2) * 120 + 40
    image[..., 2] = (x * 255 // max(1, width - 1)).astype(np.uint8)
    h0, w0 = height // 3, width // 3
    image[h0 : 2 * h0, w0 : 2 * w0] = (255, 255, 255)
    return image


def plain_square_scene(index: int, width: int, height: int) -> NDArray[np.uint8]:
    """A white square on black: its edges are easy to find in every layout."""
    image = np.zeros((height, width, 3), np.uint8)
    h0, w0 = height // 3, width // 3
    image[h0 : 2 * h0, w0 : 2 * w0] = 255
    return image


def make_video(
    path: Path,
    *,
    width: int = 64,
    height: int = 48,
    frames: int = 12,
    rate: Fraction | int = 30,
    scene: Scene = square_scene,
    audio: str | None = "aac",
    crf: int = 10,
    bt709: bool = False,
) -> Path:
    """An H.264 clip (with a 440 Hz tone in `audio` codec, or none) of `scene` frames."""
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=rate, options={"crf": str(crf)})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        if bt709:  # tagged HD colour, which the engine must carry to its output
            cc = video.codec_context
            cc.colorspace = cc.color_primaries = cc.color_trc = 1
            cc.color_range = 1
        tone = None
        if audio is not None:
            tone = container.add_stream(audio, rate=48000)
            tone.layout = "mono"
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(scene(i, width, height), format="rgb24")
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
        if tone is not None:
            samples = int(48000 * frames / Fraction(rate))
            t = np.arange(samples) / 48000
            fmt = "s16" if audio.startswith("pcm") else "fltp"
            wave = 0.3 * np.sin(2 * np.pi * 440 * t)
            data = (wave * 32767).astype(np.int16) if fmt == "s16" else wave.astype(np.float32)
            for start in range(0, samples, 1024):
                chunk = data[None, start : start + 1024]
                out = av.AudioFrame.from_ndarray(chunk, format=fmt, layout="mono")
                out.sample_rate = 48000
                out.pts = start
                for packet in tone.encode(out):
                    container.mux(packet)
            for packet in tone.encode(None):
                container.mux(packet)
    return path


def read_frames(path: Path) -> list[NDArray[np.uint8]]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def tiny_red_model(path: Path, width: int = 32, height: int = 24, batch: str | int = "N") -> Path:
    """A Depth-Anything-shaped ONNX model whose "inverse depth" is the input's red channel.

    (N, 3, H, W) float32 in, (N, H, W) out, through a 1x1 convolution, as a real model's
    head would end: a scene's depth is then whatever its red channel says.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.array([[[[1.0]], [[0.0]], [[0.0]]]], np.float32), "w")
    image = helper.make_tensor_value_info(
        "pixel_values", TensorProto.FLOAT, [batch, 3, height, width]
    )
    depth = helper.make_tensor_value_info(
        "predicted_depth", TensorProto.FLOAT, [batch, height, width]
    )
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["pixel_values", "w"], ["conv"]),
            helper.make_node("Squeeze", ["conv", "axis"], ["predicted_depth"]),
        ],
        "tiny_red_depth",
        [image],
        [depth],
        initializer=[weight, numpy_helper.from_array(np.array([1], np.int64), "axis")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


# What the red-channel model outputs for red 0 and red 255 (ImageNet-normalised input).
RED_LOW = (0.0 - 0.485) / 0.229
RED_HIGH = (1.0 - 0.485) / 0.229
