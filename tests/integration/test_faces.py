"""Face enrolment checks and verification on real photos (tests/fixtures/faces, see tests/fixtures/NOTICE.md).

Every bad photo of the issue gets its own problem code and a message that says what to fix; a good photo gives
one 128-number embedding; at the default threshold no impostor pair of the photos is accepted and the same
person's distinct photos are.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import numpy as np
import pytest

from shopflow.vision.faces import (
    DlibFaceEmbedder,
    FaceError,
    FaceGallery,
    FaceProblem,
    PhotoRules,
    decode_photo,
    enrolment_embedding,
)

PHOTOS = Path(__file__).resolve().parents[1] / "fixtures" / "faces"


@pytest.fixture(scope="module")
def embedder() -> DlibFaceEmbedder:
    return DlibFaceEmbedder()


def photo(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def jpeg(rgb: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok
    return data.tobytes()


def refused(data: bytes, embedder: DlibFaceEmbedder, rules: PhotoRules | None = None) -> FaceError:
    with pytest.raises(FaceError) as caught:
        enrolment_embedding(data, embedder, rules)
    return caught.value


def test_a_good_photo_gives_one_embedding(embedder: DlibFaceEmbedder) -> None:
    vector = enrolment_embedding(photo("obama.jpg"), embedder)
    assert vector.shape == (128,)
    assert vector.dtype == np.float32
    assert 0.5 < float(np.linalg.norm(vector)) < 1.5


def test_not_an_image(embedder: DlibFaceEmbedder) -> None:
    error = refused(b"name,department\nAna,caixa\n", embedder)
    assert error.problem is FaceProblem.NOT_AN_IMAGE
    assert "JPEG or PNG" in str(error)
    assert refused(b"", embedder).problem is FaceProblem.NOT_AN_IMAGE


def test_too_large_in_bytes(embedder: DlibFaceEmbedder) -> None:
    error = refused(photo("obama.jpg"), embedder, PhotoRules(max_bytes=20_000))
    assert error.problem is FaceProblem.TOO_LARGE
    assert "at most" in str(error)


def test_too_large_in_pixels_is_refused_before_decoding(embedder: DlibFaceEmbedder) -> None:
    # A black 9000x5000 PNG is a few hundred kB on disk but 135 MB decoded: the header says so first.
    ok, data = cv2.imencode(".png", np.zeros((5000, 9000, 3), dtype=np.uint8))
    assert ok and len(data) < PhotoRules().max_bytes
    error = refused(data.tobytes(), embedder)
    assert error.problem is FaceProblem.TOO_LARGE
    assert "9000x5000" in str(error)


def test_no_face(embedder: DlibFaceEmbedder) -> None:
    bus = decode_photo(photo("bus.jpg"))
    error = refused(jpeg(bus[700:, :]), embedder)  # the street and the bus's lower half: nobody's face
    assert error.problem is FaceProblem.NO_FACE
    assert "no face" in str(error)


def test_two_faces_or_more(embedder: DlibFaceEmbedder) -> None:
    error = refused(photo("gdp.jpg"), embedder)
    assert error.problem is FaceProblem.SEVERAL_FACES
    assert "3 faces" in str(error)


def test_too_small(embedder: DlibFaceEmbedder) -> None:
    small = cv2.resize(decode_photo(photo("obama.jpg")), (205, 256), interpolation=cv2.INTER_AREA)
    error = refused(jpeg(small), embedder)
    assert error.problem is FaceProblem.TOO_SMALL
    assert "at least 80 px" in str(error)


def test_too_blurred(embedder: DlibFaceEmbedder) -> None:
    blurred = cv2.GaussianBlur(decode_photo(photo("obama.jpg")), (0, 0), 3)
    error = refused(jpeg(blurred), embedder)
    assert error.problem is FaceProblem.TOO_BLURRED
    assert "blurred" in str(error)


def test_verification_rates_at_the_default_threshold(embedder: DlibFaceEmbedder) -> None:
    """Genuine pairs: three distinct photos of one person (no package ships more); impostors: every pair of
    different people's faces in the photos."""
    faces: list[tuple[str, np.ndarray]] = []
    for name in ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "yaoming.jpg", "zidane.jpg", "gdp.jpg"):
        rgb = decode_photo(photo(name))
        for index, face in enumerate(embedder.find(rgb, upsample=1)):
            person = "obama" if name.startswith("obama") else f"{name}#{index}"
            faces.append((person, embedder.embed(rgb, face)))
    genuine = impostor = false_accepts = false_rejects = 0
    gallery_threshold = FaceGallery({}).threshold
    for (who_a, a), (who_b, b) in itertools.combinations(faces, 2):
        accepted = float(np.linalg.norm(a - b)) <= gallery_threshold
        if who_a == who_b:
            genuine += 1
            false_rejects += not accepted
        else:
            impostor += 1
            false_accepts += accepted
    assert (genuine, impostor) == (3, 33)
    assert false_accepts == 0
    assert false_rejects <= 1  # obama3's face is 75 px wide, under the enrolment minimum


def test_gallery_matches_the_nearest_employee_within_the_threshold(embedder: DlibFaceEmbedder) -> None:
    gallery = FaceGallery({"Ana": [enrolment_embedding(photo("obama.jpg"), embedder)]})
    same = enrolment_embedding(photo("obama2.jpg"), embedder)
    other = enrolment_embedding(photo("biden.jpg"), embedder)
    assert gallery.match(same).employee == "Ana"
    assert gallery.match(other).employee is None
    assert gallery.match(other).distance > gallery.threshold
