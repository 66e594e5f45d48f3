"""False accept and false reject rates of the face embedder on the real test photos (tests/fixtures/faces).

Every face the detector finds is embedded; pairs of the same person are genuine (obama, obama2, obama3: three
distinct photos of one person, the only such set in any package found), every other pair is an impostor pair.
Prints the rates at several thresholds, for all faces and for faces at least `--min-face` px wide.

    .venv/bin/python bench/face_verification.py
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np

from shopflow.vision.faces import DlibFaceEmbedder, FaceGallery, decode_photo

PHOTOS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "faces"
SAME_PERSON = {"obama": "obama", "obama2": "obama", "obama3": "obama"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-face", type=int, default=80, help="second table: only faces at least this wide")
    args = parser.parse_args()
    embedder = DlibFaceEmbedder()
    faces: list[tuple[str, int, np.ndarray]] = []
    started = time.perf_counter()
    for path in sorted(PHOTOS.glob("*.jpg")):
        rgb = decode_photo(path.read_bytes())
        found = embedder.find(rgb, upsample=1)
        print(f"{path.name}: {len(found)} faces, widths {[face.width for face in found]}")
        for index, face in enumerate(found):
            who = SAME_PERSON.get(path.stem, f"{path.stem}#{index}")
            faces.append((who, face.width, embedder.embed(rgb, face)))
    print(f"{len(faces)} faces embedded in {time.perf_counter() - started:.1f} s")
    for title, subset in (
        ("all faces", faces),
        (f"faces >= {args.min_face} px", [f for f in faces if f[1] >= args.min_face]),
    ):
        genuine: list[float] = []
        impostor: list[float] = []
        for (who_a, _, a), (who_b, _, b) in itertools.combinations(subset, 2):
            (genuine if who_a == who_b else impostor).append(float(np.linalg.norm(a - b)))
        print(f"\n{title}: {len(genuine)} genuine pairs, {len(impostor)} impostor pairs")
        print("| threshold | false accepts | FAR | false rejects | FRR |")
        print("| ---: | ---: | ---: | ---: | ---: |")
        for threshold in (0.35, FaceGallery.DEFAULT_THRESHOLD, 0.45, 0.5, 0.55, 0.6):
            accepts = sum(d <= threshold for d in impostor)
            rejects = sum(d > threshold for d in genuine)
            far = accepts / len(impostor) if impostor else float("nan")
            frr = rejects / len(genuine) if genuine else float("nan")
            print(f"| {threshold:.2f} | {accepts}/{len(impostor)} | {far:.1%} | {rejects}/{len(genuine)} | {frr:.0%} |")


if __name__ == "__main__":
    main()
