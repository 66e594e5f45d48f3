"""Draws what the engine sees onto a frame: boxes coloured by person kind, ids, lines, zones, running counts.

No words: the picture is seen by viewers of any language, so it carries names the owner gave, numbers and signs
("+10 -16" for a line's ins and outs); the dashboard says around it what they mean, in the viewer's language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import cv2
import numpy as np

from shopflow.analysis.lines import LineCounter
from shopflow.analysis.scene import SceneUpdate
from shopflow.analysis.zones import ZoneMonitor
from shopflow.domain.people import PersonKind
from shopflow.vision.detector import Image

# BGR colours that stay apart for colour-blind viewers too (blue / orange / grey).
CUSTOMER = (60, 160, 30)
GROUP_MEMBER = (0, 140, 255)
EMPLOYEE = (200, 90, 20)
LINE = (0, 220, 255)
ZONE = (220, 220, 220)
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _label(image: Image, text: str, origin: tuple[int, int], colour: tuple[int, int, int]) -> None:
    # OpenCV's fonts are ASCII only: "praça" would be drawn as "pra??a", so accents are dropped ("praca").
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    (w, h), base = cv2.getTextSize(text, FONT, 0.45, 1)
    x, y = origin
    cv2.rectangle(image, (x, y - h - base - 2), (x + w + 4, y), colour, -1)
    cv2.putText(image, text, (x + 2, y - base), FONT, 0.45, (255, 255, 255), 1, cv2.LINE_AA)


def draw(
    image: Image,
    update: SceneUpdate,
    lines: Sequence[LineCounter],
    zones: Sequence[ZoneMonitor],
) -> Image:
    """Return an annotated copy of the frame."""
    out = image.copy()
    height, width = out.shape[:2]
    for zone in zones:
        points = np.array([(x * width, y * height) for x, y in zone.zone.polygon], dtype=np.int32)
        cv2.polylines(out, [points], isClosed=True, color=ZONE, thickness=2)
        _label(out, f"{zone.zone.name}: {zone.occupancy}", tuple(points[0]), (90, 90, 90))
    for line in lines:
        a = (round(line.line.a[0] * width), round(line.line.a[1] * height))
        b = (round(line.line.b[0] * width), round(line.line.b[1] * height))
        cv2.line(out, a, b, LINE, 2, cv2.LINE_AA)
        cv2.circle(out, a, 4, LINE, -1)
        _label(out, f"{line.line.name}: +{line.entries} -{line.exits}", b, (0, 120, 160))
    grouped = {track_id for group in update.groups.groups for track_id in group}
    for person in update.people:
        if person.kind is PersonKind.EMPLOYEE:
            colour = EMPLOYEE
        elif person.track_id in grouped:
            colour = GROUP_MEMBER
        else:
            colour = CUSTOMER
        p1, p2 = (round(person.x1), round(person.y1)), (round(person.x2), round(person.y2))
        cv2.rectangle(out, p1, p2, colour, 2)
        cv2.circle(out, (round(person.feet[0]), round(person.feet[1])), 3, colour, -1)
        _label(out, f"#{person.track_id}", p1, colour)
    return out
