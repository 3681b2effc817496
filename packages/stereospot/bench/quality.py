"""StereoSpot engine quality on a real stereo pair, and its temporal stability.

    make bench-stereospot BENCH=quality
    .venv/bin/python packages/stereospot/bench/quality.py [--onnx MODEL.onnx] [--torch FOLDER]

(the second from the repository's root, after `make install-bench`)

1. Middlebury 2014 "motorcycle" (scikit-image's copy, with ground-truth disparity of the
   left view). The right view is synthesised from the left and compared with the real right
   view (PSNR, SSIM), over the whole image and over the pixels visible in both views, for:
   the left view unchanged (no stereo), a naive shift (pixels moved in scan order, no depth
   test, no hole filling) and our renderer (z-buffer, background-side filling, edge
   dilation). First with the ground truth, then with each estimator's depth, fitted to the
   ground truth's scale and offset by least squares (monocular depth is relative).
   Then the renderer's edge dilation (none, along rows, square) with the ground truth
   sharp and softened, as an estimate brought up from a model's size is.
2. Stability on generated clips (classical depth): flicker, the mean change of mean
   parallax per frame on a still shot with sensor noise, for per-frame normalisation, the
   EMA and the job's normalisation; and the jump where two segments meet, with and without
   the job pre-pass.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from skimage import data
from skimage.metrics import structural_similarity

from stereospot.engine.convert import convert_file, prepass
from stereospot.engine.depth.classical import ClassicalDepth
from stereospot.engine.dibr import dilate, forward_warp, render_eye
from stereospot.engine.params import EngineParams
from stereospot.engine.resize import resize_bilinear
from stereospot.jobs.comfort_summary import comfort_summary
from stereospot_testing.engine_media import make_video

EDGE_DILATION = EngineParams().edge_dilation  # the engine's default


def psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    err = ((a.astype(np.float64) - b.astype(np.float64)) ** 2)[mask].mean()
    return float(10 * np.log10(255**2 / err))


def ssim(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    _, full = structural_similarity(a, b, channel_axis=2, data_range=255, full=True)
    return float(full.mean(axis=2)[mask].mean())


def fill_invalid(disp: np.ndarray) -> np.ndarray:
    """Ground truth has no value where the left pixel is occluded: take the farther side's."""
    valid = np.isfinite(disp)
    cols = np.arange(disp.shape[1])[None, :]
    left = np.maximum.accumulate(np.where(valid, cols, -1), axis=1)
    right = np.minimum.accumulate(np.where(valid, cols, disp.shape[1])[:, ::-1], axis=1)[:, ::-1]
    d = np.where(valid, disp, 0)
    lv = np.take_along_axis(d, np.clip(left, 0, None), 1)
    rv = np.take_along_axis(d, np.clip(right, 0, disp.shape[1] - 1), 1)
    lv = np.where(left >= 0, lv, np.inf)
    rv = np.where(right < disp.shape[1], rv, np.inf)
    return np.where(valid, disp, np.minimum(lv, rv)).astype(np.float32)


def naive(left: np.ndarray, disp: np.ndarray) -> np.ndarray:
    out = np.zeros_like(left)
    h, w = disp.shape
    x = np.rint(np.arange(w)[None, :] - disp).astype(int)
    y = np.repeat(np.arange(h)[:, None], w, axis=1)
    ok = (x >= 0) & (x < w)
    out[y[ok], x[ok]] = left[ok]  # scan order, no depth test; holes stay black
    return out


def ours(left: np.ndarray, disp: np.ndarray) -> np.ndarray:
    top = float(disp.max())
    z = dilate((disp / top).astype(np.float32), EDGE_DILATION)
    return render_eye(left, -z * np.float32(top), z)


def rows_for(name: str, left, right, disp, masks) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    out = []
    for method, image in (("left view unchanged", left), ("naive shift", naive(left, disp)),
                          ("StereoSpot renderer", ours(left, disp))):  # fmt: skip
        cells = [f"{psnr(image, right, m):.2f} / {ssim(image, right, m):.3f}" for m in masks]
        out.append((name, method, *cells))
    return out


def fitted(raw: np.ndarray, gt: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, float]:
    a = np.stack([raw[valid], np.ones(valid.sum())], axis=1)
    coef, *_ = np.linalg.lstsq(a, gt[valid], rcond=None)
    est = np.clip(raw * coef[0] + coef[1], 0, None).astype(np.float32)
    corr = float(np.corrcoef(raw[valid], gt[valid])[0, 1])
    return est, corr


def quality(extra: list[tuple[str, object]]) -> None:
    left, right, disp = data.stereo_motorcycle()
    valid = np.isfinite(disp)
    gt = fill_invalid(disp)
    _, holes, _ = forward_warp(left, -gt, gt / gt.max())
    everywhere = np.ones(gt.shape, bool)
    covisible = ~holes
    masks = (everywhere, covisible)
    print(f"Middlebury motorcycle {left.shape[1]}x{left.shape[0]}, disparity "
          f"{np.nanmin(disp):.1f}-{disp[valid].max():.1f} px; visible in both views: "
          f"{covisible.mean():.1%}")  # fmt: skip
    rows = rows_for("ground truth", left, right, gt, masks)
    estimators: list[tuple[str, object]] = [("classical", ClassicalDepth()), *extra]
    notes = []
    for name, est in estimators:
        w, h = est.input_size(left.shape[1], left.shape[0])  # type: ignore[attr-defined]
        small = np.clip(resize_bilinear(left, h, w) + 0.5, 0, 255).astype(np.uint8)
        raw = est.estimate(small[None])[0]  # type: ignore[attr-defined]
        raw = resize_bilinear(raw, left.shape[0], left.shape[1])
        depth, corr = fitted(raw, disp, valid)
        notes.append(f"{name}: correlation with ground-truth disparity r = {corr:.3f}")
        rows += rows_for(f"{name} (LS-fitted)", left, right, depth, masks)
    print("\n| depth | method | PSNR / SSIM, whole image | PSNR / SSIM, visible in both |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    for note in notes:
        print(note)


def stability() -> None:
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:90, 0:160]
    base = np.stack([x * 1.5, y * 2.5, 128 + 0 * x], axis=2).astype(np.float64)
    base[30:60, 60:100] = (220, 60, 40)

    def still(i: int, w: int, h: int) -> np.ndarray:
        return np.clip(base + rng.normal(0, 8, base.shape), 0, 255).astype(np.uint8)

    def pan(offset: int):  # type: ignore[no-untyped-def]
        def scene(i: int, w: int, h: int) -> np.ndarray:
            k = i + offset  # a bright object rising into the frame: the depth range shifts
            img = base.copy()
            img[max(0, 80 - 2 * k) : 90, 10:50] = (250, 230, 40)
            return img.astype(np.uint8)

        return scene

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        clip = make_video(d / "still.mp4", width=160, height=90, frames=60, scene=still, audio=None)
        print("\n| normalisation | flicker on a still shot (mean abs. change of mean parallax"
              " per frame, % of width) |\n|---|---|")  # fmt: skip
        for label, smoothing in (("per frame (no smoothing)", 0.0), ("EMA (default)", 0.9)):
            c = convert_file(clip, d / "o.mp4", {"smoothing": smoothing})["comfort"]
            print(f"| {label} | {c['flicker_pct']:.5f} |")
        job = prepass(clip, {})
        c = convert_file(clip, d / "o.mp4", {"normalisation": job})["comfort"]
        print(f"| job pre-pass | {c['flicker_pct']:.5f} |")

        # A camera pan: the same textured scene sliding 2 px a frame, so the depth range
        # ought to hold still while the picture moves.
        wide = np.concatenate([base, base[:, ::-1]], axis=1)
        texture = rng.normal(0, 12, wide.shape)

        def panning(i: int, w: int, h: int) -> np.ndarray:
            view = (wide + texture)[:, 2 * i : 2 * i + 160]
            return np.clip(view, 0, 255).astype(np.uint8)

        panned = make_video(d / "pan.mp4", width=160, height=90, frames=60, scene=panning,
                            audio=None)  # fmt: skip
        print("\n| normalisation | flicker on a panning shot (mean abs. change of mean "
              "parallax per frame, % of width) |\n|---|---|")  # fmt: skip
        for label, smoothing in (("per frame (no smoothing)", 0.0), ("EMA (default)", 0.9)):
            c = convert_file(panned, d / "o.mp4", {"smoothing": smoothing})["comfort"]
            print(f"| {label} | {c['flicker_pct']:.5f} |")
        c = convert_file(panned, d / "o.mp4", {"normalisation": prepass(panned, {})})["comfort"]
        print(f"| job pre-pass | {c['flicker_pct']:.5f} |")

        whole = make_video(d / "w.mp4", width=160, height=90, frames=48, scene=pan(0), audio=None)
        a = make_video(d / "a.mp4", width=160, height=90, frames=24, scene=pan(0), audio=None)
        b = make_video(d / "b.mp4", width=160, height=90, frames=24, scene=pan(24), audio=None)
        print("\n| segments | seam jump (% of width) | typical step inside (% of width) |")
        print("|---|---|---|")
        for label, params in (("each normalised alone (EMA)", {}),
                              ("job pre-pass", {"normalisation": prepass(whole, {})})):  # fmt: skip
            ra = convert_file(a, d / "ao.mp4", params)["comfort"]
            rb = convert_file(b, d / "bo.mp4", params)["comfort"]
            jump = abs(rb["mean_parallax_first_pct"] - ra["mean_parallax_last_pct"])
            step = (ra["flicker_pct"] + rb["flicker_pct"]) / 2
            print(f"| {label} | {jump:.4f} | {step:.4f} |")


def border_violations() -> None:
    """A near object sliding out across the left edge, converted with and without the
    border fade; the share of frames whose outer columns carry near parallax, from the
    engine's comfort report (what was rendered)."""
    y, x = np.mgrid[0:90, 0:160]
    base = np.stack([x * 1.5, y * 2.5, 128 + 0 * x], axis=2).astype(np.float64)

    def sliding(i: int, w: int, h: int) -> np.ndarray:
        img = base.copy()
        left = 40 - 2 * i  # from well inside the frame to past its left edge
        img[20:70, max(0, left) : max(0, left + 40)] = (250, 230, 40)  # bright: near
        return img.astype(np.uint8)

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        clip = make_video(d / "s.mp4", width=160, height=90, frames=48, scene=sliding, audio=None)
        print("\n| border fade | frames with near parallax at the left or right edge |")
        print("|---|---|")
        for label, fade in (("none", 0.0), ("4 % of the width (default)", 0.04)):
            report = convert_file(clip, d / "o.mp4", {"border_fade": fade})["comfort"]
            print(f"| {label} | {report['border_violation_share'] * 100:.0f} % |")


def comfort_on_two_clips() -> None:
    """The comfort report of a flat clip (a textured wall) and a deep one (a near object
    on a far gradient), each converted as a job is (pre-pass, then the conversion)."""
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:90, 0:160]
    wall = 128 + rng.normal(0, 6, (90, 160, 3))
    deep = np.stack([x * 1.5, y * 2.5, 128 + 0 * x], axis=2).astype(np.float64)
    deep[25:75, 50:110] = (250, 230, 40)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        print("\n| clip | parallax range, % of width (behind, in front) | frames past a limit "
              "| suggested strength | advice |\n|---|---|---|---|---|")  # fmt: skip
        for label, picture in (
            ("flat: a textured wall", wall),
            ("deep: near block, far ramp", deep),
        ):
            frame = np.clip(picture, 0, 255).astype(np.uint8)
            clip = make_video(d / "c.mp4", width=160, height=90, frames=24,
                              scene=lambda i, w, h, f=frame: f, audio=None)  # fmt: skip
            made = convert_file(clip, d / "o.mp4", {"normalisation": prepass(clip, {})})
            summary = comfort_summary({"segments": [made]}, 2.0)
            assert summary is not None
            low, high = summary.parallax_range_pct
            print(f"| {label} | {low:g} to {high:g} | {summary.beyond_share:.0%} "
                  f"| {summary.suggested_divergence:g} | {summary.advice} |")  # fmt: skip


def _row_dilation(depth: np.ndarray, radius: int) -> np.ndarray:
    """The engine's edge dilation before it went both ways: along the row only."""
    out = depth.copy()
    for step in range(1, radius + 1):
        np.maximum(out[:, step:], depth[:, :-step], out=out[:, step:])
        np.maximum(out[:, :-step], depth[:, step:], out=out[:, :-step])
    return out


def edge_dilation() -> None:
    """The renderer with the ground truth, sharp and softened by a Gaussian (an estimate
    from a model at ~518 px brought up to the frame has soft edges), under each dilation."""
    from scipy.ndimage import gaussian_filter

    left, right, disp = data.stereo_motorcycle()
    gt = fill_invalid(disp)
    _, holes, _ = forward_warp(left, -gt, gt / gt.max())
    masks = (np.ones(gt.shape, bool), ~holes)
    ways = (
        ("none", 0, lambda z, r: z),
        ("along rows", 1, _row_dilation),
        ("along rows", 2, _row_dilation),
        ("square (engine)", 1, dilate),
        ("square (engine)", 2, dilate),
    )
    print("\n| ground truth | edge dilation | radius | PSNR / SSIM, whole image "
          "| PSNR / SSIM, visible in both |")  # fmt: skip
    print("|---|---|---|---|---|")
    for sigma in (0.0, 1.5, 3.0):
        soft = gaussian_filter(gt, sigma).astype(np.float32) if sigma else gt
        top = float(soft.max())
        for label, radius, grow in ways:
            z = grow((soft / top).astype(np.float32), radius)
            image = render_eye(left, -z * np.float32(top), z)
            cells = [f"{psnr(image, right, m):.2f} / {ssim(image, right, m):.3f}" for m in masks]
            truth = f"softened, sigma {sigma:g} px" if sigma else "sharp"
            print(f"| {truth} | {label} | {radius} | {cells[0]} | {cells[1]} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onnx", type=Path, help="a Depth-Anything-style ONNX model")
    parser.add_argument("--torch", type=Path, help="a local Depth Anything weights folder")
    args = parser.parse_args()
    extra: list[tuple[str, object]] = []
    if args.onnx:
        from stereospot.engine.depth.onnx_backend import OnnxDepth

        extra.append((f"onnx {args.onnx.name}", OnnxDepth(args.onnx)))
    if args.torch:
        from stereospot.engine.depth.torch_backend import TorchDepth

        extra.append((f"torch {args.torch.name}", TorchDepth(args.torch)))
    quality(extra)
    edge_dilation()
    stability()
    border_violations()
    comfort_on_two_clips()


if __name__ == "__main__":
    main()
