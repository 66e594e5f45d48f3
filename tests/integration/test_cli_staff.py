"""`shopflow staff` on a real SQLite database: the store's uniform set, shown and cleared, and one day's attendance
on the store's clock (audited); each bad input is one error line and exit status 2, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from shopflow.cli import app
from shopflow.domain.stamped import StaffCorrection, StaffDeparture, StampedEvent, staff_key
from shopflow.storage import migrate
from shopflow.storage.db import Database
from shopflow.storage.repositories import CameraRepository, StoreRepository
from shopflow.storage.repositories.privacy import PrivacyRepository
from shopflow.storage.repositories.staff_registry import StaffRegistry
from shopflow.storage.writer import EventWriter

from .test_cli_employees import one_error


@dataclass(frozen=True)
class Server:
    database: Database
    env: dict[str, str]
    store: int

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(app, ["staff", *args], env=self.env)

    def uniform(self) -> dict[str, object] | None:
        with self.database.read_session() as session:
            return PrivacyRepository(session).get(self.store).uniform

    def audit(self) -> list[tuple[str, str, str]]:
        with self.database.read_session() as session:
            return [(e.action, e.actor, e.detail) for e in StaffRegistry(session).audit(self.store)]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path / 'shopflow.db'}"
    migrate.upgrade(url)
    database = Database.from_url(url)
    with database.session() as session:
        stores = StoreRepository(session)
        store = stores.create(stores.create_organisation("Acme").id, "Loja Centro", timezone="America/Sao_Paulo").id
    yield Server(database, {"DATABASE_URL": url, "DATA_DIR": str(tmp_path), "COLUMNS": "200"}, store)
    database.dispose()


def test_the_uniform_is_set_shown_and_cleared(server: Server) -> None:
    store = str(server.store)
    saved = server.run(
        "uniform", "set", "--store", store, "--upper", "20,40,200", "--lower", "0, 0, 0", "--name", "azul"
    )
    assert saved.exit_code == 0, saved.output
    assert saved.stdout.strip() == (
        f"store {store}: uniform 'azul': upper 20,40,200, lower 0,0,0; the cameras use it within 30 seconds"
    )
    assert server.uniform() == {
        "name": "azul",
        "upper": [20, 40, 200],
        "lower": [0, 0, 0],
        "tolerance": 20.0,
        "min_share": 0.4,
    }
    shirt = server.run("uniform", "set", "--store", store, "--upper", "20,40,200", "--name", "camisa")
    assert shirt.exit_code == 0, shirt.output
    shown = server.run("uniform", "show", "--store", store)
    assert shown.stdout.strip() == f"store {store}: uniform 'camisa': upper 20,40,200, lower any colour"
    cleared = server.run("uniform", "clear", "--store", store)
    assert cleared.exit_code == 0, cleared.output
    assert cleared.stdout.strip() == f"store {store}: uniform removed"
    assert server.uniform() is None
    assert server.run("uniform", "show", "--store", store).stdout.strip() == f"store {store}: no uniform"
    assert [(action, actor) for action, actor, _ in server.audit()] == [
        ("uniform_set", "shopflow staff uniform set"),
        ("uniform_set", "shopflow staff uniform set"),
        ("uniform_removed", "shopflow staff uniform clear"),
    ]


def test_each_bad_input_is_one_line(server: Server) -> None:
    store = str(server.store)
    cases = [
        (["uniform", "set", "--store", store, "--name", "nada"], "give the upper colour, the lower colour or both"),
        (["uniform", "set", "--store", store, "--name", "x", "--upper", "0,0,300"], "three numbers 0..255"),
        (["uniform", "set", "--store", store, "--name", "x", "--upper", "azul"], "--upper must be three numbers"),
        (["uniform", "set", "--store", store, "--name", "x", "--lower", "1,2"], "--lower must be three numbers"),
        (["uniform", "set", "--store", store, "--name", " ", "--upper", "1,2,3"], "a uniform needs a name"),
        (["uniform", "set", "--store", "999", "--name", "x", "--upper", "1,2,3"], "no store 999"),
        (["uniform", "clear", "--store", "999"], "no store 999"),
        (["uniform", "show", "--store", "999"], "no store 999"),
        (["attendance", "--store", store, "--day", "25/11/2026"], "--day must be a date as YYYY-MM-DD"),
        (["attendance", "--store", "999", "--day", "2026-11-25"], "no store 999"),
    ]
    for args, words in cases:
        one_error(server.run(*args), words)
    assert server.uniform() is None


def _presence(database: Database, camera_id: int, employee_id: int, first: datetime, seconds: float) -> None:
    """What a camera worker sends about an employee recognised by face: the decision, then the departure."""
    key = staff_key(f"live{first:%Y%m%dT%H%M%S}:640x480", 1, 0.0)
    with EventWriter(database, flush_seconds=0.05) as writer:
        writer.write(
            camera_id,
            [
                StampedEvent(StaffCorrection(1, "face", str(employee_id), 0.0, 3.0), first + timedelta(seconds=3), key),
                StampedEvent(StaffDeparture(1, 0.0, seconds), first + timedelta(seconds=seconds), key + ":end"),
            ],
        )


def test_attendance_on_the_stores_clock_and_audited(server: Server) -> None:
    with server.database.session() as session:
        camera = CameraRepository(session).create(server.store, "Entrada", "rtsp://10.0.0.8/stream")
        ana = StaffRegistry(session).create(server.store, "Ana Souza", "F-1")
    # 9:00 to 9:45 in São Paulo (UTC-3).
    _presence(server.database, camera.id, ana.id, datetime(2026, 11, 25, 12, 0, tzinfo=UTC), 45 * 60)
    shown = server.run("attendance", "--store", str(server.store), "--day", "2026-11-25")
    assert shown.exit_code == 0, shown.output
    [row] = [line for line in shown.stdout.splitlines() if "Ana Souza" in line]
    for cell in ("F-1", "09:00", "09:45", "45 min 00 s", "Entrada"):
        assert cell in row, row
    assert "staff tracks: 1 (by rule: face 1)" in shown.stdout
    empty = server.run("attendance", "--store", str(server.store), "--day", "2026-11-24")
    assert empty.exit_code == 0, empty.output
    assert f"store {server.store}, 2026-11-24: no employee recognised by face" in empty.stdout
    assert "staff tracks: 0 (by rule: none)" in empty.stdout
    reads = [(actor, detail) for action, actor, detail in server.audit() if action == "attendance_read"]
    assert reads == [("shopflow staff attendance", "2026-11-25"), ("shopflow staff attendance", "2026-11-24")]
