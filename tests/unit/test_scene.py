"""The scene as a whole: every component fed frame by frame, snapshots on time, per-person state bounded."""

from __future__ import annotations

import numpy as np

from shopflow.analysis.scene import SceneAnalyzer
from shopflow.domain.events import CountSnapshot, Crossing, Visit
from shopflow.domain.geometry import CountingLine, Zone

from .tracks import person

LINE = CountingLine("door", (0.0, 0.5), (1.0, 0.5))
ZONE = Zone("counter", ((0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8)))


def test_state_stays_bounded_on_a_camera_that_never_stops() -> None:
    """Six simulated hours at 5 fps: 2,000 people walking through, each with a new id."""
    scene = SceneAnalyzer(1000, 1000, [LINE], [ZONE])
    rng = np.random.default_rng(1)
    walkers: dict[int, tuple[float, float]] = {}  # id -> (x, start time)
    next_id, crossings, visits, sizes = 1, 0, 0, []
    at = 0.0
    for frame in range(6 * 3600 * 5):
        at = frame / 5.0
        if frame % 54 == 0:  # a new person every ~11 s
            walkers[next_id] = (float(rng.uniform(250, 750)), at)
            next_id += 1
        people = []
        for track_id, (x, start) in list(walkers.items()):
            y = 50 + (at - start) * 80  # walks down through the zone and across the line in ~11 s
            if y > 950:
                del walkers[track_id]
                continue
            people.append(person(track_id, x, y))
        update = scene.update(people, at)
        crossings += sum(isinstance(e, Crossing) for e in update.events)
        visits += sum(isinstance(e, Visit) for e in update.events)
        if frame % 500 == 0:
            sizes.append(scene.tracked_state_size)
    scene.finish()
    people_seen = next_id - 1
    assert crossings == people_seen
    assert visits >= people_seen - 2  # the last ones close at finish()
    assert max(sizes) < 60  # a handful of people in view plus those remembered for forget_after_seconds
    assert scene.tracked_state_size <= scene.visitors.settings.remember_at_most


def test_snapshots_every_five_seconds() -> None:
    scene = SceneAnalyzer(1000, 1000)
    snapshots = []
    for frame in range(5 * 60):  # one minute at 5 fps
        update = scene.update([person(1, 500, 500), person(2, 520, 500)], frame / 5.0)
        snapshots += [e for e in update.events if isinstance(e, CountSnapshot)]
    assert len(snapshots) == 12
    assert all(s.total_people == 2 and s.customers == 2 and s.employees == 0 for s in snapshots)
