"""Clothing colours of a person, to recognise a visitor who leaves the camera's view and comes back.

A descriptor is a handful of colour-histogram numbers of the torso and legs: it cannot show or identify a face,
and it is kept in memory only for the re-identification window, never stored.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from shopflow.domain.people import Descriptor, TrackedPerson
from shopflow.vision.detector import Image
from shopflow.vision.tracker import box_iou

# Torso and legs as fractions of the box height; the head (hair, skin) and feet (floor) are left out.
BODY_PARTS = ((0.12, 0.5), (0.5, 0.9))
HUE_BINS, SATURATION_BINS, VALUE_BINS = 12, 4, 8
PART_SIZES = (HUE_BINS * SATURATION_BINS, VALUE_BINS)
MIN_HEIGHT_PX = 40  # smaller people are too few pixels for their colours to mean anything
MAX_OVERLAP_IOU = 0.05  # a box overlapping another mixes two people's colours


def describe(image: Image, person: TrackedPerson) -> Descriptor | None:
    """Per body part, a normalised hue-saturation and a value histogram; None for a box too small to judge."""
    height, width = image.shape[:2]
    box_h, box_w = person.y2 - person.y1, person.x2 - person.x1
    if box_h < MIN_HEIGHT_PX:
        return None
    # The middle of the box: its sides are mostly background.
    x1, x2 = int(max(person.x1 + 0.2 * box_w, 0)), int(min(person.x2 - 0.2 * box_w, width))
    parts: list[npt.NDArray[np.float32]] = []
    for top, bottom in BODY_PARTS:
        y1, y2 = int(max(person.y1 + top * box_h, 0)), int(min(person.y1 + bottom * box_h, height))
        if x2 - x1 < 2 or y2 - y1 < 2:
            return None
        hsv = cv2.cvtColor(image[y1:y2, x1:x2], cv2.COLOR_BGR2HSV)
        hue_sat = cv2.calcHist([hsv], [0, 1], None, [HUE_BINS, SATURATION_BINS], [0, 180, 0, 256]).ravel()
        value = cv2.calcHist([hsv], [2], None, [VALUE_BINS], [0, 256]).ravel()
        for histogram in (hue_sat, value):
            parts.append(np.asarray(histogram / max(float(histogram.sum()), 1.0), dtype=np.float32))
    return np.concatenate(parts).astype(np.float32)


def clear_views(people: Sequence[TrackedPerson], frame_width: int, frame_height: int) -> list[bool]:
    """Which people are seen whole and apart from everyone else: only those give a clean descriptor."""
    if not people:
        return []
    boxes = np.array([[p.x1, p.y1, p.x2, p.y2] for p in people], dtype=np.float64)
    overlap = box_iou(boxes, boxes)
    np.fill_diagonal(overlap, 0.0)
    return [
        bool(overlap[i].max(initial=0.0) < MAX_OVERLAP_IOU)
        and p.y1 > 2
        and p.y2 < frame_height - 2
        and p.x1 > 2
        and p.x2 < frame_width - 2
        for i, p in enumerate(people)
    ]


def describe_clear(image: Image, people: Sequence[TrackedPerson]) -> dict[int, Descriptor]:
    height, width = image.shape[:2]
    descriptors: dict[int, Descriptor] = {}
    for person, clear in zip(people, clear_views(people, width, height), strict=True):
        if clear and person.confidence >= 0.5:
            descriptor = describe(image, person)
            if descriptor is not None:
                descriptors[person.track_id] = descriptor
    return descriptors
