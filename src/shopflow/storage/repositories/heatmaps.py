"""Heatmaps per camera and hour: idempotent accumulation of heatmap tallies, and sums over a time range."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from shopflow.storage.columns import require_utc, utcnow
from shopflow.storage.event_records import NewHeatmapTally
from shopflow.storage.models import HeatmapHourlyRow, HeatmapTallyRow
from shopflow.storage.repositories._dialect import upsert_insert
from shopflow.storage.repositories.rollups import hour_start
from shopflow.storage.rollup_records import HeatmapGrid

# Cells are stored as little-endian float32: half the bytes of float64, and ample for person-seconds.
CELL_DTYPE = np.dtype("<f4")


def encode_cells(cells: npt.NDArray[np.float64]) -> bytes:
    return np.ascontiguousarray(cells, dtype=CELL_DTYPE).tobytes()


def decode_cells(data: bytes, rows: int, columns: int) -> npt.NDArray[np.float64]:
    values = np.frombuffer(data, dtype=CELL_DTYPE)
    if values.size != rows * columns:
        raise ValueError(f"a {columns}x{rows} heatmap needs {rows * columns} cells, the row holds {values.size}")
    return values.astype(np.float64).reshape(rows, columns)


@dataclass(slots=True)
class _Bucket:
    cells: npt.NDArray[np.float64]
    frame_width: int
    frame_height: int
    at: datetime  # of the latest tally in the bucket: its frame size wins


class HeatmapRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, tallies: Sequence[NewHeatmapTally], *, now: datetime | None = None) -> list[NewHeatmapTally]:
        """Add each tally whose (camera_id, event_key) is new to its camera's hourly grid; returns those added.

        A grid is binary, so it is added up in Python: the hourly row is created if missing, then locked
        (SELECT ... FOR UPDATE on PostgreSQL; SQLite's writer holds the database lock) and rewritten.
        """
        for tally in tallies:
            if len(tally.cells) != tally.columns * tally.rows:
                raise ValueError(
                    f"heatmap tally {tally.event_key!r}: {len(tally.cells)} cells for a grid of "
                    f"{tally.columns}x{tally.rows}"
                )
        new = self._insert_keys(tallies)
        if not new:
            return []
        buckets: dict[tuple[int, datetime, int, int], _Bucket] = {}
        for tally in new:
            at = require_utc(tally.at, "at")
            key = (tally.camera_id, hour_start(at), tally.columns, tally.rows)
            cells = np.asarray(tally.cells, dtype=np.float64).reshape(tally.rows, tally.columns)
            bucket = buckets.get(key)
            if bucket is None:
                buckets[key] = _Bucket(cells, tally.frame_width, tally.frame_height, at)
                continue
            bucket.cells = bucket.cells + cells
            if at >= bucket.at:
                bucket.frame_width, bucket.frame_height, bucket.at = tally.frame_width, tally.frame_height, at
        updated_at = require_utc(now) if now is not None else utcnow()
        # A fixed order, so two writers touching the same rows lock them in the same order and cannot deadlock.
        for key in sorted(buckets):
            self._accumulate(key, buckets[key], updated_at)
        return new

    def turn(self, camera_id: int, degrees: int) -> int:
        """Turn the camera's stored grids `degrees` clockwise with its picture (a new rotation), so past heat stays
        on its spot of the floor, as the camera's lines and zones do; returns how many hourly rows were turned.

        A row may land on the size of another row of its hour (a camera turned twice within an hour): the two are
        added up, as `add` would have. Tallies still on their way from before the turn (at most the stamper's last
        minute) arrive unturned."""
        quarters = degrees // 90 % 4
        if not quarters:
            return 0
        rows = list(
            self._session.scalars(
                select(HeatmapHourlyRow)
                .where(HeatmapHourlyRow.camera_id == camera_id)
                .order_by(HeatmapHourlyRow.hour_start, HeatmapHourlyRow.id)
                .with_for_update()
            )
        )
        turned: list[tuple[tuple[int, datetime, int, int], _Bucket]] = []
        for row in rows:
            # np.rot90 with a negative k turns clockwise, as the picture is turned (vision/orientation.py).
            cells = np.rot90(decode_cells(row.cells, row.rows, row.columns), k=-quarters)
            width, height = (row.frame_height, row.frame_width) if quarters % 2 else (row.frame_width, row.frame_height)
            key = (camera_id, row.hour_start, cells.shape[1], cells.shape[0])
            turned.append((key, _Bucket(np.ascontiguousarray(cells), width, height, row.updated_at)))
            self._session.delete(row)
        self._session.flush()
        # The bucket's time is the row's last update: kept, and the later of two rows that meet wins.
        for key, bucket in sorted(turned, key=lambda item: (item[0], item[1].at)):
            self._accumulate(key, bucket, bucket.at)
        return len(rows)

    def _insert_keys(self, tallies: Sequence[NewHeatmapTally]) -> list[NewHeatmapTally]:
        unique: dict[tuple[int, str], NewHeatmapTally] = {}
        for tally in tallies:
            unique.setdefault((tally.camera_id, tally.event_key), tally)
        if not unique:
            return []
        statement = (
            upsert_insert(self._session, HeatmapTallyRow)
            .on_conflict_do_nothing(index_elements=["camera_id", "event_key"])
            .returning(HeatmapTallyRow.camera_id, HeatmapTallyRow.event_key)
        )
        values = [
            {"camera_id": tally.camera_id, "at": require_utc(tally.at, "at"), "event_key": tally.event_key}
            for tally in unique.values()
        ]
        inserted = {(camera_id, event_key) for camera_id, event_key in self._session.execute(statement, values)}
        return [tally for key, tally in unique.items() if key in inserted]

    def _accumulate(self, key: tuple[int, datetime, int, int], bucket: _Bucket, updated_at: datetime) -> None:
        camera_id, hour, columns, rows = key
        insert = (
            upsert_insert(self._session, HeatmapHourlyRow)
            .values(
                camera_id=camera_id,
                hour_start=hour,
                columns=columns,
                rows=rows,
                cells=encode_cells(bucket.cells),
                frame_width=bucket.frame_width,
                frame_height=bucket.frame_height,
                updated_at=updated_at,
            )
            .on_conflict_do_nothing(index_elements=["camera_id", "hour_start", "columns", "rows"])
            .returning(HeatmapHourlyRow.id)
        )
        if self._session.execute(insert).first() is not None:
            return  # a new hour: the bucket is the whole grid
        row = self._session.scalars(
            select(HeatmapHourlyRow)
            .where(
                HeatmapHourlyRow.camera_id == camera_id,
                HeatmapHourlyRow.hour_start == hour,
                HeatmapHourlyRow.columns == columns,
                HeatmapHourlyRow.rows == rows,
            )
            .with_for_update()
        ).one()
        row.cells = encode_cells(decode_cells(row.cells, rows, columns) + bucket.cells)
        row.frame_width, row.frame_height = bucket.frame_width, bucket.frame_height
        row.updated_at = updated_at
        self._session.flush()

    def grids(self, camera_id: int, start: datetime, end: datetime) -> list[HeatmapGrid]:
        """The camera's grids summed over the hours from the one holding `start` up to `end` (exclusive): one per
        grid size seen in that range, the most recently updated first; empty when nothing was recorded."""
        query = (
            select(HeatmapHourlyRow)
            .where(
                HeatmapHourlyRow.camera_id == camera_id,
                HeatmapHourlyRow.hour_start >= hour_start(start),
                HeatmapHourlyRow.hour_start < require_utc(end, "end"),
            )
            .order_by(HeatmapHourlyRow.hour_start, HeatmapHourlyRow.id)
        )
        sums: dict[tuple[int, int], HeatmapGrid] = {}
        for row in self._session.scalars(query):  # in hour order, so the latest hour's frame size wins
            cells = decode_cells(row.cells, row.rows, row.columns)
            hours, last_updated = 1, row.updated_at
            previous = sums.get((row.columns, row.rows))
            if previous is not None:
                cells += previous.cells
                hours += previous.hours
                last_updated = max(last_updated, previous.last_updated)
            sums[(row.columns, row.rows)] = HeatmapGrid(
                camera_id=camera_id,
                columns=row.columns,
                rows=row.rows,
                cells=cells,
                frame_width=row.frame_width,
                frame_height=row.frame_height,
                hours=hours,
                last_updated=last_updated,
            )
        grids = sorted(sums.values(), key=lambda grid: grid.last_updated, reverse=True)
        for grid in grids:
            grid.cells.setflags(write=False)
        return grids
