"""Draws the PWA icons in web/static/icons/ from the favicon's shape (static/favicon.svg:
a four-pointed star on a dark rounded square). The PNGs are committed; rerun this after
changing the favicon (Pillow comes with the development tools, after `make test`):
    .venv/bin/python packages/stellarr/web/scripts/make_icons.py

Pillow draws polygons only, so the star's cubic curves are flattened into short segments,
and everything is drawn 4x larger and scaled down for smooth edges.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
BACKGROUND = "#182032"
STAR = "#6c8cff"
SUPERSAMPLE = 4
Point = tuple[float, float]

# favicon.svg's path on its 32x32 grid: four cubic curves from tip to tip.
START: Point = (16, 3)
CURVES: list[tuple[Point, Point, Point]] = [
    ((17, 12), (20, 15), (29, 16)),
    ((20, 17), (17, 20), (16, 29)),
    ((15, 20), (12, 17), (3, 16)),
    ((12, 15), (15, 12), (16, 3)),
]


def _star_outline(steps: int = 48) -> list[Point]:
    points = [START]
    p0 = START
    for p1, p2, p3 in CURVES:
        for i in range(1, steps + 1):
            t = i / steps
            u = 1 - t
            points.append(
                (
                    u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                    u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
                )
            )
        p0 = p3
    return points


def draw(size: int, star_share: float, rounded: bool) -> Image.Image:
    """`star_share`: the star's width as a share of the icon; `rounded`: the favicon's
    rounded corners (transparent outside), else a full square that the platform masks."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if rounded:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 7 / 32, fill=BACKGROUND)
    else:
        pen.rectangle((0, 0, big - 1, big - 1), fill=BACKGROUND)
    scale = big * star_share / 26  # the star spans 26 of the favicon's 32 units
    offset = big / 2 - 16 * scale
    pen.polygon([(offset + x * scale, offset + y * scale) for x, y in _star_outline()], fill=STAR)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    # Same proportions as the favicon for the plain icons; maskable ones keep the star
    # inside the central 80% circle that every mask shape leaves visible.
    icons = {
        "icon-192.png": draw(192, 26 / 32, rounded=True),
        "icon-512.png": draw(512, 26 / 32, rounded=True),
        "maskable-512.png": draw(512, 0.56, rounded=False),
        "apple-touch-icon.png": draw(180, 0.66, rounded=False),  # iOS rounds it itself
    }
    for name, image in icons.items():
        image.save(ICONS / name, optimize=True)
        print(f"{ICONS / name}: {(ICONS / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
