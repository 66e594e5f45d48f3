"""Today at a glance for the store's local day so far, beside the same weekday last week, over opening hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from shopflow.reports.compare import FigureChange, changes, day_values
from shopflow.reports.day import DayFigures, day_figures
from shopflow.reports.periods import local_now
from shopflow.reports.scope import Scope, resolve_scope


@dataclass(frozen=True, slots=True)
class TodayOverview:
    scope: Scope
    day: date  # the store's local today
    as_of: datetime  # local, timezone-aware
    today: DayFigures
    last_week: DayFigures  # the same weekday a week ago, the whole day (the overview chart's second curve)
    last_week_so_far: DayFigures  # that day up to the same wall-clock time, which is what `today` compares with
    vs_last_week: tuple[FigureChange, ...]  # today against last_week_so_far


def today(
    session: Session, store_id: int, now: datetime | None = None, *, camera_id: int | None = None
) -> TodayOverview:
    """Today's figures on the store's own calendar. `now` (UTC-aware, default the current time) decides which
    day is today, so a store in São Paulo still sees "yesterday" until its own midnight."""
    scope = resolve_scope(session, store_id, camera_id)
    as_of = local_now(scope.timezone, now)
    day = as_of.date()
    previous_day = day - timedelta(days=7)
    # The same wall-clock time a week ago, even if a DST change moved the offset in between.
    same_time = datetime.combine(previous_day, as_of.timetz())
    # Over opening hours (reports/opening.py): staff arriving at 7:00 or cleaning at 22:00 are kept apart in
    # each figure's `outside`, so they neither swell today nor the comparison.
    figures = day_figures(session, scope, day, through=as_of, opening_only=True)
    last_week = day_figures(session, scope, previous_day, opening_only=True)
    last_week_so_far = day_figures(session, scope, previous_day, through=same_time, opening_only=True)
    return TodayOverview(
        scope=scope,
        day=day,
        as_of=as_of,
        today=figures,
        last_week=last_week,
        last_week_so_far=last_week_so_far,
        vs_last_week=changes(day_values(figures), day_values(last_week_so_far)),
    )
