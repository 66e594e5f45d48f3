"""Synthetic tracks for the analysis tests: people as feet trajectories, no video."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from shopflow.domain.people import PersonKind, TrackedPerson

FPS = 5.0
HEIGHT = 100.0  # box height in pixels of every synthetic person


def person(track_id: int, feet_x: float, feet_y: float, kind: PersonKind = PersonKind.CUSTOMER) -> TrackedPerson:
    return TrackedPerson(
        track_id=track_id,
        x1=feet_x - 20,
        y1=feet_y - HEIGHT,
        x2=feet_x + 20,
        y2=feet_y,
        confidence=0.9,
        kind=kind,
    )


Path = Sequence[tuple[float, float] | None]  # one feet point per frame, None = not seen in that frame


def frames(paths: dict[int, Path], fps: float = FPS) -> Iterator[tuple[float, list[TrackedPerson]]]:
    """Yield (time, people) frame by frame; each track id follows its own path."""
    length = max(len(p) for p in paths.values())
    for index in range(length):
        people = [
            person(track_id, *path[index])
            for track_id, path in paths.items()
            if index < len(path) and path[index] is not None
        ]
        yield index / fps, people


def walk(start: tuple[float, float], end: tuple[float, float], steps: int) -> list[tuple[float, float] | None]:
    (x0, y0), (x1, y1) = start, end
    return [(x0 + (x1 - x0) * i / (steps - 1), y0 + (y1 - y0) * i / (steps - 1)) for i in range(steps)]


def stay(point: tuple[float, float], steps: int) -> list[tuple[float, float] | None]:
    return [point] * steps


def gap(steps: int) -> list[tuple[float, float] | None]:
    return [None] * steps
