"""Camera changes, whichever door they come through: the API, the dashboard or the CLI.

The rules live here once: how a source is checked, that a source echoed back in its redacted form
(`rtsp://***@host`) keeps the saved credentials, and that every committed change brings the camera workers
in step (`after_change`; the door decides when it runs: the API after its answer, the dashboard at once).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from shopflow.domain.cameras import DEFAULT_SAMPLE_FPS, check_rotation
from shopflow.domain.geometry import GeometryError, check_geometry_counts
from shopflow.domain.problems import InputError
from shopflow.domain.urls import REDACTED, redact_url
from shopflow.pipeline.probe import ProbeResult, probe_source, turned
from shopflow.pipeline.sources import SourceError, SourceKind, parse_source_spec
from shopflow.services.access import Caller, Permission, require_camera, require_store, visible_stores
from shopflow.services.source_policy import SourcePolicy, SourcePolicyError
from shopflow.storage.db import Database
from shopflow.storage.records import CameraRecord, LineConfig, ZoneConfig, check_unique_names
from shopflow.storage.repositories import CameraRepository
from shopflow.storage.repositories.cameras import check_staff_after


class CameraInputError(InputError):
    """Something given for a camera that cannot be saved; the message says what to fix, `field` which field."""

    def __init__(self, message: str, field: str | None = None, code: str = "", **params: object) -> None:
        super().__init__(message, code, **params)
        self.field = field

    @classmethod
    def of(cls, error: Exception, field: str | None = None) -> CameraInputError:
        """`error` as a camera input error, keeping its code (a GeometryError, a SourceError...)."""
        return cls(str(error), field, getattr(error, "code", ""), **getattr(error, "params", {}))


def check_source_form(value: str) -> str:
    """The source as typed (trimmed), if it is well formed: an rtsp(s):// or http(s):// URL with a host, a webcam
    index or a file path. Whether the server may open it is the source policy's call (`CameraService`)."""
    value = value.strip()
    try:
        parse_source_spec(value)
    except SourceError as error:
        raise CameraInputError.of(error, "source_url") from None
    return value


def is_file_source(value: str) -> bool:
    try:
        return parse_source_spec(value.strip()).kind is SourceKind.FILE
    except SourceError:
        return False


def _check_geometry(lines: Sequence[LineConfig] | None, zones: Sequence[ZoneConfig] | None) -> None:
    """How many lines and zones, and their names (each one checked itself when it was made)."""
    try:
        check_geometry_counts(len(lines or ()), len(zones or ()))
        check_unique_names("line", [line.name for line in lines or ()])
        check_unique_names("zone", [zone.name for zone in zones or ()])
    except GeometryError as error:
        raise CameraInputError.of(error) from None


def check_staff_rules(zones: Sequence[ZoneConfig], after_minutes: float | None) -> None:
    """How many staff zones, their names and the long-stay minutes (a door may ask before it saves anything)."""
    try:
        check_geometry_counts(0, len(zones))
        check_unique_names("staff zone", [zone.name for zone in zones])
        check_staff_after(after_minutes)
    except (GeometryError, ValueError) as error:
        raise CameraInputError.of(error) from None


@dataclass(frozen=True, slots=True)
class NewCamera:
    store_id: int
    name: str
    source_url: str
    sample_fps: float = DEFAULT_SAMPLE_FPS
    imgsz: int | None = None  # None: the server's YOLO_IMGSZ
    enabled: bool = True
    lines: Sequence[LineConfig] = ()
    zones: Sequence[ZoneConfig] = ()
    loop_video: bool = False
    realtime_pace: bool = True
    rotation: int = 0  # degrees clockwise that turn the picture upright


@dataclass(frozen=True, slots=True)
class CameraChanges:
    """Fields to change; None leaves a field as it is, and new lines or zones replace the old ones whole."""

    name: str | None = None
    source_url: str | None = None
    sample_fps: float | None = None
    imgsz: int | None = None
    enabled: bool | None = None
    lines: Sequence[LineConfig] | None = None
    zones: Sequence[ZoneConfig] | None = None
    loop_video: bool | None = None
    realtime_pace: bool | None = None
    rotation: int | None = None  # a new turn carries the lines and zones not given along with the picture


class CameraService:
    """Camera operations for one caller: each checks that the caller may see the camera's store (a camera they
    may not see is "not found") and may change it, before anything else is looked at.

    Every check runs before a write transaction opens: none holds the database's write lock (SQLite) while it
    works, and the source policy's name lookups never run inside one."""

    def __init__(
        self,
        database: Database,
        *,
        caller: Caller,
        default_imgsz: int,
        after_change: Callable[[], None],
        policy: SourcePolicy,
    ) -> None:
        self._database = database
        self._caller = caller
        self._default_imgsz = default_imgsz
        self._after_change = after_change
        self._policy = policy

    def check_source(self, value: str) -> str:
        """The source to store for `value`, if the server may open it (may resolve a host name: blocks)."""
        try:
            return self._policy.check(value)
        except (SourceError, SourcePolicyError) as error:
            raise CameraInputError.of(error, "source_url") from None

    def get(self, camera_id: int, need: Permission = Permission.READ) -> CameraRecord:
        with self._database.read_session() as session:
            return require_camera(session, self._caller, camera_id, need)

    def list(self, store_id: int | None = None) -> list[CameraRecord]:
        """One store's cameras (NotFoundError for a store the caller cannot see), or those of every store they see."""
        with self._database.read_session() as session:
            cameras = CameraRepository(session)
            if store_id is not None:
                require_store(session, self._caller, store_id)  # an unknown store is an error, not an empty list
                return cameras.list_by_store(store_id)
            stores = visible_stores(session, self._caller)
            return [camera for store in stores for camera in cameras.list_by_store(store.id)]

    def create(self, new: NewCamera) -> CameraRecord:
        with self._database.read_session() as session:
            require_store(session, self._caller, new.store_id, Permission.MANAGE)
        source = self.check_source(new.source_url)
        _check_geometry(new.lines, new.zones)
        with self._database.session() as session:
            require_store(session, self._caller, new.store_id, Permission.MANAGE)
            record = CameraRepository(session).create(
                new.store_id,
                new.name,
                source,
                sample_fps=new.sample_fps,
                imgsz=new.imgsz or self._default_imgsz,
                enabled=new.enabled,
                lines=new.lines,
                zones=new.zones,
                loop_video=new.loop_video,
                realtime_pace=new.realtime_pace,
                rotation=new.rotation,
            )
        self._after_change()
        return record

    def update(self, camera_id: int, changes: CameraChanges) -> CameraRecord:
        self.get(camera_id, Permission.MANAGE)
        source = None if changes.source_url is None else self._new_source(changes.source_url, camera_id)
        _check_geometry(changes.lines, changes.zones)
        with self._database.session() as session:
            record = CameraRepository(session).update(
                camera_id,
                name=changes.name,
                source_url=source,
                sample_fps=changes.sample_fps,
                imgsz=changes.imgsz,
                enabled=changes.enabled,
                lines=changes.lines,
                zones=changes.zones,
                loop_video=changes.loop_video,
                realtime_pace=changes.realtime_pace,
                rotation=changes.rotation,
            )
        self._after_change()
        return record

    def _new_source(self, given: str, camera_id: int) -> str | None:
        """The source to store for `given`, or None to keep the saved one. A form or a client that sends the saved
        source back as every door shows it (redacted) has not changed the source."""
        if given.strip() == self.get(camera_id).source_url:
            return None
        if REDACTED in given:
            raise CameraInputError(
                f"the source still holds {REDACTED} in place of a password or token: type the full address, "
                "or send the source exactly as shown to keep the saved one",
                "source_url",
                "source_redacted",
            )
        return self.check_source(given)

    def set_staff_rules(self, camera_id: int, zones: Sequence[ZoneConfig], after_minutes: float | None) -> CameraRecord:
        """Replace the camera's staff-only zones and long-stay rule (None: off). The worker restarts with them."""
        self.get(camera_id, Permission.MANAGE)
        check_staff_rules(zones, after_minutes)
        with self._database.session() as session:
            require_camera(session, self._caller, camera_id, Permission.MANAGE)
            record = CameraRepository(session).set_staff_rules(camera_id, zones, after_minutes)
        self._after_change()
        return record

    def set_enabled(self, camera_id: int, enabled: bool) -> CameraRecord:
        return self.update(camera_id, CameraChanges(enabled=enabled))

    def delete(self, camera_id: int) -> None:
        """Delete the camera with its events (disable it instead to keep its history)."""
        with self._database.session() as session:
            require_camera(session, self._caller, camera_id, Permission.MANAGE)
            CameraRepository(session).delete(camera_id)
        self._after_change()

    def test_connection(
        self, source: str | None = None, camera_id: int | None = None, rotation: int | None = None
    ) -> ProbeResult:
        """Open a source once (blocks for seconds: call it off the event loop). With `camera_id`, no source or
        the saved one as shown (redacted) opens the saved full URL, credentials included. An unreachable, refused
        or malformed source is a verdict (ok=False), not an error; the saved source is held to the policy too.

        The picture is turned by `rotation`; None: by the saved camera's rotation (none for a new source)."""
        # Opening a source reaches into the store's network: only those who may change cameras may do it.
        self._caller.require(Permission.MANAGE)
        saved_rotation = 0
        if camera_id is not None:
            # The session closes before the probe: a slow camera must not hold a database transaction open.
            with self._database.read_session() as session:
                require_camera(session, self._caller, camera_id, Permission.MANAGE)
                cameras = CameraRepository(session)
                saved = cameras.get_source(camera_id)
                saved_rotation = saved.rotation
                if source is None or source.strip() == redact_url(saved.source_url):
                    source = saved.source_url
        try:
            checked = self.check_source(source or "")
        except CameraInputError as error:
            return ProbeResult.failed(error)
        return turned(probe_source(checked), saved_rotation if rotation is None else check_rotation(rotation))
