"""`shopflow employee`: the employee registry from the command line (list, add, consent, enrol, erase).

A door like the API and the dashboard: every rule is services/staff.StaffService's. The operator running the
command acts as ShopFlow itself (a system caller, named after the command in the audit log). `shopflow.cli`
mounts the commands and hands them the way to open the migrated database. Bad input is one line on stderr and
exit status 2, like the rest of the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shopflow.services.access import Caller
from shopflow.services.staff import (
    EnrolmentRefusedError,
    PhotoRejectedError,
    StaffInputError,
    StaffService,
)
from shopflow.storage.db import Database
from shopflow.storage.errors import StorageError
from shopflow.storage.repositories.staff_registry import MAX_FACES, ConsentMethod, EmployeeProfile
from shopflow.terminal import fail, out, say
from shopflow.vision.faces import FaceError, PhotoRules

OpenDatabase = Callable[[], Database]  # the migrated database of the settings (exits with one line if it cannot)


def _consent(profile: EmployeeProfile) -> str:
    if profile.consent is None:
        return "no consent"
    return f"{profile.consent.method} (text {profile.consent.text_version}, by {profile.consent.recorded_by})"


def _read_photos(paths: list[Path]) -> list[bytes]:
    if not 1 <= len(paths) <= MAX_FACES:
        fail(f"give 1 to {MAX_FACES} photos, got {len(paths)}")
    limit = PhotoRules().max_bytes + 1  # one byte over the limit tells a photo is too large
    photos = []
    for path in paths:
        try:
            with path.open("rb") as file:
                photos.append(file.read(limit))
        except OSError as error:
            fail(f"cannot read {path}: {error.strerror}")
    return photos


def employee_commands(open_database: OpenDatabase) -> typer.Typer:
    """The `employee` command group, working on the database `open_database` opens."""
    commands = typer.Typer(help="Employees: the registry, consent, face photos and LGPD erasure.", no_args_is_help=True)

    def service(command: str) -> tuple[StaffService, Database]:
        database = open_database()
        return StaffService(database, Caller.system(f"shopflow employee {command}")), database

    @commands.command("list")
    def list_employees(store: Annotated[int, typer.Option("--store", help="The store's id.")]) -> None:
        """List a store's employees (the read is written to the audit log)."""
        staff, database = service("list")
        try:
            profiles = staff.list(store)
        except StorageError as error:
            fail(str(error))
        finally:
            database.dispose()
        if not profiles:
            say(f"no employees in store {store}")
            return
        table = Table()
        for column in ("id", "employee id", "name", "department", "position", "active", "consent", "faces"):
            table.add_column(column, justify="right" if column in ("id", "faces") else "left")
        for profile in profiles:
            table.add_row(
                str(profile.id),
                profile.code or "",
                profile.name,
                profile.department,
                profile.position,
                "yes" if profile.active else "no",
                _consent(profile),
                f"{profile.faces}/{MAX_FACES}",
            )
        out.print(table)

    @commands.command("add")
    def add(
        store: Annotated[int, typer.Option("--store", help="The store's id.")],
        name: Annotated[str, typer.Option("--name", help="The employee's name.")],
        code: Annotated[str, typer.Option("--employee-id", help="The store's own id for them (unique in the store).")],
        department: Annotated[str, typer.Option("--department", help="Their department.")] = "",
        position: Annotated[str, typer.Option("--position", help="Their position.")] = "",
    ) -> None:
        """Register an employee."""
        staff, database = service("add")
        try:
            profile = staff.create(store, name, code, department=department, position=position)
        except (StorageError, StaffInputError) as error:
            fail(str(error))
        finally:
            database.dispose()
        say(f"added employee {profile.id} ({profile.code}) {profile.name} to store {profile.store_id}")

    @commands.command("consent")
    def consent(
        employee: Annotated[int, typer.Option("--employee", help="The employee's id (from `list`).")],
        method: Annotated[
            str, typer.Option("--method", help="face (face recognition) or no_biometrics (uniform and zones only).")
        ],
        text_version: Annotated[str, typer.Option("--text-version", help="Version of the consent text agreed to.")],
        recorded_by: Annotated[str, typer.Option("--recorded-by", help="Who recorded the consent.")],
    ) -> None:
        """Record an employee's consent; no_biometrics deletes their enrolled faces."""
        try:
            chosen = ConsentMethod(method.strip())
        except ValueError:
            fail(f"--method must be face or no_biometrics, not {method!r}")
        staff, database = service("consent")
        try:
            profile = staff.record_consent(employee, recorded_by=recorded_by, text_version=text_version, method=chosen)
        except (StorageError, StaffInputError) as error:
            fail(str(error))
        finally:
            database.dispose()
        say(f"consent recorded for employee {profile.id}: {_consent(profile)}")

    @commands.command("enrol")
    def enrol(
        employee: Annotated[int, typer.Option("--employee", help="The employee's id (from `list`).")],
        photos: Annotated[
            list[Path], typer.Argument(help=f"1 to {MAX_FACES} photos, each with the employee's face alone.")
        ],
    ) -> None:
        """Enrol the employee's face from photos (all or none; the photos are not kept, only embeddings)."""
        data = _read_photos(photos)
        staff, database = service("enrol")
        try:
            profile = staff.enrol_faces(employee, data)
        except PhotoRejectedError as error:
            fail(f"photo {photos[error.index]}: {error}")
        except (StorageError, EnrolmentRefusedError, FaceError) as error:
            fail(str(error))
        finally:
            database.dispose()
        say(f"enrolled {len(photos)} photo(s) for employee {profile.id}: {profile.faces} of {MAX_FACES}")

    @commands.command("erase")
    def erase(
        employee: Annotated[int, typer.Option("--employee", help="The employee's id (from `list`).")],
        yes: Annotated[bool, typer.Option("--yes", help="Really erase: it cannot be undone.")] = False,
    ) -> None:
        """LGPD erasure: deletes the face embeddings, blanks the personal fields, writes the audit log."""
        if not yes:
            fail(f"erasure cannot be undone; add --yes to erase employee {employee}")
        staff, database = service("erase")
        try:
            profile = staff.erase(employee)
        except StorageError as error:
            fail(str(error))
        finally:
            database.dispose()
        say(f"erased employee {profile.id}: faces deleted, personal fields blanked, recorded in the audit log")

    return commands
