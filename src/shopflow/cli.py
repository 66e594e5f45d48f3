"""The `shopflow` command: analyse a video, serve the store server, manage the database and the users.

Over 400 lines, kept whole: one Typer app whose commands are thin parsers over the pipeline, the services and
storage, sharing `load_settings`, `fail` and `CliError`. It is the only module allowed to print (ruff's T20 is
lifted for this file alone) and the top of the layer contract, so a split would mean a `cli` package and a new
contract entry for no change in what any command does. The operations commands already live in ops/commands.py.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from shopflow import __version__
from shopflow.analysis.report import AnalysisReport
from shopflow.cli_employees import employee_commands
from shopflow.cli_staff import staff_commands
from shopflow.config.files import PRIVATE_UMASK
from shopflow.config.geometry import check_unique_names, parse_line, parse_zone
from shopflow.config.settings import Settings
from shopflow.domain.cameras import check_imgsz, check_rotation
from shopflow.domain.geometry import GeometryError
from shopflow.ops.commands import backup_app, config_app, restore, retention_app
from shopflow.pipeline.analyze import analyze_source
from shopflow.pipeline.sources import SourceError
from shopflow.pipeline.staff import FaceMatcher, StaffConfig
from shopflow.terminal import err, fail, out
from shopflow.vision.backends import Backend, backend_model
from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.faces import Embedding
from shopflow.vision.model_files import ModelError, resolve_model

if TYPE_CHECKING:
    from shopflow.services.accounts import Accounts
    from shopflow.storage.db import Database

app = typer.Typer(
    help="ShopFlow: people-flow analytics for physical stores.", no_args_is_help=True, add_completion=False
)


class CliError(Exception):
    """A mistake the user can fix: printed as one line, exit status 2."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(p) for p in first["loc"]).upper()
        raise CliError(f"setting {key}: {first['msg']} (got {first.get('input')!r})") from None


def load_ops_settings() -> None:
    from shopflow.ops.config_check import settings_problems
    from shopflow.ops.settings import OpsSettings

    problems = settings_problems(OpsSettings)
    if problems:
        key, message = problems[0]
        raise CliError(f"setting {key}: {message}")


@app.callback()
def main_options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what the engine does.")] = False,
) -> None:
    # Every file ShopFlow writes (database, WAL, backups, models, sessions) is its user's alone.
    os.umask(PRIVATE_UMASK)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@app.command()
def version() -> None:
    """Print ShopFlow's version."""
    out.print(__version__)


@app.command()
def analyze(
    video: Annotated[str, typer.Argument(help="Video file, rtsp:// or http:// URL, or webcam index.")],
    line: Annotated[
        list[str] | None, typer.Option("--line", help="Counting line NAME:x1,y1,x2,y2 (fractions 0..1).")
    ] = None,
    zone: Annotated[
        list[str] | None, typer.Option("--zone", help="Zone NAME:x1,y1;x2,y2;x3,y3... (fractions 0..1).")
    ] = None,
    fps: Annotated[float | None, typer.Option("--fps", help="Frames per second to analyse (default: all).")] = None,
    imgsz: Annotated[int | None, typer.Option("--imgsz", help="Detector input size, 320..1280.")] = None,
    rotate: Annotated[
        int,
        typer.Option(
            "--rotate", help="Turn the picture clockwise first: 0, 90, 180 or 270 (a camera mounted upside down: 180)."
        ),
    ] = 0,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report as JSON here.")] = None,
    annotate: Annotated[Path | None, typer.Option("--annotate", help="Write an annotated MP4 video here.")] = None,
    no_motion_gate: Annotated[
        bool, typer.Option("--no-motion-gate", help="Run the detector on every sampled frame.")
    ] = False,
    staff_zone: Annotated[
        list[str] | None,
        typer.Option("--staff-zone", help="Staff-only zone NAME:x1,y1;x2,y2;... : whoever stands in it is staff."),
    ] = None,
    staff_after: Annotated[
        float | None, typer.Option("--staff-after", help="Anyone in view longer than this many minutes is staff.")
    ] = None,
    uniform: Annotated[
        Path | None, typer.Option("--uniform", help="Uniform JSON file: whoever wears it over several frames is staff.")
    ] = None,
    employee: Annotated[
        list[str] | None,
        typer.Option("--employee", help="Employee NAME:PHOTO[,PHOTO...] (1 to 5 photos): recognised by face."),
    ] = None,
) -> None:
    """Count, track and time people in a video file or camera stream."""
    from shopflow.vision.faces import FaceError
    from shopflow.vision.uniform import UniformError

    try:
        staff = staff_config(staff_zone or [], staff_after, uniform, employee or [])
        report = _analyze(video, line or [], zone or [], fps, imgsz, annotate, no_motion_gate, staff, rotate)
    except (CliError, GeometryError, SourceError, ModelError, UniformError, FaceError) as error:
        fail(str(error))
        return
    _print_report(report)
    if json_out is not None:
        try:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            fail(f"cannot write {json_out}: {error.strerror}")


def _analyze(
    video: str,
    line_specs: list[str],
    zone_specs: list[str],
    fps: float | None,
    imgsz: int | None,
    annotate: Path | None,
    no_motion_gate: bool,
    staff: StaffConfig | None = None,
    rotation: int = 0,
) -> AnalysisReport:
    from shopflow.pipeline.engine import engine_settings as build_engine_settings

    settings = load_settings()
    lines = [parse_line(spec) for spec in line_specs]
    zones = [parse_zone(spec) for spec in zone_specs]
    check_unique_names(lines, zones)
    if fps is not None and not 0 < fps <= 120:
        raise CliError(f"--fps must be between 0 and 120, got {fps:g}")
    try:
        size = check_imgsz(imgsz or settings.yolo_imgsz, "--imgsz")
        check_rotation(rotation, "--rotate")
    except ValueError as error:
        raise CliError(str(error)) from None
    engine_settings = build_engine_settings(settings.yolo_confidence, motion_gate=not no_motion_gate)
    detector = YoloOnnxDetector(
        backend_model(Backend(settings.yolo_backend), resolve_model(settings.yolo_model), settings.data_dir),
        imgsz=size,
        confidence=engine_settings.tracker.low_confidence,
        threads=settings.yolo_threads,
    )
    with Progress(
        TextColumn("analysing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("frames", total=None)

        def on_progress(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        return analyze_source(
            video,
            detector.detect,
            lines=lines,
            zones=zones,
            sample_fps=fps,
            settings=engine_settings,
            annotate_to=annotate,
            on_progress=on_progress,
            staff=staff,
            rotation=rotation,
        )


GRACEFUL_SHUTDOWN_SECONDS = 5

db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True, add_completion=False)
app.add_typer(db_app, name="db")
app.add_typer(backup_app, name="backup")
app.command("restore")(restore)
app.add_typer(retention_app, name="retention")
app.add_typer(config_app, name="config")


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    from shopflow.storage.db import normalise_url

    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as nothing rather than risk showing a password
        return "(the DATABASE_URL setting)"


def _migrate(url: str) -> str:
    """Bring the database to the newest schema and return its revision; CliError says why it could not."""
    from alembic.util import CommandError
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from shopflow.storage import migrate

    try:
        migrate.upgrade(url)
        revision = migrate.current_revision(url)
    except (SQLAlchemyError, CommandError, OSError) as error:
        if isinstance(error, ArgumentError):
            raise CliError(f"DATABASE_URL is not a database URL: {error}") from None
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise CliError(f"cannot use the database {_shown_url(url)}: {reason}") from None
    return revision or "none"


user_app = typer.Typer(help="Manage who signs in (the first owner, password resets).", no_args_is_help=True)
app.add_typer(user_app, name="user")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _accounts_on(settings: Settings) -> tuple[Accounts, Database]:
    """The account service on the migrated database of `settings`, and the database (to dispose of)."""
    from shopflow.services.accounts import Accounts
    from shopflow.storage.db import Database

    _migrate(settings.resolved_database_url)
    database = Database.from_url(settings.resolved_database_url)
    return Accounts(database, session_lifetime=timedelta(hours=settings.session_hours)), database


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option("--email", help="The e-mail the person signs in with.")],
    role: Annotated[str, typer.Option("--role", help="owner, manager or viewer.")] = "owner",
    store: Annotated[list[int] | None, typer.Option("--store", help="A store a manager or viewer may see.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (for scripts).")
    ] = False,
) -> None:
    """Create a user; on a new install, the first owner (no set-up link needed)."""
    from shopflow.config.credentials import PasswordError
    from shopflow.services.access import Caller, Permission
    from shopflow.services.accounts import FirstRunDoneError
    from shopflow.storage.errors import AlreadyExistsError, NotFoundError
    from shopflow.storage.records import UserRole

    try:
        chosen = UserRole(role)
    except ValueError:
        fail(f"--role must be owner, manager or viewer, not {role!r}")
        return
    try:
        settings = load_settings()
        accounts, database = _accounts_on(settings)
    except CliError as error:
        fail(str(error))
        return
    try:
        password = _password(password_stdin)
        if not accounts.has_users():
            if chosen is not UserRole.OWNER:
                raise CliError("the first user must be an owner: use --role owner")
            user = accounts.create_first_owner(email, password)
        else:
            organisation = accounts.first_organisation()
            operator = Caller(
                label="shopflow user create", organisation_id=organisation, permissions=frozenset(Permission)
            )
            user = accounts.create_user(operator, email, password, chosen, store_ids=store or ())
    except (CliError, PasswordError, ValueError, AlreadyExistsError, FirstRunDoneError, NotFoundError) as error:
        fail(str(error).replace("'", "") if isinstance(error, NotFoundError) else str(error))
        return
    finally:
        database.dispose()
    out.print(f"created {user.role.value} {user.email} (user {user.id})", highlight=False)


@user_app.command("reset-password")
def user_reset_password(
    email: Annotated[str, typer.Option("--email", help="Whose password to set.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read it from standard input.")] = False,
) -> None:
    """Set a new password for a user; every session of theirs ends (for an owner locked out of the dashboard)."""
    from shopflow.config.credentials import PasswordError
    from shopflow.services.access import Caller

    try:
        settings = load_settings()
        accounts, database = _accounts_on(settings)
    except CliError as error:
        fail(str(error))
        return
    try:
        user = accounts.find_user(email)
        if user is None:
            raise CliError(f"no user has the e-mail {email!r}")
        accounts.reset_password(Caller.system("shopflow user reset-password"), user.id, _password(password_stdin))
    except (CliError, PasswordError) as error:
        fail(str(error))
        return
    finally:
        database.dispose()
    out.print(f"new password set for {user.email}; their sessions ended", highlight=False)


def _open_database() -> Database:
    """The database of the settings, migrated to the newest schema; one error line and exit status 2 if not."""
    from shopflow.storage.db import Database

    url = ""
    try:
        url = load_settings().resolved_database_url
        _migrate(url)
    except CliError as error:
        fail(str(error))
    return Database.from_url(url)


app.add_typer(employee_commands(_open_database), name="employee")
app.add_typer(staff_commands(_open_database), name="staff")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database's schema up to date (safe to run again) and print its revision."""
    try:
        settings = load_settings()
        url = settings.resolved_database_url
        revision = _migrate(url)
    except CliError as error:
        fail(str(error))
        return
    out.print(f"database {_shown_url(url)} is at revision {revision}", highlight=False)


def _check_port_free(host: str, port: int) -> None:
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # uvicorn sets SO_REUSEADDR too: a port in TIME_WAIT from a previous run is free for it, and for us.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except socket.gaierror:
            raise CliError(f"API_HOST {host!r} is not an address of this machine") from None
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                what = "is in use by another program" if error.errno == errno.EADDRINUSE else "needs more privileges"
                raise CliError(f"port {port} on {host} {what}; choose another with --port or API_PORT") from None
            raise CliError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def _refuse_insecure_production(settings: Settings, host: str) -> None:
    from shopflow.ops.config_check import production_problems

    if settings.shopflow_env != "production":
        return
    problems = production_problems(settings, host)
    if problems:
        key, message = problems[0]
        more = f" (and {len(problems) - 1} more: run `shopflow config check`)" if len(problems) > 1 else ""
        raise CliError(f"SHOPFLOW_ENV=production refuses to start: {key} {message}{more}")


@app.command()
def serve(
    demo: Annotated[bool, typer.Option("--demo", help="Also run the demo camera on the bundled sample video.")] = False,
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on (default API_HOST).")] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="Port to listen on (default API_PORT).")
    ] = None,
    no_cameras: Annotated[
        bool, typer.Option("--no-cameras", help="Serve the API and dashboard only: an extra replica on PostgreSQL.")
    ] = False,
) -> None:
    """Run the store server: the API, the dashboards' realtime feed, and the camera workers."""
    try:
        settings = load_settings()
        load_ops_settings()
        host = host or settings.api_host
        port = port or settings.api_port
        _refuse_insecure_production(settings, host)
        _check_port_free(host, port)
        # Builds the INT8 copy now, on first start, rather than when the first camera starts.
        backend_model(Backend(settings.yolo_backend), resolve_model(settings.yolo_model), settings.data_dir)
        _migrate(settings.resolved_database_url)
    except (CliError, ModelError) as error:
        fail(str(error))
        return

    import uvicorn

    from shopflow.ops.logs import configure_logging
    from shopflow.ops.settings import OpsSettings
    from shopflow.server.app import create_app

    log_options = configure_logging(OpsSettings().log_format)
    # An open MJPEG stream never ends by itself: without a grace limit, stopping the server would wait for it.
    uvicorn.run(
        create_app(settings, demo=demo, start_pipeline=not no_cameras),
        host=host,
        port=port,
        workers=1,
        log_level="info",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        server_header=False,  # no "server: uvicorn" banner for a scanner to match
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        ssl_certfile=settings.tls_cert_file,
        ssl_keyfile=settings.tls_key_file,
        **log_options,
    )


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def staff_config(
    zone_specs: list[str], after_minutes: float | None, uniform: Path | None, employee_specs: list[str]
) -> StaffConfig | None:
    """The staff rules of `shopflow analyze`; None when none was given."""
    from shopflow.analysis.staff import StaffSettings
    from shopflow.vision.uniform import load_uniform

    zones = tuple(parse_zone(spec) for spec in zone_specs)
    check_unique_names([], list(zones))
    if after_minutes is not None and not 0 < after_minutes <= 24 * 60:
        raise CliError(f"--staff-after must be more than 0 and at most 1440 minutes, got {after_minutes:g}")
    config = StaffConfig(
        settings=StaffSettings(zones=zones, stay_seconds=None if after_minutes is None else after_minutes * 60.0),
        uniform=None if uniform is None else load_uniform(uniform),
        faces=_face_watch(employee_specs) if employee_specs else None,
    )
    return config if config.active else None


MAX_ENROLMENT_PHOTOS = 5


def _face_watch(specs: list[str]) -> FaceMatcher:
    """Enrols each --employee from their photos (the photos are read, embedded and not kept)."""
    from shopflow.pipeline.face_watch import FaceWatch
    from shopflow.vision.faces import DlibFaceEmbedder, FaceError, FaceGallery, enrolment_embedding

    embedder = DlibFaceEmbedder()
    enrolled: dict[str, list[Embedding]] = {}
    for spec in specs:
        name, sep, photos = spec.partition(":")
        paths = [Path(p.strip()) for p in photos.split(",") if p.strip()]
        if not sep or not name.strip() or not paths:
            raise CliError(f"--employee {spec!r}: write it as NAME:PHOTO[,PHOTO...]")
        name = name.strip()
        if name in enrolled:
            raise CliError(f"--employee {name!r} is given twice; list all their photos in one --employee")
        if len(paths) > MAX_ENROLMENT_PHOTOS:
            raise CliError(f"--employee {name!r}: give 1 to {MAX_ENROLMENT_PHOTOS} photos, got {len(paths)}")
        enrolled[name] = []
        for path in paths:
            try:
                data = path.read_bytes()
            except OSError as error:
                raise CliError(f"--employee {name!r}: cannot read {path}: {error.strerror}") from None
            try:
                enrolled[name].append(enrolment_embedding(data, embedder))
            except FaceError as error:
                raise FaceError(error.problem, f"--employee {name!r}, photo {path}: {error}") from None
    return FaceWatch(embedder, FaceGallery(enrolled))


def _print_report(report: AnalysisReport) -> None:
    if report.lines:
        table = Table(title="Lines")
        for column in ("line", "in", "out", "customers in", "customers out"):
            table.add_column(column, justify="left" if column == "line" else "right")
        for name, counts in report.lines.items():
            table.add_row(
                name,
                str(counts["in"]),
                str(counts["out"]),
                str(counts["in"] - report.staff.crossings(name, "in")),
                str(counts["out"] - report.staff.crossings(name, "out")),
            )
        out.print(table)
    if report.zones:
        table = Table(title="Zones")
        for column in ("zone", "visits", "mean dwell", "median dwell", "peak occupancy"):
            table.add_column(column, justify="left" if column == "zone" else "right")
        for name, zone in report.zones.items():
            table.add_row(
                name, str(zone.visits), _seconds(zone.mean_dwell), _seconds(zone.median_dwell), str(zone.peak_occupancy)
            )
        out.print(table)
    out.print(f"unique visitors: {report.unique_visitors}")
    out.print(f"groups: {report.groups}")
    out.print(f"potential customers: {report.potential_customers}")
    out.print(f"peak people in view: {report.peak_people}")
    if report.staff.decisions:
        rules = ", ".join(f"{rule} {count}" for rule, count in report.staff.by_rule().items() if count)
        out.print(f"staff tracks: {len(report.staff.decisions)} ({rules})")
    out.print(
        f"frames analysed: {report.frames} ({report.video_seconds:.1f} s of video) in "
        f"{report.processing_seconds:.1f} s: {report.frames_per_second:.1f} frames/s, "
        f"{report.realtime_factor:.1f}x real time"
    )
    if report.frames:
        skipped = report.frames - report.detector_runs
        out.print(f"motion gate: detector skipped on {skipped} of {report.frames} frames (nothing moved)")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
