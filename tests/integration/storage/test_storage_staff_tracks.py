"""A track decided to be staff: its earlier crossings, visits and visitor tally move from customers to staff, once,
through a correction row (never a silent rewrite); its presence closes when it leaves; erasure unnames it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from shopflow.domain.events import Crossing, Direction, Visit
from shopflow.domain.people import PersonKind
from shopflow.domain.stamped import PartyTally, StaffCorrection, StaffDeparture, StampedEvent, staff_key
from shopflow.storage.db import Database
from shopflow.storage.repositories import EventRepository, RollupRepository
from shopflow.storage.repositories.staff_registry import StaffRegistry
from shopflow.storage.repositories.staff_tracks import StaffTrackRepository
from shopflow.storage.rollup_records import Counts

from .factories import T0, minutes, store_with_cameras
from .test_storage_writer import writer

SESSION = "live20240310T115900.000000:640x480"
OTHER_SESSION = "live20240310T110000.000000:640x480"  # an earlier stream of the same camera: track ids restart


def _crossing(
    session: str,
    track: int,
    stream_at: float,
    direction: Direction = Direction.IN,
    *,
    kind: PersonKind = PersonKind.CUSTOMER,
) -> StampedEvent:
    key = f"{session}:c:door:{track}:{stream_at:.3f}"
    return StampedEvent(Crossing("door", direction, track, kind, at=stream_at), T0 + timedelta(seconds=stream_at), key)


def _visit(session: str, track: int, entered: float, exited: float) -> StampedEvent:
    event = Visit("shelf", track, PersonKind.CUSTOMER, entered_at=entered, exited_at=exited)
    return StampedEvent(event, T0 + timedelta(seconds=exited), f"{session}:v:shelf:{track}:{entered:.3f}")


def _arrival(session: str, stream_at: float) -> StampedEvent:
    event = PartyTally(at=stream_at, potential_customers=0, groups=0, visitors=1)
    return StampedEvent(event, T0 + timedelta(seconds=stream_at), f"{session}:a:{stream_at:.3f}:1")


def _correction(
    track: int, first_seen: float, decided: float, *, rule: str = "uniform", detail: str = ""
) -> StampedEvent:
    event = StaffCorrection(track, rule, detail, first_seen, decided, visitor_arrived_at=first_seen)
    return StampedEvent(event, T0 + timedelta(seconds=decided), staff_key(SESSION, track, first_seen))


def _departure(track: int, first_seen: float, last_seen: float) -> StampedEvent:
    event = StaffDeparture(track, first_seen, last_seen)
    return StampedEvent(event, T0 + timedelta(seconds=last_seen), staff_key(SESSION, track, first_seen) + ":end")


def _day(database: Database, store_id: int) -> Counts:
    with database.read_session() as session:
        hours = RollupRepository(session).hourly(store_id, T0 - minutes(60), T0 + minutes(120))
    total = Counts()
    for hour in hours:
        total = total.combine(hour.counts, peak="max")
    return total


def _kinds(database: Database, store_id: int) -> dict[str, tuple[str, str | None]]:
    with database.read_session() as session:
        page = EventRepository(session).crossings(store_id, limit=100)
        keys = {row.event_key: row.person_kind.value for row in page.items}
    with database.read_session() as session:
        rules = dict(session.execute(text("SELECT event_key, staff_rule FROM crossings")).all())
    return {key: (kind, rules[key]) for key, kind in keys.items()}


def test_a_staff_decision_moves_the_tracks_earlier_events_from_customers_to_staff(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    before = [
        _arrival(SESSION, 10.0),
        _crossing(SESSION, 7, 12.0),  # walks in through the front door: counted as a customer
        _crossing(SESSION, 8, 13.0),  # a real customer, right behind
        _crossing(OTHER_SESSION, 7, 14.0),  # track 7 of an earlier stream: somebody else
        _visit(SESSION, 7, 20.0, 80.0),
    ]
    with writer(database) as sink:
        sink.write(camera.id, before)
        sink.flush()
        counted = _day(database, store.id)
        assert (counted.customer_entries, counted.visits, counted.visitors) == (3, 1, 1)

        sink.write(camera.id, [_correction(7, first_seen=10.0, decided=300.0)])
        sink.write(camera.id, [_crossing(SESSION, 7, 400.0, Direction.OUT, kind=PersonKind.EMPLOYEE)])
        sink.flush()
        corrected = _day(database, store.id)
        assert (corrected.customer_entries, corrected.visits, corrected.visitors) == (2, 0, 0)
        assert corrected.dwell_seconds_sum == 0.0
        assert (corrected.entries, corrected.exits) == (3, 1), "everyone still counts in entries and exits"

        # A replayed correction (a restarted worker sends its session again) moves nothing twice.
        sink.write(camera.id, [_correction(7, first_seen=10.0, decided=300.0)])
        sink.write(camera.id, [_departure(7, first_seen=10.0, last_seen=450.0)])
        sink.flush()
    assert _day(database, store.id) == corrected
    kinds = _kinds(database, store.id)
    assert kinds[f"{SESSION}:c:door:7:12.000"] == ("employee", "uniform")
    assert kinds[f"{SESSION}:c:door:7:400.000"] == ("employee", "uniform"), "named by the departure"
    assert kinds[f"{SESSION}:c:door:8:13.000"] == ("customer", None)
    assert kinds[f"{OTHER_SESSION}:c:door:7:14.000"] == ("customer", None)
    with database.read_session() as session:
        (presence,) = StaffTrackRepository(session).presences(store.id, T0 - minutes(1), T0 + minutes(60))
        totals = StaffTrackRepository(session).totals(store.id, T0 - minutes(1), T0 + minutes(60))
    assert presence.rule == "uniform" and presence.employee_id is None
    assert presence.first_seen_at == T0 + timedelta(seconds=10)
    assert presence.last_seen_at == T0 + timedelta(seconds=450)
    assert (totals.tracks, totals.crossings_corrected, totals.visits_corrected, totals.visitors_corrected) == (
        1,
        1,
        1,
        1,
    )


def test_a_face_names_the_employee_until_they_are_erased(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    with database.session() as session:
        employee = StaffRegistry(session).create(store.id, "Ana Souza", "F-001")
    with writer(database) as sink:
        sink.write(
            camera.id, [_correction(3, 0.0, 5.0, rule="face", detail=str(employee.id)), _departure(3, 0.0, 60.0)]
        )
        # A key the store's gallery no longer has (an employee removed meanwhile): the correction is kept unnamed.
        sink.write(camera.id, [_correction(4, 1.0, 6.0, rule="face", detail="999999")])
        sink.flush()
        assert sink.stats().dropped_events == 0
    window = (T0 - minutes(1), T0 + minutes(60))
    with database.read_session() as session:
        named = StaffTrackRepository(session).presences(store.id, *window)
    assert [p.employee_id for p in named] == [employee.id, None]
    with database.session() as session:
        StaffRegistry(session).erase(employee.id, actor="owner@example.com")
    with database.read_session() as session:
        erased = StaffTrackRepository(session).presences(store.id, *window)
    assert [p.employee_id for p in erased] == [None, None]
    assert [p.last_seen_at for p in erased] == [T0 + timedelta(seconds=60), T0 + timedelta(seconds=6)]
