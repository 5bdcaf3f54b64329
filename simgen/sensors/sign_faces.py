"""Sign faces drawn with OpenCV at run time: deterministic textures for each sign's code and value.

A face fills its texture square; the plate's outline (octagon, triangle, disc, diamond,
rectangle) is cut by the geometry, so only the inside of the shape is ever seen. Colours follow
the German/Vienna convention (RAL 3020 red, 9016 white, 1023 yellow, 5017 blue).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

SIZE = 256
RED = (196, 18, 28)
WHITE = (242, 242, 238)
BLACK = (20, 20, 20)
YELLOW = (246, 186, 0)
BLUE = (0, 82, 156)
FONT = cv2.FONT_HERSHEY_DUPLEX


def outline(code: str, sides: int = 32) -> np.ndarray:
    """The plate's outline as (N, 2) points in [0, 1]^2 (u right, v up), convex, counter-
    clockwise: what both the geometry and the face's drawing cut out."""
    if code == "206":  # octagon with flat top
        angles = np.radians(22.5 + 45.0 * np.arange(8))
        r = 0.5 / math.cos(math.radians(22.5))
        return np.stack([0.5 + r * np.cos(angles), 0.5 + r * np.sin(angles)], axis=1)
    if code == "205":  # point down
        return np.array([(0.5, 0.0), (1.0, 1.0), (0.0, 1.0)])
    if code in ("274", "267"):
        angles = 2 * np.pi * np.arange(sides) / sides
        return np.stack([0.5 + 0.5 * np.cos(angles), 0.5 + 0.5 * np.sin(angles)], axis=1)
    if code == "306":
        return np.array([(0.5, 0.0), (1.0, 0.5), (0.5, 1.0), (0.0, 0.5)])
    return np.array([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)])


def _pixels(points: np.ndarray, inset: float = 0.0) -> np.ndarray:
    """Outline points shrunk towards the centre by ``inset`` (fraction), as image pixels."""
    shrunk = 0.5 + (points - 0.5) * (1.0 - inset)
    px = np.stack([shrunk[:, 0] * (SIZE - 1), (1.0 - shrunk[:, 1]) * (SIZE - 1)], axis=1)
    return np.round(px).astype(np.int32)


def _text(image: np.ndarray, text: str, color: tuple[int, int, int], height: float, y: float):
    """Centred text ``height`` (fraction of the face) tall with its middle at ``y`` (from top)."""
    scale = 1.0
    (w, h), _ = cv2.getTextSize(text, FONT, scale, 2)
    scale = height * SIZE / h
    thickness = max(2, round(scale * 2.2))
    (w, h), _ = cv2.getTextSize(text, FONT, scale, thickness)
    if w > 0.8 * SIZE:  # too wide: shrink to fit
        scale *= 0.8 * SIZE / w
        thickness = max(2, round(scale * 2.2))
        (w, h), _ = cv2.getTextSize(text, FONT, scale, thickness)
    origin = (round((SIZE - w) / 2), round(y * SIZE + h / 2))
    cv2.putText(image, text, origin, FONT, scale, color, thickness, cv2.LINE_AA)


def sign_face(code: str, value: float | None) -> np.ndarray:
    """(SIZE, SIZE, 3) uint8 RGB face of a sign."""
    image = np.full((SIZE, SIZE, 3), 128, np.uint8)
    shape = outline(code)
    fill = cv2.fillPoly
    if code == "206":
        fill(image, [_pixels(shape)], WHITE, cv2.LINE_AA)
        fill(image, [_pixels(shape, 0.08)], RED, cv2.LINE_AA)
        _text(image, "STOP", WHITE, 0.26, 0.5)
    elif code == "205":
        fill(image, [_pixels(shape)], RED, cv2.LINE_AA)
        inner = np.array([(0.5, 0.2), (0.83, 0.88), (0.17, 0.88)])
        fill(image, [_pixels(inner)], WHITE, cv2.LINE_AA)
    elif code == "274":
        fill(image, [_pixels(shape)], RED, cv2.LINE_AA)
        fill(image, [_pixels(shape, 0.2)], WHITE, cv2.LINE_AA)
        _text(image, f"{value:g}" if value is not None else "", BLACK, 0.4, 0.5)
    elif code == "267":
        fill(image, [_pixels(shape)], WHITE, cv2.LINE_AA)
        fill(image, [_pixels(shape, 0.03)], RED, cv2.LINE_AA)
        cv2.rectangle(image, (round(SIZE * 0.18), round(SIZE * 0.43)),
                      (round(SIZE * 0.82), round(SIZE * 0.57)), WHITE, -1)  # fmt: skip
    elif code == "306":
        fill(image, [_pixels(shape)], WHITE, cv2.LINE_AA)
        fill(image, [_pixels(shape, 0.36)], YELLOW, cv2.LINE_AA)
        cv2.polylines(image, [_pixels(shape, 0.02)], True, BLACK, 2, cv2.LINE_AA)
    else:  # a generic sign: blue with a white border and its code
        fill(image, [_pixels(shape)], WHITE, cv2.LINE_AA)
        fill(image, [_pixels(shape, 0.08)], BLUE, cv2.LINE_AA)
        _text(image, code, WHITE, 0.18, 0.5)
    return image


def texture_name(code: str, value: float | None) -> str:
    return f"sign_{code}" + ("" if value is None else f"_{value:g}")


def parse_texture_name(name: str) -> tuple[str, float | None]:
    """The inverse of ``texture_name``."""
    _, code, *rest = name.split("_")
    return code, float(rest[0]) if rest else None
