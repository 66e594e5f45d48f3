"""`shopflow employee` on a real SQLite database: list, add, consent, enrol (real photos, tests/fixtures/faces) and
erase; each bad input is one error line and exit status 2, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import pytest
from typer.testing import CliRunner, Result

from shopflow.cli import app
from shopflow.storage import migrate
from shopflow.storage.db import Database
from shopflow.storage.repositories import StoreRepository
from shopflow.storage.repositories.staff_registry import ConsentMethod, StaffRegistry

PHOTOS = Path(__file__).resolve().parents[1] / "fixtures" / "faces"


@dataclass(frozen=True)
class Server:
    database: Database
    env: dict[str, str]
    store: int

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(app, ["employee", *args], env=self.env)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path / 'shopflow.db'}"
    migrate.upgrade(url)
    database = Database.from_url(url)
    with database.session() as session:
        stores = StoreRepository(session)
        store = stores.create(stores.create_organisation("Acme").id, "Loja Centro").id
    # Wide enough that no line (or table row) wraps.
    yield Server(database, {"DATABASE_URL": url, "DATA_DIR": str(tmp_path), "COLUMNS": "200"}, store)
    database.dispose()


def one_error(result: Result, words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:")
    assert words in lines[0], lines[0]


def test_add_list_consent_enrol_and_erase(server: Server, tmp_path: Path) -> None:
    added = server.run(
        "add", "--store", str(server.store), "--name", "Ana Souza", "--employee-id", "F-001", "--department", "Caixa"
    )
    assert added.exit_code == 0, added.output
    with server.database.session() as session:
        [ana] = StaffRegistry(session).list_by_store(server.store)
    assert (ana.name, ana.code, ana.department, ana.position) == ("Ana Souza", "F-001", "Caixa", "")
    assert added.stdout.strip() == f"added employee {ana.id} (F-001) Ana Souza to store {server.store}"

    consent = server.run(
        "consent", "--employee", str(ana.id), "--method", "face", "--text-version", "2026-12", "--recorded-by", "dona"
    )
    assert consent.exit_code == 0, consent.output
    assert "face (text 2026-12, by dona)" in consent.stdout

    photos = [str(PHOTOS / name) for name in ("obama.jpg", "obama2.jpg")]
    enrolled = server.run("enrol", "--employee", str(ana.id), *photos)
    assert enrolled.exit_code == 0, enrolled.output
    assert enrolled.stdout.strip() == f"enrolled 2 photo(s) for employee {ana.id}: 2 of 5"

    listed = server.run("list", "--store", str(server.store))
    assert listed.exit_code == 0, listed.output
    [row] = [line for line in listed.stdout.splitlines() if "F-001" in line]
    for shown in ("Ana Souza", "Caixa", "yes", "face (text 2026-12, by dona)", "2/5"):
        assert shown in row, row

    erased = server.run("erase", "--employee", str(ana.id), "--yes")
    assert erased.exit_code == 0, erased.output
    with server.database.session() as session:
        registry = StaffRegistry(session)
        saved = registry.get(ana.id)
        log = [(entry.action, entry.actor) for entry in registry.audit(server.store)]
    assert (saved.name, saved.code, saved.faces, saved.consent, saved.active) == ("(erased)", None, 0, None, False)
    assert log == [
        ("consent", "dona"),
        ("face_enrolled", "shopflow employee enrol"),
        ("face_enrolled", "shopflow employee enrol"),
        ("employees_read", "shopflow employee list"),
        ("erased", "shopflow employee erase"),
    ]


@pytest.fixture
def consenting(server: Server) -> int:
    """An employee who consented to face recognition, with no face yet."""
    with server.database.session() as session:
        registry = StaffRegistry(session)
        ana = registry.create(server.store, "Ana", "F-001")
        registry.record_consent(ana.id, recorded_by="dona", text_version="v1", method=ConsentMethod.FACE)
    return ana.id


def test_each_bad_input_is_one_line(server: Server, consenting: int, tmp_path: Path) -> None:
    store = str(server.store)
    employee = str(consenting)
    obama = str(PHOTOS / "obama.jpg")
    bus = cv2.imread(str(PHOTOS / "bus.jpg"))
    street = tmp_path / "rua.jpg"
    assert cv2.imwrite(str(street), bus[700:, :])  # the street and the bus's lower half: nobody's face
    sheet = tmp_path / "planilha.jpg"
    sheet.write_text("nome;matricula\nAna;F-001\n")
    cases = [
        (["list", "--store", "999"], "no store 999"),
        (["add", "--store", "999", "--name", "Bia", "--employee-id", "F-2"], "no store 999"),
        (["add", "--store", store, "--name", "Bia", "--employee-id", "F-001"], "'F-001' is already used"),
        (["add", "--store", store, "--name", "  ", "--employee-id", "F-2"], "needs a name"),
        (["add", "--store", store, "--name", "Bia", "--employee-id", "x" * 65], "at most 64"),
        (
            ["consent", "--employee", employee, "--method", "iris", "--text-version", "v1", "--recorded-by", "dona"],
            "--method must be face or no_biometrics",
        ),
        (
            ["consent", "--employee", employee, "--method", "face", "--text-version", " ", "--recorded-by", "dona"],
            "version",
        ),
        (
            ["consent", "--employee", "999", "--method", "face", "--text-version", "v1", "--recorded-by", "dona"],
            "no employee 999",
        ),
        (["enrol", "--employee", employee, *[obama] * 6], "give 1 to 5 photos, got 6"),
        (["enrol", "--employee", employee, str(tmp_path / "nada.jpg")], "cannot read"),
        (["enrol", "--employee", employee, obama, str(street)], f"photo {street}: no face found"),
        (["enrol", "--employee", employee, str(sheet)], f"photo {sheet}: the file is not an image"),
        (["enrol", "--employee", employee, str(PHOTOS / "gdp.jpg")], "3 faces found"),
        (["enrol", "--employee", "999", obama], "no employee 999"),
        (["erase", "--employee", employee], "add --yes"),
        (["erase", "--employee", "999", "--yes"], "no employee 999"),
    ]
    for args, words in cases:
        one_error(server.run(*args), words)
    with server.database.session() as session:
        profile = StaffRegistry(session).get(consenting)
    # All or none: the good photo given with a bad one was not enrolled either; nothing was erased.
    assert (profile.faces, profile.name) == (0, "Ana")


def test_a_face_needs_consent_first_and_at_most_five(server: Server, consenting: int) -> None:
    with server.database.session() as session:
        bia = StaffRegistry(session).create(server.store, "Bia", "F-002").id
    one_error(server.run("enrol", "--employee", str(bia), str(PHOTOS / "obama.jpg")), "record their consent first")
    photos = [str(PHOTOS / name) for name in ("obama.jpg", "obama2.jpg", "obama.jpg")]
    assert server.run("enrol", "--employee", str(consenting), *photos).exit_code == 0
    one_error(server.run("enrol", "--employee", str(consenting), *photos), "3 more would pass the limit of 5")
    with server.database.session() as session:
        assert StaffRegistry(session).get(consenting).faces == 3
