"""A store's unique visitors: the one rule the API, the dashboard, the exports and the PDF all use.

Each camera re-identifies only its own visitors (in memory, by the colours of their clothes), so adding a store's
cameras up counts a person seen by two cameras twice (issue #9, item 6). Re-identifying across cameras was not
chosen: a door camera and a till camera see a person from other sides, under other light, and a colour threshold
set on one view does not carry to another. Instead:

- `ENTRANCES`: a store with a counting line on any camera (every line has an inside side, so every line is an
  entrance line) counts its customer entries. Everyone walks in through a door once per visit, whatever the
  cameras inside see; employees are left out. Someone who leaves and comes back counts again, and a door
  without a line is not counted at all.
- `CAMERA`: one camera's own report, or a store with a single camera and no line: that camera's re-identified
  visitors.
- `LARGEST_CAMERA`: several cameras and no line: the camera that saw the most people over the period asked for.
  A lower bound (everyone it saw was there; people only other cameras saw are missed), never a sum. Over a day
  it is the camera with the most that day, not the sum of each hour's leader: that sum counts a person twice
  when two cameras see them either side of an hour's end.

The rule follows the store's cameras as configured now: hours before a store's first line was drawn have no
entries, so they show no visitors under `ENTRANCES`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from shopflow.storage.repositories import CameraRepository, RollupRepository
from shopflow.storage.rollup_records import Counts


class VisitorsRule(StrEnum):
    ENTRANCES = "entrances"
    CAMERA = "camera"
    LARGEST_CAMERA = "largest_camera"

    @property
    def is_lower_bound(self) -> bool:
        return self is VisitorsRule.LARGEST_CAMERA


def visitors_rule(session: Session, store_id: int, camera_id: int | None = None) -> VisitorsRule:
    """The rule in force for a store's figures, or for one camera's (`camera_id`)."""
    if camera_id is not None:
        return VisitorsRule.CAMERA
    setup = CameraRepository(session).counting_setup(store_id)
    if setup.with_entrance_lines:
        return VisitorsRule.ENTRANCES
    return VisitorsRule.LARGEST_CAMERA if setup.cameras > 1 else VisitorsRule.CAMERA


@dataclass(frozen=True, slots=True)
class StoreVisitors:
    """Counts the unique visitors of any set of hours under one rule (an hour, a day, the day so far, a period)."""

    rule: VisitorsRule
    # UTC hour -> camera id -> that camera's own visitors; read only for LARGEST_CAMERA, which cannot be
    # worked out from the store's summed rollups.
    by_camera: Mapping[datetime, Mapping[int, int]] = field(default_factory=dict)

    def count(self, hours: Iterable[tuple[datetime, Counts]]) -> int:
        """The visitors of these hours together. Each hour is its start (any time zone) and its rollup counts
        with the scope's cameras added up, as the repository reads them."""
        if self.rule is VisitorsRule.ENTRANCES:
            return sum(counts.customer_entries for _, counts in hours)
        if self.rule is VisitorsRule.CAMERA:
            return sum(counts.visitors for _, counts in hours)
        per_camera: Counter[int] = Counter()
        for start, _ in hours:
            per_camera.update(self.by_camera.get(start.astimezone(UTC), {}))
        return max(per_camera.values(), default=0)


def store_visitors(
    session: Session, store_id: int, rule: VisitorsRule, start: datetime, end: datetime
) -> StoreVisitors:
    """The counter for the hours from the one holding `start` up to `end` (UTC-aware)."""
    if rule is not VisitorsRule.LARGEST_CAMERA:
        return StoreVisitors(rule)
    return StoreVisitors(rule, RollupRepository(session).camera_visitors(store_id, start, end))


def label_key(rule: VisitorsRule) -> str:
    """The figure's name in the label catalogues (reports/i18n.py): a lower bound says so in its name."""
    return "unique_visitors_at_least" if rule.is_lower_bound else "unique_visitors"


def explanation_key(rule: VisitorsRule) -> str:
    """The catalogue key of the one-sentence definition in force, shown wherever the figure is."""
    return f"visitors_rule_{rule.value}"
