"""The analytics health check answers with its latency and the rollups' freshness, or says it cannot."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from shopflow.reports.errors import AnalyticsUnavailableError
from shopflow.reports.health import check
from shopflow.storage.db import Database, create_db_engine

from .helpers import SAO_PAULO, entry, local, make_store, write


def test_health_reports_when_the_rollups_last_changed(database: Database) -> None:
    store, (camera,) = make_store(database)
    with database.session() as session:
        before = check(session)
        assert before.ok and before.rollups_last_update is None and before.latency_ms >= 0
    write(database, camera.id, [entry(local(SAO_PAULO, 2024, 3, 10, 12))])
    with database.session() as session:
        anywhere, here, elsewhere = check(session), check(session, store.id), check(session, store.id + 1)
    assert anywhere.rollups_last_update is not None
    assert here.rollups_last_update == anywhere.rollups_last_update
    assert elsewhere.rollups_last_update is None


def test_health_raises_when_the_database_does_not_answer() -> None:
    engine = create_db_engine("postgresql://nobody@127.0.0.1:1/nothing", connect_args={"connect_timeout": 2})
    try:
        with Session(engine) as session, pytest.raises(AnalyticsUnavailableError, match="did not answer"):
            check(session)
    finally:
        engine.dispose()
