"""Where a person stands, even when the frame's bottom edge cuts their feet off."""

from __future__ import annotations

from shopflow.domain.people import TrackedPerson

# A standing pedestrian's box is about 0.41 times as wide as it is tall (the fixed aspect ratio of the
# CityPersons and Caltech pedestrian benchmarks), so a box cut off by the bottom edge still tells how tall the
# person is from its width.
PERSON_WIDTH_TO_HEIGHT = 0.41
# Detectors clip boxes to the frame; a bottom this close to the edge (pixels) is taken as cut off.
EDGE_PIXELS = 2.0


def standing_height(person: TrackedPerson, frame_height: int) -> float:
    """The person's full height in pixels: the box's, or for a box cut off by the bottom edge the height its
    width implies, whichever is taller."""
    height = person.y2 - person.y1
    if person.y2 < frame_height - EDGE_PIXELS:
        return height
    return max(height, (person.x2 - person.x1) / PERSON_WIDTH_TO_HEIGHT)


def ground_point(person: TrackedPerson, frame_height: int) -> tuple[float, float]:
    """The feet (bottom-centre of the box), estimated below the frame for a box cut off by its bottom edge:
    someone walking in from the bottom is still on the far side of a line drawn near that edge."""
    x, _ = person.feet
    return x, person.y1 + standing_height(person, frame_height)
