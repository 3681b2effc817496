r"""StereoSpot engine speed on an NVIDIA machine: the torch backend, each stage alone and
the whole engine, at 1080p Full SBS (3840x1080).

    PYTHONPATH=packages/stereospot/src python3 packages/stereospot/bench/gpu.py \
        [--weights FOLDER] [--frames 240] [--batch 16] [--preset veryfast] [--compile] [--json FILE]
    PYTHONPATH=packages/stereospot/src python3 packages/stereospot/bench/gpu.py --smoke
        # tiny, on the CPU: checks it runs

(from the repository's root on the NVIDIA machine; not part of `make bench-stereospot`)

Depth is Depth-Anything-V2-Small through transformers, from --weights when given, else the
same architecture with random weights (which times the same). bf16 on CUDA, input 518x924.
The whole engine overlaps the stages: a decode thread (PyAV), the GPU stage (upload, resize,
batched depth, normalise, warp both eyes, pack; only the packed frame is copied back) and
x264 on the CPU, joined by bounded queues. The floor is the slowest single stage, on such a
machine the CPU H.264 encode; the target is end to end >= 0.85x of it.
Needs only torch, transformers, numpy (on the machine) and PyAV (carried as a wheel).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import tempfile
import threading
import time
from pathlib import Path

import av
import numpy as np
import torch
import torch.nn.functional as F

from stereospot.engine.depth.torch_backend import TorchDepth, v2_small_config
from stereospot.engine.dibr_torch import render_pair_torch


def make_source(path: Path, w: int, h: int, n: int) -> None:
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=30, options={"preset": "veryfast", "crf": "20"})
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        y, x = np.mgrid[0:h, 0:w]
        base = np.stack([x % 256, y % 256, ((x // 64 + y // 64) % 2) * 160 + 40], 2)
        for i in range(n):
            img = base.copy()
            img[h // 3 : 2 * h // 3, w // 4 + 4 * i : w // 2 + 4 * i] = (230, 80, 40)
            noise = np.random.default_rng(i).integers(0, 16, (h, w, 1))
            frame = av.VideoFrame.from_ndarray(np.clip(img + noise, 0, 255).astype(np.uint8))
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)


def decode(path: Path, out: queue.Queue | None = None) -> list:  # type: ignore[type-arg]
    frames = []
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        v.thread_type = "AUTO"
        for f in c.decode(v):
            rgb = f.to_ndarray(format="rgb24")
            if out is None:
                frames.append(rgb)
            else:
                out.put(rgb)
    if out is not None:
        out.put(None)
    return frames


class Encoder:
    def __init__(self, path: Path, w: int, h: int, preset: str) -> None:
        self.c = av.open(str(path), "w")
        self.s = self.c.add_stream("libx264", rate=30, options={"preset": preset, "crf": "18"})
        self.s.width, self.s.height, self.s.pix_fmt = w, h, "yuv420p"
        self.s.thread_type = "AUTO"

    def write(self, rgb: np.ndarray) -> None:
        for p in self.s.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
            self.c.mux(p)

    def close(self) -> None:
        for p in self.s.encode(None):
            self.c.mux(p)
        self.c.close()


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def gpu_stage(est: TorchDepth, frames: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """uint8 (N, H, W, 3) on the device -> packed Full SBS uint8 (N, H, 2W, 3) on the device."""
    x = frames.permute(0, 3, 1, 2).float()
    small = F.interpolate(x, size=(size[1], size[0]), mode="bilinear", antialias=True)
    small = small.round().clamp(0, 255).permute(0, 2, 3, 1).to(torch.uint8)
    raw = est.estimate_tensor(small)
    lo = torch.quantile(raw.flatten(1)[:, ::16], 0.02, dim=1).view(-1, 1, 1)
    hi = torch.quantile(raw.flatten(1)[:, ::16], 0.98, dim=1).view(-1, 1, 1)
    d = ((raw - lo) / (hi - lo).clamp_min(1e-6)).clamp(0, 1)
    d = F.interpolate(d[:, None], size=frames.shape[1:3], mode="bilinear")[:, 0]
    left, right = render_pair_torch(frames, d)
    return torch.cat((left, right), dim=2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", type=Path)
    ap.add_argument("--frames", type=int, default=240)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--preset", default="veryfast")
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes on the CPU")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    device = "cpu" if args.smoke else "cuda"
    w, h = (320, 180) if args.smoke else (1920, 1080)
    n = 16 if args.smoke else args.frames
    batch = 4 if args.smoke else args.batch
    est = TorchDepth(args.weights or v2_small_config(), compile=args.compile, device=device,
                     short_side=70 if args.smoke else 518)  # fmt: skip
    size = est.input_size(w, h)
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src.mp4"
        make_source(src, w, h, n)
        t = time.perf_counter()
        frames = decode(src)
        rows.append((f"decode H.264 {w}x{h} -> RGB (CPU)", n / (time.perf_counter() - t)))
        host = torch.from_numpy(np.stack(frames[:batch]))
        dev = host.to(device)
        small = F.interpolate(dev.permute(0, 3, 1, 2).float(), size=(size[1], size[0]))
        small = small.clamp(0, 255).permute(0, 2, 3, 1).to(torch.uint8).contiguous()
        for b in sorted({1, 8, batch}):
            if b > batch:
                continue
            for _ in range(3):
                est.estimate_tensor(small[:b])
            sync(device)
            t = time.perf_counter()
            reps = max(2, 64 // b)
            for _ in range(reps):
                est.estimate_tensor(small[:b])
            sync(device)
            label = "compiled" if args.compile else "eager"
            rows.append((f"depth V2-Small {size[0]}x{size[1]}, batch {b} ({label})",
                         b * reps / (time.perf_counter() - t)))  # fmt: skip
        d = torch.rand(batch, h, w, device=device)
        render_pair_torch(dev, d)
        sync(device)
        t = time.perf_counter()
        for _ in range(4):
            torch.cat(render_pair_torch(dev, d), dim=2)
        sync(device)
        rows.append((f"warp both eyes + pack Full SBS {2 * w}x{h} (device)",
                     4 * batch / (time.perf_counter() - t)))  # fmt: skip
        packed = torch.cat(render_pair_torch(dev, d), dim=2)
        pinned = torch.empty(packed.shape, dtype=torch.uint8, pin_memory=device != "cpu")
        t = time.perf_counter()
        for _ in range(4):
            pinned.copy_(packed)
        rows.append(("device -> host copy of SBS frames", 4 * batch / (time.perf_counter() - t)))
        sbs = [np.ascontiguousarray(pinned[i % batch].numpy()) for i in range(n)]
        t = time.perf_counter()
        enc = Encoder(Path(tmp) / "enc.mp4", 2 * w, h, args.preset)
        for f in sbs:
            enc.write(f)
        enc.close()
        encode_fps = n / (time.perf_counter() - t)
        rows.append((f"libx264 {args.preset} Full SBS {2 * w}x{h}, {os.cpu_count()} threads",
                     encode_fps))  # fmt: skip

        # The whole engine, stages overlapped.
        decoded: queue.Queue = queue.Queue(2 * batch)  # type: ignore[type-arg]
        done: queue.Queue = queue.Queue(4)  # type: ignore[type-arg]

        def gpu() -> None:
            chunk: list[np.ndarray] = []

            def flush() -> None:
                x = torch.from_numpy(np.stack(chunk)).pin_memory() if device != "cpu" else \
                    torch.from_numpy(np.stack(chunk))  # fmt: skip
                out = gpu_stage(est, x.to(device, non_blocking=True), size).to("cpu")
                done.put(out.numpy())
                chunk.clear()

            while (f := decoded.get()) is not None:
                chunk.append(f)
                if len(chunk) == batch:
                    flush()
            if chunk:
                flush()
            done.put(None)

        t = time.perf_counter()
        threads = [threading.Thread(target=decode, args=(src, decoded)),
                   threading.Thread(target=gpu)]  # fmt: skip
        for th in threads:
            th.start()
        enc = Encoder(Path(tmp) / "out.mp4", 2 * w, h, args.preset)
        count = 0
        while (out := done.get()) is not None:
            for f in out:
                enc.write(f)
                count += 1
        enc.close()
        for th in threads:
            th.join()
        engine_fps = count / (time.perf_counter() - t)
    floor = min(fps for _, fps in rows)
    rows.append(("**whole engine, end to end (overlapped)**", engine_fps))
    name = torch.cuda.get_device_name() if device == "cuda" else "CPU (smoke)"
    print(f"{name}; torch {torch.__version__}; PyAV {av.__version__}; {n} frames; "
          f"weights: {args.weights or 'random V2-Small'}\n")  # fmt: skip
    print("| stage | fps | vs slowest stage (the floor) |\n|---|---|---|")
    for label, fps in rows:
        print(f"| {label} | {fps:.1f} | {fps / floor:.2f}x |")
    print(f"\nend to end / encode floor: {engine_fps / encode_fps:.2f}x (target >= 0.85x)")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "engine_fps": engine_fps}, indent=1))


if __name__ == "__main__":
    main()
