"""Clothing-colour descriptor variants measured against the product's one (bench/reid_classifier.py).

Every variant is cheap (a few small histograms per clear person) and general: none is fitted to the sample clip.
A variant cuts the person's box into horizontal bands, computes one or more normalised histograms per band, and
compares two descriptors histogram by histogram (a kernel, 1 = identical), combining the bands by their mean or
their minimum (two people match only if every band does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from shopflow.analysis.visitors import similarity as product_similarity
from shopflow.domain.people import Descriptor, TrackedPerson
from shopflow.vision.appearance import describe as product_describe
from shopflow.vision.detector import Image

Histogram = npt.NDArray[np.float32]
# A band's pixels (BGR, uint8) -> its histograms, each normalised to sum 1.
BandFeatures = Callable[[Image], list[Histogram]]

TWO_BANDS = ((0.12, 0.5), (0.5, 0.9))  # torso, legs: the product's
THREE_BANDS = ((0.12, 0.37), (0.37, 0.63), (0.63, 0.9))  # chest, hips and thighs, lower legs


def _normalised(histogram: npt.ArrayLike) -> Histogram:
    flat = np.asarray(histogram, dtype=np.float32).ravel()
    return flat / max(float(flat.sum()), 1e-6)


def hs_v(band: Image) -> list[Histogram]:
    """The product's: hue-saturation 12x4 and value 8."""
    hsv = cv2.cvtColor(band, cv2.COLOR_BGR2HSV)
    hue_sat = cv2.calcHist([hsv], [0, 1], None, [12, 4], [0, 180, 0, 256])
    value = cv2.calcHist([hsv], [2], None, [8], [0, 256])
    return [_normalised(hue_sat), _normalised(value)]


def hs_only(band: Image) -> list[Histogram]:
    """Hue-saturation 12x4 alone: brightness left out entirely."""
    hsv = cv2.cvtColor(band, cv2.COLOR_BGR2HSV)
    return [_normalised(cv2.calcHist([hsv], [0, 1], None, [12, 4], [0, 180, 0, 256]))]


def lab_ab_l(band: Image) -> list[Histogram]:
    """CIE Lab chroma a*b* 8x8 (over the central 128 of 256 codes, where clothes lie) and lightness L 8."""
    lab = cv2.cvtColor(band, cv2.COLOR_BGR2LAB)
    chroma = cv2.calcHist([lab], [1, 2], None, [8, 8], [64, 192, 64, 192])
    lightness = cv2.calcHist([lab], [0], None, [8], [0, 256])
    return [_normalised(chroma), _normalised(lightness)]


def weighted_hue_v(band: Image) -> list[Histogram]:
    """Hue 12 weighted by saturation, plus one bin for the grey share (hue is noise on grey and dark pixels),
    and value 8."""
    hsv = cv2.cvtColor(band, cv2.COLOR_BGR2HSV).reshape(-1, 3)
    saturation = hsv[:, 1].astype(np.float32) / 255.0
    hue = np.bincount(hsv[:, 0].astype(np.int64) * 12 // 180, weights=saturation, minlength=12)[:12]
    grey = float((1.0 - saturation).sum())
    value = np.bincount(hsv[:, 2].astype(np.int64) >> 5, minlength=8)
    return [_normalised(np.append(hue, grey).astype(np.float32)), _normalised(value.astype(np.float32))]


def hs_relative_v(band: Image, reference: float) -> list[Histogram]:
    """Hue-saturation 12x4 and value relative to the person's own median value (0..2.5 in 8 bins): the
    contrast between the clothes survives a change of light, the absolute brightness does not."""
    hsv = cv2.cvtColor(band, cv2.COLOR_BGR2HSV)
    hue_sat = cv2.calcHist([hsv], [0, 1], None, [12, 4], [0, 180, 0, 256])
    relative = hsv[:, :, 2].astype(np.float32).ravel() / max(reference, 1.0)
    value = np.bincount(np.minimum(relative / 2.5 * 8, 7).astype(np.int64), minlength=8)
    return [_normalised(hue_sat), _normalised(value.astype(np.float32))]


def weighted_hue_relative_v(band: Image, reference: float) -> list[Histogram]:
    """Saturation-weighted hue with the grey share (as weighted_hue_v) and value relative to the person's median
    value (as hs_relative_v)."""
    hue = weighted_hue_v(band)[0]
    value = hs_relative_v(band, reference)[1]
    return [hue, value]


def bhattacharyya(a: Histogram, b: Histogram) -> float:
    return float(np.sqrt(a * b).sum())


def intersection(a: Histogram, b: Histogram) -> float:
    return float(np.minimum(a, b).sum())


def chi_square(a: Histogram, b: Histogram) -> float:
    """1 - half the symmetric chi-square distance (which lies in 0..2)."""
    total = a + b
    mask = total > 0
    return 1.0 - 0.5 * float((((a - b) ** 2)[mask] / total[mask]).sum())


Kernel = Callable[[Histogram, Histogram], float]


@dataclass(frozen=True)
class Variant:
    name: str
    bands: tuple[tuple[float, float], ...] = TWO_BANDS
    features: str = "hs_v"  # hs_v, hs_only, lab, weighted_hue, relative_v, weighted_hue_relative_v
    kernel: Kernel = bhattacharyya
    combine: str = "mean"  # over bands: mean or min
    grey_world: bool = False  # divide out the frame's mean colour first (the light falling on the scene)
    product: bool = False  # the product's own describe() and similarity(), whatever they are now

    def describe_frame(self, image: Image, people: Sequence[TrackedPerson]) -> dict[int, Descriptor | None]:
        if self.product:
            return {p.track_id: product_describe(image, p) for p in people}
        gains = _grey_world_gains(image) if self.grey_world else None
        return {p.track_id: self._describe(image, p, gains) for p in people}

    def _describe(
        self, image: Image, person: TrackedPerson, gains: npt.NDArray[np.float32] | None
    ) -> Descriptor | None:
        height, width = image.shape[:2]
        box_h, box_w = person.y2 - person.y1, person.x2 - person.x1
        x1, x2 = int(max(person.x1 + 0.2 * box_w, 0)), int(min(person.x2 - 0.2 * box_w, width))
        crops: list[Image] = []
        for top, bottom in self.bands:
            y1, y2 = int(max(person.y1 + top * box_h, 0)), int(min(person.y1 + bottom * box_h, height))
            if x2 - x1 < 2 or y2 - y1 < 2:
                return None
            crop = image[y1:y2, x1:x2]
            if gains is not None:
                crop = np.clip(crop.astype(np.float32) * gains, 0, 255).astype(np.uint8)
            crops.append(np.ascontiguousarray(crop))
        reference = 0.0
        if self.features in ("relative_v", "weighted_hue_relative_v"):
            values = np.concatenate([cv2.cvtColor(c, cv2.COLOR_BGR2HSV)[:, :, 2].ravel() for c in crops])
            reference = float(np.median(values))
        histograms: list[Histogram] = []
        for crop in crops:
            histograms += self._band(crop, reference)
        return np.concatenate(histograms).astype(np.float32)

    def _band(self, crop: Image, reference: float) -> list[Histogram]:
        if self.features == "relative_v":
            return hs_relative_v(crop, reference)
        if self.features == "weighted_hue_relative_v":
            return weighted_hue_relative_v(crop, reference)
        return {"hs_v": hs_v, "hs_only": hs_only, "lab": lab_ab_l, "weighted_hue": weighted_hue_v}[self.features](crop)

    def sizes(self) -> list[int]:
        per_band = {
            "hs_v": [48, 8],
            "hs_only": [48],
            "lab": [64, 8],
            "weighted_hue": [13, 8],
            "relative_v": [48, 8],
            "weighted_hue_relative_v": [13, 8],
        }[self.features]
        return per_band * len(self.bands)

    def similarity(self, a: Descriptor, b: Descriptor) -> float:
        if self.product:
            return product_similarity(a, b)
        sizes = self.sizes()
        ends = np.cumsum(sizes)
        scores = [self.kernel(a[end - size : end], b[end - size : end]) for size, end in zip(sizes, ends, strict=True)]
        per_band = np.mean(np.reshape(scores, (len(self.bands), -1)), axis=1)
        return float(per_band.min() if self.combine == "min" else per_band.mean())


def _grey_world_gains(image: Image) -> npt.NDArray[np.float32]:
    """Per-channel gains that bring the frame's mean colour to a mid grey (sampled: 1 pixel in 64)."""
    means = image[::8, ::8].reshape(-1, 3).mean(axis=0)
    return np.asarray(128.0 / np.maximum(means, 1.0), dtype=np.float32)


# Numbered as --only picks them; 0 is the product. The last two were added after the first results (saturation-
# weighted hue was the best in the same light, but not in changed light): read them as afterthoughts.
VARIANTS: tuple[Variant, ...] = (
    Variant("product (HS 12x4 + V 8, torso/legs, mean Bhattacharyya)", product=True),
    Variant("min over torso/legs", combine="min"),
    Variant("3 bands", bands=THREE_BANDS),
    Variant("3 bands, min", bands=THREE_BANDS, combine="min"),
    Variant("histogram intersection", kernel=intersection),
    Variant("chi-square", kernel=chi_square),
    Variant("HS only (no value)", features="hs_only"),
    Variant("value relative to the person", features="relative_v"),
    Variant("grey-world (frame)", grey_world=True),
    Variant("Lab a*b* 8x8 + L 8", features="lab"),
    Variant("saturation-weighted hue 12+grey, V 8", features="weighted_hue"),
    Variant("grey-world, min", grey_world=True, combine="min"),
    Variant("grey-world, 3 bands, min", grey_world=True, bands=THREE_BANDS, combine="min"),
    Variant("relative V, min", features="relative_v", combine="min"),
    Variant("relative V, 3 bands, min", features="relative_v", bands=THREE_BANDS, combine="min"),
    Variant("grey-world, relative V, min", grey_world=True, features="relative_v", combine="min"),
    Variant("grey-world, HS only, min", grey_world=True, features="hs_only", combine="min"),
    Variant("grey-world, chi-square, min", grey_world=True, kernel=chi_square, combine="min"),
    Variant("saturation-weighted hue, min", features="weighted_hue", combine="min"),
    Variant("saturation-weighted hue, relative V", features="weighted_hue_relative_v"),
)
