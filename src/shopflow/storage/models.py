"""Tables as SQLAlchemy models; only repositories and migrations use them. Every timestamp is UTC.

About 400 lines of table declarations and nothing else, kept in one module: the schema reads in one place and
Alembic compares the migrations against this one metadata.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shopflow.domain.cameras import DEFAULT_IMGSZ, DEFAULT_SAMPLE_FPS, ROTATIONS
from shopflow.storage.columns import UTCDateTime, utcnow
from shopflow.storage.records import DEFAULT_TIMEZONE

# Deterministic constraint names, so migrations can find them again on both dialects.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Event tables grow by millions of rows; SQLite only auto-increments a plain INTEGER primary key.
EventId = BigInteger().with_variant(Integer(), "sqlite")

PERSON_KINDS = "person_kind IN ('customer', 'employee')"
STAFF_RULES = "rule IN ('face', 'uniform', 'staff_zone', 'long_stay')"
CAMERA_STATUSES = "status IN ('online', 'offline', 'error', 'disabled', 'starting', 'finished')"
CAMERA_ROTATIONS = f"rotation IN ({', '.join(map(str, ROTATIONS))})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        float: Double(),
        str: Text(),
    }


class OrganisationRow(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoreRow(Base):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    opening_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CameraRow(Base):
    __tablename__ = "cameras"
    __table_args__ = (
        CheckConstraint(CAMERA_STATUSES, name="status"),
        CheckConstraint("sample_fps > 0", name="sample_fps_positive"),
        CheckConstraint("imgsz > 0", name="imgsz_positive"),
        CheckConstraint(CAMERA_ROTATIONS, name="rotation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    source_url: Mapped[str] = mapped_column(Text)
    sample_fps: Mapped[float] = mapped_column(default=DEFAULT_SAMPLE_FPS)
    imgsz: Mapped[int] = mapped_column(Integer, default=DEFAULT_IMGSZ)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    lines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    zones: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Staff rules of this camera's view: staff-only zones (like `zones`), and the stay after which anyone is staff.
    staff_zones: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    staff_after_minutes: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(16), default="offline")
    status_reason: Mapped[str | None] = mapped_column(Text)
    last_frame_at: Mapped[datetime | None]
    measured_fps: Mapped[float | None]
    dropped_frames: Mapped[int] = mapped_column(BigInteger, default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Video files only: play again from the start (the demo), and at the video's own pace like a camera.
    loop_video: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    realtime_pace: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Degrees clockwise the picture is turned upright before anything looks at it (a camera mounted upside down).
    rotation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CameraEventRow(Base):
    """A periodic snapshot of who one camera sees (`camera_events` is the production guide's name)."""

    __tablename__ = "camera_events"
    __table_args__ = (
        UniqueConstraint("camera_id", "event_key"),
        Index(None, "camera_id", "at"),
        Index(None, "store_id", "at"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    total_people: Mapped[int] = mapped_column(Integer)
    customers: Mapped[int] = mapped_column(Integer)
    employees: Mapped[int] = mapped_column(Integer)
    groups: Mapped[int] = mapped_column(Integer)
    potential_customers: Mapped[int] = mapped_column(Integer)
    processing_time_ms: Mapped[float | None]
    event_key: Mapped[str] = mapped_column(String(128))


class CrossingRow(Base):
    __tablename__ = "crossings"
    __table_args__ = (
        UniqueConstraint("camera_id", "event_key"),
        Index(None, "camera_id", "at"),
        Index(None, "store_id", "at"),
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
        CheckConstraint(PERSON_KINDS, name="person_kind"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    line: Mapped[str] = mapped_column(String(100))
    direction: Mapped[str] = mapped_column(String(3))
    is_entry: Mapped[bool | None] = mapped_column(Boolean)
    track_id: Mapped[int] = mapped_column(BigInteger)
    person_kind: Mapped[str] = mapped_column(String(16))
    staff_rule: Mapped[str | None] = mapped_column(String(16))  # for an employee: the rule that decided it
    at: Mapped[datetime]
    event_key: Mapped[str] = mapped_column(String(128))


class VisitRow(Base):
    __tablename__ = "visits"
    __table_args__ = (
        UniqueConstraint("camera_id", "event_key"),
        Index(None, "camera_id", "entered_at"),
        Index(None, "store_id", "entered_at"),
        CheckConstraint(PERSON_KINDS, name="person_kind"),
        CheckConstraint("dwell_seconds >= 0", name="dwell_not_negative"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    zone: Mapped[str] = mapped_column(String(100))
    track_id: Mapped[int] = mapped_column(BigInteger)
    person_kind: Mapped[str] = mapped_column(String(16))
    staff_rule: Mapped[str | None] = mapped_column(String(16))  # for an employee: the rule that decided it
    entered_at: Mapped[datetime]
    exited_at: Mapped[datetime]
    dwell_seconds: Mapped[float]
    event_key: Mapped[str] = mapped_column(String(128))


class StaffTrackRow(Base):
    """A track decided to be staff: the correction of what it did as a "customer" before the decision, and its
    presence (first to last sighting) for the attendance view. `employee_id` only for a face: personal data,
    cleared by the employee's erasure and purged with the raw events."""

    __tablename__ = "staff_tracks"
    __table_args__ = (
        UniqueConstraint("camera_id", "event_key"),
        Index(None, "store_id", "first_seen_at"),
        Index(None, "employee_id", "first_seen_at"),
        CheckConstraint(STAFF_RULES, name="rule"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    track_id: Mapped[int] = mapped_column(BigInteger)
    rule: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(100), default="")  # the staff zone's name
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    first_seen_at: Mapped[datetime]
    decided_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # What the correction moved from customers to staff.
    crossings_corrected: Mapped[int] = mapped_column(Integer, default=0)
    visits_corrected: Mapped[int] = mapped_column(Integer, default=0)
    visitor_corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    event_key: Mapped[str] = mapped_column(String(128))


class PartyTallyRow(Base):
    """Potential customers and groups the pipeline reported; kept so a replayed tally is counted once."""

    __tablename__ = "party_tallies"
    __table_args__ = (UniqueConstraint("camera_id", "event_key"), Index(None, "store_id", "at"))

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    potential_customers: Mapped[int] = mapped_column(Integer)
    groups: Mapped[int] = mapped_column(Integer)
    visitors: Mapped[int] = mapped_column(Integer, default=0)
    event_key: Mapped[str] = mapped_column(String(128))


class HourlyRollupRow(Base):
    """Per camera and UTC hour, kept current by the event writer in the same transaction as the events."""

    __tablename__ = "hourly_rollups"
    __table_args__ = (
        UniqueConstraint("store_id", "camera_id", "hour_start"),
        Index(None, "store_id", "hour_start"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    hour_start: Mapped[datetime]
    entries: Mapped[int] = mapped_column(Integer, default=0)
    exits: Mapped[int] = mapped_column(Integer, default=0)
    customer_entries: Mapped[int] = mapped_column(Integer, default=0)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    dwell_seconds_sum: Mapped[float] = mapped_column(default=0.0)
    potential_customers: Mapped[int] = mapped_column(Integer, default=0)
    groups: Mapped[int] = mapped_column(Integer, default=0)
    visitors: Mapped[int] = mapped_column(Integer, default=0)
    peak_occupancy: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoreHourlyRollupRow(Base):
    """Per store and UTC hour: the store's camera rollups added up (peaks too), kept by the same transaction.

    The store-wide reports read these: a year of a 50-camera store is 8,760 rows here instead of 438,000.
    """

    __tablename__ = "store_hourly_rollups"

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True)
    hour_start: Mapped[datetime] = mapped_column(primary_key=True)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    exits: Mapped[int] = mapped_column(Integer, default=0)
    customer_entries: Mapped[int] = mapped_column(Integer, default=0)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    dwell_seconds_sum: Mapped[float] = mapped_column(default=0.0)
    potential_customers: Mapped[int] = mapped_column(Integer, default=0)
    groups: Mapped[int] = mapped_column(Integer, default=0)
    visitors: Mapped[int] = mapped_column(Integer, default=0)
    peak_occupancy: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class HeatmapTallyRow(Base):
    """The keys of the heatmap tallies already added to `heatmap_hourly`, so a replayed tally is added once.

    Only the key is kept: a tally's grid is thousands of numbers, and the hourly sum is all anyone reads.
    """

    __tablename__ = "heatmap_tallies"
    __table_args__ = (UniqueConstraint("camera_id", "event_key"),)

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    event_key: Mapped[str] = mapped_column(String(128))


class HeatmapHourlyRow(Base):
    """Person-seconds per heatmap cell, per camera and UTC hour: a rows x columns float32 grid, row-major.

    A camera whose grid size changes gets a row per size in that hour; readers resample them to one size.
    """

    __tablename__ = "heatmap_hourly"
    __table_args__ = (
        UniqueConstraint("camera_id", "hour_start", "columns", "rows"),
        CheckConstraint("columns > 0 AND rows > 0", name="grid_size_positive"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    hour_start: Mapped[datetime]
    columns: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    cells: Mapped[bytes] = mapped_column(LargeBinary)
    # The frame the grid was last measured on, so the heatmap is drawn at the camera's own size and aspect.
    frame_width: Mapped[int] = mapped_column(Integer)
    frame_height: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmployeeRow(Base):
    __tablename__ = "employees"
    __table_args__ = (
        UniqueConstraint("store_id", "code"),
        CheckConstraint("consent_method IN ('face', 'no_biometrics')", name="consent_method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100), default="")  # the employee's position
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_at: Mapped[datetime | None]
    # Face embeddings are personal data: only stored while consent_at is set.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The registry (storage/repositories/staff_registry.py): the store's own employee id, unique per store.
    code: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(100), default="", server_default="")
    consent_by: Mapped[str | None] = mapped_column(String(200))  # who recorded the consent
    consent_version: Mapped[str | None] = mapped_column(String(50))  # version of the text agreed to
    consent_method: Mapped[str | None] = mapped_column(String(16))  # face, or no_biometrics (uniform, zones)
    erased_at: Mapped[datetime | None]  # LGPD erasure: personal fields blanked, faces deleted


class EmployeeFaceRow(Base):
    """One enrolment photo's embedding (1 to 5 per employee); the photo itself is not kept."""

    __tablename__ = "employee_faces"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    embedder: Mapped[str] = mapped_column(String(50))
    embedding: Mapped[bytes] = mapped_column(LargeBinary)
    # The enrolment photo itself, only when the store keeps them (store_privacy.keep_face_photos); goes with the
    # embedding on erasure, withdrawal or when the store stops keeping photos.
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditRow(Base):
    """Who did what to personal data, and when (consent, enrolment, erasure)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One of the two says whose entry it is: a store's (employees, cameras) or the organisation's (users, sign-ins).
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text, default="")


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('owner', 'manager', 'viewer')", name="role"),
        CheckConstraint("language IN ('pt-BR', 'en')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    language: Mapped[str] = mapped_column(String(8), default="pt-BR")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserStoreRow(Base):
    """A store a manager or viewer may see (owners see every store of their organisation)."""

    __tablename__ = "user_stores"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True, index=True)


class UserSessionRow(Base):
    """A signed-in browser, a bearer token, or a one-minute ticket that turns into a browser session.

    Only the SHA-256 of the random token is kept: a copy of the database signs nobody in.
    """

    __tablename__ = "user_sessions"
    __table_args__ = (CheckConstraint("kind IN ('browser', 'token', 'ticket')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    last_seen_at: Mapped[datetime | None]


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("scope IN ('read', 'ingest', 'admin')", name="scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(255), unique=True)
    prefix: Mapped[str] = mapped_column(String(32), index=True)
    scope: Mapped[str] = mapped_column(String(16), default="read", server_default="read")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class StorePrivacyRow(Base):
    """A store's privacy choices; a store without a row has the defaults (see records.PrivacySettings)."""

    __tablename__ = "store_privacy"
    __table_args__ = (CheckConstraint("retention_days > 0", name="retention_days_positive"),)

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True)
    retention_days: Mapped[int] = mapped_column(Integer)
    face_recognition: Mapped[bool] = mapped_column(Boolean)
    consent_text: Mapped[str] = mapped_column(Text)
    # Keep employees' enrolment photos (to re-enrol when the face model changes, or show an employee what was
    # enrolled); off: each photo is dropped once its embedding is made.
    keep_face_photos: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The staff uniform (vision/uniform.Uniform.to_json), or None: no uniform rule.
    uniform: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
