"""Unique visitors: customers seen long enough, employees apart, state freed on departure."""

from __future__ import annotations

from shopflow.analysis.visitors import VisitorCounter
from shopflow.domain.people import PersonKind

from .tracks import frames, person, stay, walk


def test_counts_people_seen_long_enough() -> None:
    counter = VisitorCounter(min_presence_seconds=1.0)
    paths = {1: walk((0, 0), (100, 100), 20), 2: stay((50, 50), 3), 3: stay((70, 70), 6)}
    for at, people in frames(paths):
        counter.update(people, at)
    # 3 frames at 5 fps span 0.4 s: a ghost, not a visitor; 6 frames span 1.0 s.
    assert counter.customers == 2
    counter.forget([1, 2, 3])
    assert counter.customers == 2
    assert len(counter) == 0


def test_employee_recognised_late_is_not_a_visitor() -> None:
    counter = VisitorCounter(min_presence_seconds=1.0)
    counter.update([person(1, 10, 10)], 0.0)
    counter.update([person(1, 10, 10)], 1.0)
    counter.update([person(1, 10, 10, PersonKind.EMPLOYEE)], 2.0)
    counter.forget([1])
    assert (counter.customers, counter.employees) == (0, 1)
