"""The daily jobs: run at the store's wall-clock time, once, again the next day, and can be turned off."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shopflow.config.settings import Settings
from shopflow.ops.jobs import build_scheduler
from shopflow.ops.scheduling import Scheduler, next_run
from shopflow.ops.settings import OpsSettings, parse_schedule
from shopflow.storage import migrate
from shopflow.storage.db import Database

from .helpers import populate

SAO_PAULO = ZoneInfo("America/Sao_Paulo")  # UTC-3, no daylight saving since 2019
LISBON = ZoneInfo("Europe/Lisbon")


def test_next_run_is_the_next_2am_of_the_store() -> None:
    assert next_run(datetime(2026, 12, 1, 4, 59, tzinfo=UTC), time(2), SAO_PAULO) == datetime(
        2026, 12, 1, 5, 0, tzinfo=UTC
    )
    assert next_run(datetime(2026, 12, 1, 5, 0, tzinfo=UTC), time(2), SAO_PAULO) == datetime(
        2026, 12, 2, 5, 0, tzinfo=UTC
    )
    # The job keeps to the local clock across a daylight-saving change (Lisbon moves to UTC+1 on 29 March 2026
    # at 01:00Z): 02:00 local is 02:00Z the day before and 01:00Z from that day on.
    assert next_run(datetime(2026, 3, 27, 3, 0, tzinfo=UTC), time(2), LISBON) == datetime(2026, 3, 28, 2, 0, tzinfo=UTC)
    assert next_run(datetime(2026, 3, 28, 3, 0, tzinfo=UTC), time(2), LISBON) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_parse_schedule() -> None:
    assert parse_schedule("02:00") == time(2)
    assert parse_schedule("off") is None
    for bad in ("2am", "24:00", "02:60", "2:00"):
        with pytest.raises(ValueError, match="HH:MM"):
            parse_schedule(bad)


def test_jobs_run_once_when_due_and_again_the_next_day() -> None:
    now = [datetime(2026, 12, 1, 12, 0, tzinfo=UTC)]
    scheduler = Scheduler(SAO_PAULO, clock=lambda: now[0])
    ran: list[str] = []
    scheduler.add("backup", time(2), lambda: ran.append("backup"))
    scheduler.add("off", None, lambda: ran.append("off"))

    def broken() -> None:
        ran.append("broken")
        raise OSError("disk full")

    scheduler.add("broken", time(3), broken)
    assert [job.name for job in scheduler.jobs] == ["backup", "broken"]
    assert scheduler.run_due() == []
    assert scheduler.seconds_to_next() == (datetime(2026, 12, 2, 5, 0, tzinfo=UTC) - now[0]).total_seconds()
    now[0] = datetime(2026, 12, 2, 5, 0, 30, tzinfo=UTC)
    assert scheduler.run_due() == ["backup"]
    assert scheduler.run_due() == []
    now[0] = datetime(2026, 12, 2, 6, 1, tzinfo=UTC)
    assert scheduler.run_due() == ["broken"]  # a failure is logged, and the job is tried again tomorrow
    assert scheduler.jobs[1].last_error == "disk full"
    assert scheduler.jobs[1].due == datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    assert ran == ["backup", "broken"]


def test_the_servers_jobs_back_up_and_purge(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'shopflow.db'}"
    migrate.upgrade(url)
    populate(url, events=8, at=datetime.now(UTC) - timedelta(days=200))
    settings = Settings(_env_file=None, database_url=url, data_dir=tmp_path / "data")  # type: ignore[call-arg]
    ops = OpsSettings(_env_file=None, backup_schedule="02:00", retention_schedule="03:30")  # type: ignore[call-arg]
    database = Database.from_url(url)
    try:
        scheduler = build_scheduler(settings, database, ops)
        jobs = {job.name: job for job in scheduler.jobs}
        assert {name: job.at for name, job in jobs.items()} == {"backup": time(2), "retention": time(3, 30)}
        assert scheduler.tz.key == "America/Sao_Paulo"
        jobs["backup"].run()
        archives = list((tmp_path / "data" / "backups").iterdir())
        assert len(archives) == 1 and archives[0].name.startswith("shopflow-database-")
        jobs["retention"].run()
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM crossings").scalar_one() == 0
        off = OpsSettings(_env_file=None, backup_schedule="off", retention_schedule="off")  # type: ignore[call-arg]
        assert build_scheduler(settings, database, off).jobs == []
    finally:
        database.dispose()
