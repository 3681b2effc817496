"""The DIBR renderer of `dibr` in PyTorch, for the GPU path: frames stay on the device from
depth to packed stereo frame, and only the finished frame crosses to the host.

Same convention and steps as the NumPy renderer: z-buffered forward warp (one
`scatter_reduce(amax)` over int64 keys `z_level << 32 | index`), the winners' sub-pixel
colour, and background-side hole filling (running max/min of the nearest valid column
each way).
"""

from __future__ import annotations

from typing import Any

_Z_LEVELS = 65535


def _dilate(z: Any, radius: int) -> Any:
    import torch.nn.functional as F

    if radius <= 0:
        return z
    return F.max_pool2d(z.unsqueeze(1), 2 * radius + 1, 1, radius).squeeze(1)


def _eye(image: Any, shift: Any, z: Any) -> Any:
    import torch

    n, h, w, _ = image.shape
    total = n * h * w
    dev = image.device
    columns = torch.arange(w, device=dev, dtype=torch.float32) + 1.5
    rows = (torch.arange(n * h, device=dev, dtype=torch.int64) * (w + 2)).view(n, h, 1)
    target = (columns + shift).clamp_(0, w + 1).to(torch.int64) + rows
    key = (z.clamp(0, 1) * _Z_LEVELS + 0.5).to(torch.int64) << 32
    key |= torch.arange(total, device=dev, dtype=torch.int64).view(n, h, w)
    buffer = torch.full((n * h * (w + 2),), -1, device=dev, dtype=torch.int64)
    buffer.scatter_reduce_(0, target.reshape(-1), key.reshape(-1), reduce="amax")
    winners = buffer.view(n, h, w + 2)[..., 1:-1]
    holes = winners < 0
    source = torch.where(holes, 0, winners & 0xFFFFFFFF)
    pixels = image.reshape(total, 3)
    warped = pixels[source.reshape(-1)].view(n, h, w, 3)
    warped = _resample(warped, pixels, source, holes, columns, shift)
    wz = torch.where(holes, 0.0, z.reshape(-1)[source.reshape(-1)].view(n, h, w))
    col = torch.arange(w, device=dev, dtype=torch.int64).expand(n, h, w)
    left = torch.where(holes, -1, col).cummax(dim=2).values
    right = torch.where(holes, w, col).flip(2).cummin(dim=2).values.flip(2)
    has_left, has_right = left >= 0, right < w
    left_c, right_c = left.clamp(0, w - 1), right.clamp(0, w - 1)
    take_left = has_left & (~has_right | (wz.gather(2, left_c) <= wz.gather(2, right_c)))
    pick = torch.where(take_left, left_c, right_c)
    pick = torch.where(holes & (has_left | has_right), pick, col)
    return warped.gather(2, pick.unsqueeze(-1).expand(n, h, w, 3))


def _resample(warped: Any, pixels: Any, source: Any, holes: Any, columns: Any, shift: Any) -> Any:
    """The winners' colours where they landed: `dibr._resample`, the same float32 steps."""
    import torch

    n, h, w, _ = warped.shape
    flat_shift = shift.reshape(-1)
    x = source % w
    moved = columns.view(-1)[x] + flat_shift[source]
    spot = torch.arange(w, device=warped.device, dtype=torch.float32)
    d = (1.5 + spot) - moved
    ahead = d > 0
    other = torch.where(ahead, source + 1, source - 1)
    inside = torch.where(ahead, x + 1 < w, x >= 1)
    near = other.clamp(0, n * h * w - 1)
    together = (flat_shift[near] - flat_shift[source]).abs() < 0.5
    blend = inside & together & (d != 0) & ~holes
    a = d.abs().unsqueeze(-1)
    mine = warped.float()
    theirs = pixels[near.reshape(-1)].view(n, h, w, 3).float()
    mixed = (mine * (1.0 - a) + theirs * a + 0.5).to(torch.uint8)
    return torch.where(blend.unsqueeze(-1), mixed, warped)


def render_pair_torch(
    image: Any,
    depth: Any,
    *,
    convergence: float = 0.5,
    divergence: float = 2.0,
    edge_dilation: int = 1,
    border_fade: float = 0.0,
) -> tuple[Any, Any]:
    """(N, H, W, 3) uint8 and (N, H, W) normalised inverse depth on one device -> two eyes."""
    import torch

    from stereospot.engine.dibr import border_ramp

    z = _dilate(depth.float(), edge_dilation)
    shift = (z - convergence) * (divergence / 100.0 * image.shape[2] / 2.0)
    if border_fade > 0:
        ramp = torch.from_numpy(border_ramp(image.shape[2], border_fade).copy()).to(z.device)
        shift = torch.where(shift > 0, shift * ramp, shift)
    return _eye(image, shift, z), _eye(image, -shift, z)
