"""`shopflow staff`: the store's uniform (set, show, clear) and one day's attendance, from the command line.

A door like the API and the dashboard: the rules are services/staff_rules.StaffRulesService's and
services/attendance.AttendanceService's. The operator acts as ShopFlow itself (a system caller, named after the
command in the audit log, where every attendance read goes). Bad input is one line on stderr and exit status 2.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from shopflow.reports.i18n import format_duration, format_time
from shopflow.services.access import AccessDeniedError, Caller
from shopflow.services.attendance import AttendanceService
from shopflow.services.staff import StaffInputError
from shopflow.services.staff_rules import StaffRulesService
from shopflow.services.stores import StoreService
from shopflow.storage.db import Database
from shopflow.storage.errors import StorageError
from shopflow.terminal import fail, out, say
from shopflow.vision.uniform import Uniform

OpenDatabase = Callable[[], Database]  # the migrated database of the settings (exits with one line if it cannot)


def _rgb(option: str, value: str | None) -> list[int] | None:
    """R,G,B (each 0..255) as typed after `option`; None when the option was not given."""
    if value is None:
        return None
    parts = [part.strip() for part in value.split(",")]
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        fail(f"{option} must be three numbers 0..255 as R,G,B (e.g. 20,40,200), got {value!r}")
    return [int(part) for part in parts]


def _colour(colour: tuple[int, int, int] | None) -> str:
    return "any colour" if colour is None else ",".join(str(c) for c in colour)


def _describe(uniform: Uniform) -> str:
    return f"uniform {uniform.name!r}: upper {_colour(uniform.upper)}, lower {_colour(uniform.lower)}"


def staff_commands(open_database: OpenDatabase) -> typer.Typer:
    """The `staff` command group, working on the database `open_database` opens."""
    commands = typer.Typer(
        help="Staff rules and attendance: the store's uniform, who was on the floor.", no_args_is_help=True
    )
    uniform_commands = typer.Typer(
        help="The store's uniform: two colours, nothing about a person.", no_args_is_help=True
    )
    commands.add_typer(uniform_commands, name="uniform")

    def caller(command: str) -> Caller:
        return Caller.system(f"shopflow staff {command}")

    @uniform_commands.command("set")
    def uniform_set(
        store: Annotated[int, typer.Option("--store", help="The store's id.")],
        name: Annotated[str, typer.Option("--name", help="The uniform's name (e.g. 'camisa azul').")],
        upper: Annotated[str | None, typer.Option("--upper", help="Upper-body colour as R,G,B (0..255).")] = None,
        lower: Annotated[str | None, typer.Option("--lower", help="Lower-body colour as R,G,B (0..255).")] = None,
    ) -> None:
        """Register the uniform: whoever wears these colours over several frames is staff. A part left out
        matches any colour (e.g. only --upper for a uniform shirt over everyone's own trousers)."""
        data: dict[str, Any] = {"name": name, "upper": _rgb("--upper", upper), "lower": _rgb("--lower", lower)}
        database = open_database()
        try:
            saved = StaffRulesService(database, caller("uniform set")).set_uniform(store, data)
        except (StorageError, StaffInputError, AccessDeniedError) as error:
            fail(str(error))
        finally:
            database.dispose()
        assert saved is not None
        say(f"store {store}: {_describe(saved)}; the cameras use it within 30 seconds")

    @uniform_commands.command("show")
    def uniform_show(store: Annotated[int, typer.Option("--store", help="The store's id.")]) -> None:
        """Print the store's uniform."""
        database = open_database()
        try:
            uniform = StaffRulesService(database, caller("uniform show")).uniform(store)
        except (StorageError, AccessDeniedError) as error:
            fail(str(error))
        finally:
            database.dispose()
        say(f"store {store}: " + ("no uniform" if uniform is None else _describe(uniform)))

    @uniform_commands.command("clear")
    def uniform_clear(store: Annotated[int, typer.Option("--store", help="The store's id.")]) -> None:
        """Remove the uniform: nobody is told apart by their clothes any more."""
        database = open_database()
        try:
            StaffRulesService(database, caller("uniform clear")).set_uniform(store, None)
        except (StorageError, AccessDeniedError) as error:
            fail(str(error))
        finally:
            database.dispose()
        say(f"store {store}: uniform removed")

    @commands.command("attendance")
    def attendance(
        store: Annotated[int, typer.Option("--store", help="The store's id.")],
        day: Annotated[str, typer.Option("--day", help="The store's local calendar day, YYYY-MM-DD.")],
    ) -> None:
        """When each employee recognised by face was on the floor that day, on the store's clock (personal data:
        the read is written to the audit log), and the staff tracks by rule."""
        try:
            chosen = date.fromisoformat(day.strip())
        except ValueError:
            fail(f"--day must be a date as YYYY-MM-DD, got {day!r}")
        database = open_database()
        try:
            timezone = StoreService(database, caller("attendance")).get(store).timezone
            found = AttendanceService(database, caller("attendance")).day(store, chosen)
        except (StorageError, AccessDeniedError) as error:
            fail(str(error))
        finally:
            database.dispose()
        zone = ZoneInfo(timezone)
        if not found.employees:
            say(f"store {store}, {chosen.isoformat()}: no employee recognised by face")
        else:
            table = Table(title=f"store {store}, {chosen.isoformat()} ({timezone})")
            for column in ("employee", "employee id", "first seen", "last seen", "on the floor", "cameras"):
                table.add_column(column)
            for employee in found.employees:
                table.add_row(
                    employee.name,
                    employee.code or "",
                    format_time(employee.first_seen.astimezone(zone), "en"),
                    format_time(employee.last_seen.astimezone(zone), "en"),
                    format_duration(employee.on_floor_seconds, "en"),
                    ", ".join(employee.cameras),
                )
            out.print(table)
        rules = ", ".join(f"{rule} {n}" for rule, n in sorted(found.staff.by_rule.items())) or "none"
        say(f"staff tracks: {found.staff.tracks} (by rule: {rules})")

    return commands
