"""A store's uniform: the colours of the upper and lower body, and whether a tracked person is wearing it.

No biometrics: a uniform is two colours, and a person is compared with it frame by frame only while their
track is undecided; nothing about the person is kept. The vote over frames lives in analysis/staff.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from shopflow.domain.people import TrackedPerson
from shopflow.domain.problems import InputError
from shopflow.vision.appearance import BODY_PARTS, MIN_HEIGHT_PX, clear_views
from shopflow.vision.detector import Image

Rgb = tuple[int, int, int]


class UniformError(InputError):
    """A uniform that cannot be used; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class Uniform:
    """Upper and lower body colours (RGB 0..255); None leaves that part free (e.g. any trousers).

    A part matches when at least `min_share` of its pixels lie within `tolerance` (CIE76 delta E, Lab units) of
    the colour: shadows and folds change a colour's lightness, so the tolerance is wide and the share is not 1.
    """

    name: str
    upper: Rgb | None
    lower: Rgb | None = None
    tolerance: float = 20.0
    min_share: float = 0.4

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise UniformError("a uniform needs a name", "uniform_name_missing")
        if self.upper is None and self.lower is None:
            raise UniformError(
                f"uniform {self.name!r}: give the upper colour, the lower colour or both", "uniform_no_colour"
            )
        for part, colour in (("upper", self.upper), ("lower", self.lower)):
            if colour is not None and (len(colour) != 3 or not all(0 <= c <= 255 for c in colour)):
                raise UniformError(
                    f"uniform {self.name!r}: {part} must be three numbers 0..255 (R, G, B), got {colour}",
                    "uniform_bad_colour",
                )
        if not 0 < self.tolerance <= 100:
            raise UniformError(
                f"uniform {self.name!r}: tolerance must be above 0 and at most 100, got {self.tolerance}",
                "uniform_tolerance_range",
            )
        if not 0 < self.min_share <= 1:
            raise UniformError(
                f"uniform {self.name!r}: min_share must be above 0 and at most 1, got {self.min_share}",
                "uniform_share_range",
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "upper": list(self.upper) if self.upper is not None else None,
            "lower": list(self.lower) if self.lower is not None else None,
            "tolerance": self.tolerance,
            "min_share": self.min_share,
        }


def _rgb(value: Any, where: str) -> Rgb | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip().lstrip("#")
        if len(text) != 6:
            raise UniformError(f"{where}: write a colour as #RRGGBB or [R, G, B], got {value!r}")
        try:
            return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
        except ValueError:
            raise UniformError(f"{where}: {value!r} is not a #RRGGBB colour") from None
    if (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(c, int) and not isinstance(c, bool) for c in value)
    ):
        return (value[0], value[1], value[2])
    raise UniformError(f"{where}: write a colour as #RRGGBB or [R, G, B], got {value!r}")


def uniform_from_json(data: Any, where: str = "uniform") -> Uniform:
    if not isinstance(data, dict):
        raise UniformError(f"{where}: expected a JSON object with name, upper and lower")
    unknown = set(data) - {"name", "upper", "lower", "tolerance", "min_share"}
    if unknown:
        raise UniformError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    name = data.get("name", "uniform")
    if not isinstance(name, str):
        raise UniformError(f"{where}: name must be text")
    numbers: dict[str, float] = {}
    for key, default in (("tolerance", 20.0), ("min_share", 0.4)):
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UniformError(f"{where}: {key} must be a number, got {value!r}")
        numbers[key] = float(value)
    return Uniform(
        name=name,
        upper=_rgb(data.get("upper"), f"{where} upper"),
        lower=_rgb(data.get("lower"), f"{where} lower"),
        tolerance=numbers["tolerance"],
        min_share=numbers["min_share"],
    )


def load_uniform(path: Path) -> Uniform:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UniformError(f"cannot read the uniform file {path}: {error.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UniformError(f"{path} is not valid JSON: {error.msg} (line {error.lineno})") from None
    return uniform_from_json(data, str(path))


def _part_pixels(image: Image, box: tuple[float, float, float, float], part: int) -> npt.NDArray[np.uint8] | None:
    """The middle of the box's torso (part 0) or legs (part 1): the box's sides are mostly background."""
    height, width = image.shape[:2]
    x1, y1, x2, y2 = box
    box_w, box_h = x2 - x1, y2 - y1
    top, bottom = BODY_PARTS[part]
    left, right = int(max(x1 + 0.2 * box_w, 0)), int(min(x2 - 0.2 * box_w, width))
    upper, lower = int(max(y1 + top * box_h, 0)), int(min(y1 + bottom * box_h, height))
    if right - left < 2 or lower - upper < 2:
        return None
    return np.asarray(np.ascontiguousarray(image[upper:lower, left:right]), dtype=np.uint8)


def _lab(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """BGR pixels to CIE Lab (L 0..100, a and b about -127..127)."""
    lab = cv2.cvtColor(pixels.astype(np.float32) / 255.0, cv2.COLOR_BGR2LAB)
    return np.asarray(lab.reshape(-1, 3), dtype=np.float32)


def _rgb_lab(colour: Rgb) -> npt.NDArray[np.float32]:
    pixel = np.array([[[colour[2], colour[1], colour[0]]]], dtype=np.uint8)
    return np.asarray(_lab(pixel)[0], dtype=np.float32)


def uniform_from_box(image: Image, box: tuple[float, float, float, float], name: str = "uniform") -> Uniform:
    """The uniform worn by the person in `box` (x1, y1, x2, y2 in pixels of `image`, drawn round the whole body)."""
    x1, y1, x2, y2 = box
    height, width = image.shape[:2]
    if not (0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height):
        raise UniformError(f"the box {box} is not inside the {width}x{height} image", "uniform_box_outside")
    if y2 - y1 < MIN_HEIGHT_PX:
        raise UniformError(
            f"the box is {y2 - y1:.0f} px tall; draw it round a person at least {MIN_HEIGHT_PX} px tall",
            "uniform_box_short",
            min=MIN_HEIGHT_PX,
        )
    colours: list[Rgb] = []
    for part in (0, 1):
        pixels = _part_pixels(image, box, part)
        if pixels is None:
            raise UniformError("the box is too narrow to read the clothing's colours", "uniform_box_narrow")
        # The median in Lab is a colour someone would name (the mean of a striped shirt is a colour nobody wears).
        lab = np.median(_lab(pixels), axis=0).astype(np.float32).reshape(1, 1, 3)
        bgr = np.clip(cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)[0, 0] * 255.0 + 0.5, 0, 255)
        colours.append((int(bgr[2]), int(bgr[1]), int(bgr[0])))
    return Uniform(name=name, upper=colours[0], lower=colours[1])


def wears(image: Image, person: TrackedPerson, uniform: Uniform) -> bool | None:
    """Whether this person wears the uniform; None when their box is too small to tell."""
    if person.height < MIN_HEIGHT_PX:
        return None
    box = (person.x1, person.y1, person.x2, person.y2)
    for part, colour in enumerate((uniform.upper, uniform.lower)):
        if colour is None:
            continue
        pixels = _part_pixels(image, box, part)
        if pixels is None:
            return None
        distance = np.linalg.norm(_lab(pixels) - _rgb_lab(colour), axis=1)
        if float(np.mean(distance <= uniform.tolerance)) < uniform.min_share:
            return False
    return True


def uniform_matches(image: Image, people: Sequence[TrackedPerson], uniform: Uniform) -> dict[int, bool]:
    """Per person seen whole and apart from others this frame, whether they wear the uniform."""
    height, width = image.shape[:2]
    matches: dict[int, bool] = {}
    for person, clear in zip(people, clear_views(people, width, height), strict=True):
        if not clear:
            continue
        verdict = wears(image, person, uniform)
        if verdict is not None:
            matches[person.track_id] = verdict
    return matches
