"""Hourly rollups per camera and per store: kept current by the event writer, read as hourly series and local-day
totals. Store-wide reads use the per-store rows (one per hour), per-camera reads the per-camera rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.orm import Session

from shopflow.domain.people import PersonKind
from shopflow.storage.columns import require_utc, utcnow
from shopflow.storage.errors import NotFoundError
from shopflow.storage.event_records import NewCrossing, NewSnapshot, NewTally, NewVisit
from shopflow.storage.models import HourlyRollupRow, StoreHourlyRollupRow, StoreRow
from shopflow.storage.repositories._dialect import upsert_insert
from shopflow.storage.rollup_records import Counts, DailyTotals, HourlyTotals, RollupKey

HOUR = timedelta(hours=1)
COUNT_FIELDS = tuple(field.name for field in fields(Counts))


def hour_start(at: datetime) -> datetime:
    """The UTC hour `at` falls in."""
    return require_utc(at).replace(minute=0, second=0, microsecond=0)


def add_delta(deltas: dict[RollupKey, Counts], store_id: int, camera_id: int, at: datetime, counts: Counts) -> None:
    """Add `counts` to the delta of the camera-hour `at` falls in."""
    key = RollupKey(store_id=store_id, camera_id=camera_id, hour_start=hour_start(at))
    previous = deltas.get(key)
    deltas[key] = counts if previous is None else previous.combine(counts, peak="max")


def rollup_deltas(
    crossings: Iterable[NewCrossing] = (),
    visits: Iterable[NewVisit] = (),
    snapshots: Iterable[NewSnapshot] = (),
    tallies: Iterable[NewTally] = (),
) -> dict[RollupKey, Counts]:
    """What newly inserted events add to each hourly rollup.

    Entries and exits count everyone crossing a line whose inside side is known (employees included,
    `customer_entries` is the customers among them). Visits and dwell count customers only, in the hour the
    visit began. Peak occupancy is the highest `total_people` of a snapshot in the hour. Potential customers,
    groups and visitors come from party tallies only (a snapshot's are "in view now" and would count people
    many times).
    """
    deltas: dict[RollupKey, Counts] = {}

    def add(store_id: int, camera_id: int, at: datetime, counts: Counts) -> None:
        add_delta(deltas, store_id, camera_id, at, counts)

    for crossing in crossings:
        if crossing.is_entry is None:
            continue
        is_customer = crossing.person_kind == PersonKind.CUSTOMER
        counts = Counts(entries=1, customer_entries=int(is_customer)) if crossing.is_entry else Counts(exits=1)
        add(crossing.store_id, crossing.camera_id, crossing.at, counts)
    for visit in visits:
        if visit.person_kind == PersonKind.CUSTOMER:
            add(
                visit.store_id,
                visit.camera_id,
                visit.entered_at,
                Counts(visits=1, dwell_seconds_sum=visit.dwell_seconds),
            )
    for snapshot in snapshots:
        add(snapshot.store_id, snapshot.camera_id, snapshot.at, Counts(peak_occupancy=snapshot.total_people))
    for tally in tallies:
        counts = Counts(potential_customers=tally.potential_customers, groups=tally.groups, visitors=tally.visitors)
        add(tally.store_id, tally.camera_id, tally.at, counts)
    return deltas


class RollupRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, deltas: Mapping[RollupKey, Counts], *, now: datetime | None = None) -> None:
        """Add each delta to its hourly row (created when missing); the peak is merged with max."""
        if not deltas:
            return
        updated_at = require_utc(now) if now is not None else utcnow()
        rows = [
            {
                "store_id": key.store_id,
                "camera_id": key.camera_id,
                "hour_start": key.hour_start,
                **{name: getattr(counts, name) for name in COUNT_FIELDS},
                "updated_at": updated_at,
            }
            for key, counts in deltas.items()
        ]
        old_peaks = self._peaks(deltas.keys())
        statement = upsert_insert(self._session, HourlyRollupRow)
        excluded = statement.excluded
        table = HourlyRollupRow
        additive = {
            name: getattr(table, name) + getattr(excluded, name) for name in COUNT_FIELDS if name != "peak_occupancy"
        }
        statement = statement.on_conflict_do_update(
            index_elements=["store_id", "camera_id", "hour_start"],
            set_={
                **additive,
                "peak_occupancy": case(
                    (excluded.peak_occupancy > table.peak_occupancy, excluded.peak_occupancy),
                    else_=table.peak_occupancy,
                ),
                "updated_at": excluded.updated_at,
            },
        )
        self._session.execute(statement, rows)
        self._add_to_stores(deltas, old_peaks, updated_at)

    def _peaks(self, keys: Iterable[RollupKey]) -> dict[RollupKey, int]:
        """The stored peak of each camera-hour about to change (missing rows are absent).

        Only the worker of a camera writes its camera-hours, so nothing changes them between this read and the
        upsert: no lock is needed.
        """
        wanted = set(keys)
        query = select(
            HourlyRollupRow.store_id,
            HourlyRollupRow.camera_id,
            HourlyRollupRow.hour_start,
            HourlyRollupRow.peak_occupancy,
        ).where(
            HourlyRollupRow.store_id.in_({k.store_id for k in wanted}),
            HourlyRollupRow.camera_id.in_({k.camera_id for k in wanted}),
            HourlyRollupRow.hour_start.in_({k.hour_start for k in wanted}),
        )
        found = {RollupKey(store, camera, hour): peak for store, camera, hour, peak in self._session.execute(query)}
        return {key: peak for key, peak in found.items() if key in wanted}

    def _add_to_stores(
        self, deltas: Mapping[RollupKey, Counts], old_peaks: Mapping[RollupKey, int], updated_at: datetime
    ) -> None:
        """Add the same deltas to the store-hour rows. A store's peak is the sum of its cameras' peaks, so it grows
        by exactly as much as each camera's peak grew; every column is then additive, which keeps concurrent
        writers of one store (other server processes, other cameras) correct without reading the store row."""
        by_store: dict[tuple[int, datetime], dict[str, float]] = {}
        for key, counts in deltas.items():
            row = by_store.setdefault((key.store_id, key.hour_start), dict.fromkeys(COUNT_FIELDS, 0))
            for name in COUNT_FIELDS:
                if name != "peak_occupancy":
                    row[name] += getattr(counts, name)
            before = old_peaks.get(key, 0)
            row["peak_occupancy"] += max(before, counts.peak_occupancy) - before
        # Sorted, so two writers lock the rows in one order on PostgreSQL and never deadlock.
        rows = [
            {"store_id": store_id, "hour_start": hour, **sums, "updated_at": updated_at}
            for (store_id, hour), sums in sorted(by_store.items())
        ]
        statement = upsert_insert(self._session, StoreHourlyRollupRow)
        excluded = statement.excluded
        table = StoreHourlyRollupRow
        statement = statement.on_conflict_do_update(
            index_elements=["store_id", "hour_start"],
            set_={
                **{name: getattr(table, name) + getattr(excluded, name) for name in COUNT_FIELDS},
                "updated_at": excluded.updated_at,
            },
        )
        self._session.execute(statement, rows)

    def rebuild_store(self, store_id: int) -> None:
        """Recompute a store's store-hour rows from its camera rows (after a camera and its rollups are deleted)."""
        self._session.execute(delete(StoreHourlyRollupRow).where(StoreHourlyRollupRow.store_id == store_id))
        camera = HourlyRollupRow
        summed = select(
            camera.store_id,
            camera.hour_start,
            *[func.sum(getattr(camera, name)) for name in COUNT_FIELDS],
            func.max(camera.updated_at),
        ).where(camera.store_id == store_id)
        summed = summed.group_by(camera.store_id, camera.hour_start)
        columns = ["store_id", "hour_start", *COUNT_FIELDS, "updated_at"]
        self._session.execute(insert(StoreHourlyRollupRow).from_select(columns, summed))

    def hourly(
        self, store_id: int, start: datetime, end: datetime, *, camera_id: int | None = None
    ) -> list[HourlyTotals]:
        """One point per UTC hour from the hour holding `start` up to `end` (exclusive), hours without data as
        zeros. Without `camera_id` the store's cameras are added together (their peaks too, and their visitors,
        which is not a store's unique visitors: reports/visitors.py decides those)."""
        first, end = hour_start(start), require_utc(end, "end")
        by_hour = self._by_hour(store_id, first, end, camera_id)
        points: list[HourlyTotals] = []
        hour = first
        while hour < end:
            points.append(HourlyTotals(hour_start=hour, counts=by_hour.get(hour, Counts()), camera_id=camera_id))
            hour += HOUR
        return points

    def daily(
        self,
        store_id: int,
        first_day: date,
        last_day: date,
        *,
        timezone: str | None = None,
        camera_id: int | None = None,
        keep_hour: Callable[[datetime], bool] | None = None,
    ) -> list[DailyTotals]:
        """Totals per local calendar day of the store, first_day to last_day inclusive, days without data as zeros.

        Days are built in Python from the hourly rows (same on every dialect): an hour belongs to the local day
        its start falls in. `timezone` defaults to the store's own. `keep_hour`, given an hour's local start, says
        whether it counts (reports leave out the hours outside opening hours this way, still one read of the rows).
        """
        if last_day < first_day:
            raise ValueError(f"last_day {last_day} is before first_day {first_day}")
        if timezone is None:
            store_timezone = self._session.scalar(select(StoreRow.timezone).where(StoreRow.id == store_id))
            if store_timezone is None:
                raise NotFoundError("store", store_id)
            timezone = store_timezone
        zone = ZoneInfo(timezone)
        start = datetime.combine(first_day, time.min, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
        days: dict[date, Counts] = {}
        day = first_day
        while day <= last_day:
            days[day] = Counts()
            day += timedelta(days=1)
        # Hours that start before local midnight (zones with half-hour offsets) are dropped by the day check.
        for hour, counts in self._by_hour(store_id, hour_start(start), end, camera_id).items():
            local_start = hour.astimezone(zone)
            local_day = local_start.date()
            if local_day in days and (keep_hour is None or keep_hour(local_start)):
                days[local_day] = days[local_day].combine(counts, peak="max")
        return [DailyTotals(day=day, counts=counts, camera_id=camera_id) for day, counts in days.items()]

    def camera_visitors(self, store_id: int, start: datetime, end: datetime) -> dict[datetime, dict[int, int]]:
        """Each camera's own unique visitors per UTC hour from the hour holding `start` up to `end` (exclusive):
        {hour: {camera id: visitors}}, hours and cameras without any left out. For a store whose cameras must not
        be added up (reports/visitors.py). Only stores with several cameras and no entrance line ask; a week of
        10 cameras is at most 1,680 small rows, but 400 days of them 96,000 (about 1 s on SQLite)."""
        first, end = hour_start(start), require_utc(end, "end")
        query = select(HourlyRollupRow.hour_start, HourlyRollupRow.camera_id, HourlyRollupRow.visitors).where(
            HourlyRollupRow.store_id == store_id,
            HourlyRollupRow.hour_start >= first,
            HourlyRollupRow.hour_start < end,
            HourlyRollupRow.visitors != 0,
        )
        by_hour: dict[datetime, dict[int, int]] = {}
        for hour, camera_id, visitors in self._session.execute(query):
            by_hour.setdefault(hour, {})[camera_id] = visitors
        return by_hour

    def last_updated(self, store_id: int, camera_id: int | None = None) -> datetime | None:
        """When events last changed this store's (or camera's) rollups; None before the first event."""
        query = select(func.max(HourlyRollupRow.updated_at)).where(HourlyRollupRow.store_id == store_id)
        if camera_id is not None:
            query = query.where(HourlyRollupRow.camera_id == camera_id)
        return self._session.scalar(query)  # max() keeps the column's type, so this is UTC-aware

    def last_updated_any(self) -> datetime | None:
        """When events last changed any store's rollups; None before the first event anywhere."""
        return self._session.scalar(select(func.max(HourlyRollupRow.updated_at)))

    def _by_hour(self, store_id: int, start: datetime, end: datetime, camera_id: int | None) -> dict[datetime, Counts]:
        """Counts per UTC hour that has rows, the cameras added up (peaks too, as `combine(peak="sum")` would).

        Store-wide, the store-hour rows are read as they are: 90 days are at most 2,160 rows. For one camera the
        database sums its rows (one per hour anyway).
        """
        if camera_id is None:
            stored = select(
                StoreHourlyRollupRow.hour_start, *[getattr(StoreHourlyRollupRow, name) for name in COUNT_FIELDS]
            ).where(
                StoreHourlyRollupRow.store_id == store_id,
                StoreHourlyRollupRow.hour_start >= start,
                StoreHourlyRollupRow.hour_start < end,
            )
            return {hour: Counts(*sums) for hour, *sums in self._session.execute(stored)}
        sums = [func.sum(getattr(HourlyRollupRow, name)).label(name) for name in COUNT_FIELDS]
        query = (
            select(HourlyRollupRow.hour_start, *sums)
            .where(
                HourlyRollupRow.store_id == store_id,
                HourlyRollupRow.hour_start >= start,
                HourlyRollupRow.hour_start < end,
            )
            .group_by(HourlyRollupRow.hour_start)
        )
        if camera_id is not None:
            query = query.where(HourlyRollupRow.camera_id == camera_id)
        # COUNT_FIELDS is Counts' own field order, so the sums go in positionally.
        return {hour: Counts(*sums) for hour, *sums in self._session.execute(query)}
