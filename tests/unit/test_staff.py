"""Staff rules on synthetic tracks: staff zone, long stay, uniform and face votes over frames, and a decision
that covers the whole track (its earlier crossings, groups and unique visitors)."""

from __future__ import annotations

import pytest

from shopflow.analysis.report import ReportBuilder
from shopflow.analysis.scene import SceneAnalyzer
from shopflow.analysis.staff import FaceSighting, StaffClassifier, StaffRule, StaffSettings, StaffTally
from shopflow.domain.events import Crossing, Direction
from shopflow.domain.geometry import CountingLine, Zone
from shopflow.domain.people import PersonKind

from .tracks import FPS, Path, frames, gap, stay, walk

# A 1000x1000 frame: the counter is the top-right corner, the door a horizontal line at y=800.
COUNTER = Zone("counter", ((0.7, 0.0), (1.0, 0.0), (1.0, 0.3), (0.7, 0.3)))
DOOR = CountingLine("door", (1.0, 0.8), (0.0, 0.8))  # drawn right to left: walking up is `in`
BEHIND_COUNTER = (850.0, 150.0)
FLOOR = (300.0, 500.0)


def classify(
    paths: dict[int, Path],
    settings: StaffSettings,
    uniform: dict[int, list[bool | None]] | None = None,
    faces: dict[int, list[FaceSighting | None]] | None = None,
) -> tuple[StaffClassifier, list[dict[int, PersonKind]], list[tuple[int, StaffRule, float, float]]]:
    classifier = StaffClassifier(1000, 1000, settings)
    kinds: list[dict[int, PersonKind]] = []
    decisions = []
    for index, (at, people) in enumerate(frames(paths)):
        frame_uniform = None
        if uniform is not None:
            frame_uniform = {t: v[index] for t, v in uniform.items() if index < len(v) and v[index] is not None}
        frame_faces = None
        if faces is not None:
            frame_faces = {t: v[index] for t, v in faces.items() if index < len(v) and v[index] is not None}
        labelled, decided = classifier.update(people, at, uniform=frame_uniform, faces=frame_faces)  # type: ignore[arg-type]
        kinds.append({p.track_id: p.kind for p in labelled})
        decisions.extend((d.track_id, d.rule, d.first_seen, d.decided_at) for d in decided)
    return classifier, kinds, decisions


def test_nobody_is_staff_without_rules() -> None:
    _, kinds, decisions = classify({1: stay(BEHIND_COUNTER, 100)}, StaffSettings())
    assert decisions == []
    assert all(frame[1] is PersonKind.CUSTOMER for frame in kinds)


def test_standing_in_a_staff_zone_makes_the_whole_track_staff() -> None:
    path = walk(FLOOR, BEHIND_COUNTER, 20) + stay(BEHIND_COUNTER, 10)
    _, kinds, decisions = classify({1: path, 2: stay(FLOOR, 30)}, StaffSettings(zones=(COUNTER,)))
    assert len(decisions) == 1
    track, rule, first_seen, decided_at = decisions[0]
    assert (track, rule) == (1, StaffRule.ZONE)
    assert first_seen == 0.0  # the decision reaches back to the track's first frame
    # Confirmed after a second inside, not on the first frame in the zone.
    entered = next(i for i, p in enumerate(path) if p is not None and p[0] >= 700 and p[1] <= 300)
    assert decided_at == pytest.approx(entered / FPS + 1.0)
    assert kinds[-1] == {1: PersonKind.EMPLOYEE, 2: PersonKind.CUSTOMER}


def test_brushing_a_staff_zone_for_less_than_the_confirmation_is_not_staff() -> None:
    path = stay(FLOOR, 5) + stay(BEHIND_COUNTER, 3) + stay(FLOOR, 20)  # 0.6 s inside
    _, _, decisions = classify({1: path}, StaffSettings(zones=(COUNTER,)))
    assert decisions == []


def test_a_long_stay_is_staff_and_a_short_one_is_not() -> None:
    settings = StaffSettings(stay_seconds=10.0)
    _, kinds, decisions = classify({1: stay(FLOOR, int(12 * FPS)), 2: stay(FLOOR, int(9 * FPS))}, settings)
    assert [(d[0], d[1]) for d in decisions] == [(1, StaffRule.LONG_STAY)]
    assert decisions[0][3] == pytest.approx(10.0)
    assert kinds[int(10 * FPS) - 1][1] is PersonKind.CUSTOMER
    assert kinds[int(10 * FPS)][1] is PersonKind.EMPLOYEE


def test_the_uniform_must_match_most_clear_frames() -> None:
    settings = StaffSettings(uniform_min_frames=5, uniform_min_share=0.7)
    always = [True] * 10
    sometimes = [True, False, False, True, False, False, True, False, False, True]  # a similar colour now and then
    once = [True] + [None] * 9  # one clear frame never decides
    _, _, decisions = classify(
        {1: stay(FLOOR, 10), 2: stay(FLOOR, 10), 3: stay(FLOOR, 10)},
        settings,
        uniform={1: always, 2: sometimes, 3: once},  # type: ignore[dict-item]
    )
    assert [(d[0], d[1]) for d in decisions] == [(1, StaffRule.UNIFORM)]
    assert decisions[0][3] == pytest.approx(4 / FPS)  # the fifth clear frame


def test_one_face_frame_never_flips_a_track() -> None:
    strong = FaceSighting("ana", weight=10.0)
    _, kinds, decisions = classify({1: stay(FLOOR, 10)}, StaffSettings(), faces={1: [strong] + [None] * 9})
    assert decisions == []
    assert all(frame[1] is PersonKind.CUSTOMER for frame in kinds)


def test_face_votes_are_weighted_and_strangers_vote_against() -> None:
    settings = StaffSettings(face_min_frames=3, face_min_weight=2.0, face_min_share=0.6)
    ana = FaceSighting("ana", weight=1.0)
    stranger = FaceSighting(None, weight=1.0)
    _, _, decisions = classify(
        {1: stay(FLOOR, 10), 2: stay(FLOOR, 10)},
        settings,
        faces={1: [ana, ana, stranger, ana, None], 2: [ana, stranger, stranger, ana, stranger, ana, stranger]},  # type: ignore[list-item]
    )
    # Track 1: after the fourth frame ana has 3 of 4 weight; track 2 never gets past half its faces.
    assert [(d[0], d[1]) for d in decisions] == [(1, StaffRule.FACE)]
    assert decisions[0][3] == pytest.approx(3 / FPS)


def test_face_sighting_weight_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="weight"):
        FaceSighting("ana", weight=-1.0)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"stay_seconds": 0.0}, "stay_seconds"),
        ({"face_min_frames": 1}, "one frame never decides"),
        ({"uniform_min_share": 0.5}, "uniform_min_share"),
        ({"zones": (COUNTER, COUNTER)}, "share a name"),
    ],
)
def test_settings_that_cannot_work_are_refused(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        StaffSettings(**kwargs)  # type: ignore[arg-type]


def test_memory_is_bounded_on_a_24_7_camera() -> None:
    settings = StaffSettings(zones=(COUNTER,), forget_after_seconds=10.0)
    paths: dict[int, Path] = {t: gap(t * 20) + stay(FLOOR, 10) for t in range(1, 40)}
    classifier = StaffClassifier(1000, 1000, settings)
    largest, last = 0, 0.0
    for at, people in frames(paths):
        classifier.update(people, at)
        largest, last = max(largest, len(classifier)), at
    # A track arrives every 4 s and stays 2 s, so at most (10 s + 2 s) / 4 s + 1 are remembered at once,
    # while 39 passed by; once everyone has been gone 10 s, nothing is left.
    assert largest <= 4
    classifier.update([], last + settings.forget_after_seconds + 1)
    assert len(classifier) == 0


def test_a_staff_decision_covers_crossings_made_before_it() -> None:
    """Staff walk in through the door, then go behind the counter: their entry is not a customer entry."""
    employee = walk((500.0, 950.0), (500.0, 600.0), 15) + walk((500.0, 600.0), BEHIND_COUNTER, 15)
    employee += stay(BEHIND_COUNTER, 15)
    customer = walk((200.0, 950.0), (200.0, 500.0), 20) + stay((200.0, 500.0), 25)
    scene = SceneAnalyzer(1000, 1000, lines=[DOOR])
    classifier = StaffClassifier(1000, 1000, StaffSettings(zones=(COUNTER,)))
    builder = ReportBuilder(scene)
    crossings: list[Crossing] = []
    for at, people in frames({1: employee, 2: customer}):
        labelled, decided = classifier.update(people, at)
        update = scene.update(labelled, at)
        crossings.extend(e for e in update.events if isinstance(e, Crossing))
        builder.add(update.events)
        builder.add_staff(decided)
    builder.add(scene.finish())
    # The employee's crossing happened while they were still undecided (a customer at the time) ...
    assert {(c.track_id, c.direction, c.kind) for c in crossings} == {
        (1, Direction.IN, PersonKind.CUSTOMER),
        (2, Direction.IN, PersonKind.CUSTOMER),
    }
    report = builder.build(len(employee), len(employee) / FPS, 1.0, {}, len(employee)).to_json()
    # ... and the decision moves it to staff: everyone is 2 in, customers 1.
    assert report["lines"]["door"] == {"in": 2, "out": 0, "customers_in": 1, "customers_out": 0}
    [decision] = report["staff"]["decisions"]
    assert report["staff"] == {
        "tracks": 1,
        "by_rule": {"face": 0, "uniform": 0, "staff_zone": 1, "long_stay": 0},
        "decisions": [{**decision, "track_id": 1, "rule": "staff_zone"}],
    }
    assert decision["first_seen"] <= decision["decided_at"]
    # Unique visitors and potential customers leave the employee out.
    assert report["unique_visitors"] == 1
    assert report["potential_customers"] == 1


def test_tally_counts_each_decided_track_once() -> None:
    tally = StaffTally()
    tally.add([Crossing("door", Direction.IN, 7, PersonKind.CUSTOMER, 1.0)])
    tally.add([Crossing("door", Direction.OUT, 7, PersonKind.EMPLOYEE, 9.0)])
    tally.add([Crossing("door", Direction.IN, 8, PersonKind.CUSTOMER, 2.0)])
    classifier = StaffClassifier(10, 10, StaffSettings(stay_seconds=1.0))
    decision = next(d for at in (0.0, 1.0) for d in classifier.update([_box(7)], at)[1])
    tally.decide([decision, decision])
    assert tally.crossings("door", "in") == 1
    assert tally.crossings("door", "out") == 1
    assert tally.to_json()["tracks"] == 1


def _box(track_id: int):  # type: ignore[no-untyped-def]
    from .tracks import person

    return person(track_id, 5.0, 5.0)


def test_a_staff_track_departs_once_with_its_last_sighting_and_memory_stays_bounded() -> None:
    settings = StaffSettings(zones=(COUNTER,), forget_after_seconds=2.0)
    classifier = StaffClassifier(1000, 1000, settings)
    paths = {1: stay(BEHIND_COUNTER, 20) + gap(30), 2: stay(FLOOR, 50)}
    departures = []
    for at, people in frames(paths):
        classifier.update(people, at)
        departures.extend(classifier.take_departures())
    assert [(d.decision.track_id, d.decision.rule, d.last_seen) for d in departures] == [
        (1, StaffRule.ZONE, pytest.approx(19 / FPS))
    ], "the customer on the floor never departs as staff"
    assert len(classifier) == 1  # only the customer still in view
    # The end of the stream closes whoever is still known; a customer is not a staff presence.
    assert classifier.finish() == []
    assert len(classifier) == 0
