"""Who is asking, and what they may do: the one place both doors (the API and the dashboard) ask.

A caller is a signed-in user (owner, manager or viewer), a store's API key (read, ingest or admin), or the
bridge. Owners act on every store of their organisation; managers and viewers on the stores granted to them;
a key on its own store. A store the caller may not see is answered exactly like a store that does not exist, so
ids are no oracle; a store they may see but not change is "not allowed".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.orm import Session

from shopflow.storage.errors import NotFoundError
from shopflow.storage.records import ApiKeyRecord, ApiKeyScope, CameraRecord, StoreRecord, UserRecord, UserRole
from shopflow.storage.repositories import CameraRepository, StoreRepository


class Permission(StrEnum):
    READ = "read"  # figures, cameras, live pictures, exports
    MANAGE = "manage"  # cameras, lines, zones and the store's set-up
    STAFF = "staff"  # employees, their consent, faces and the staff rules (personal data)
    ATTENDANCE = "attendance"  # when each recognised employee was on the floor (personal data, read apart)
    ADMIN = "admin"  # users, API keys, new stores, the audit log
    INGEST = "ingest"  # a bridge sending events


ROLE_PERMISSIONS: dict[UserRole, frozenset[Permission]] = {
    UserRole.OWNER: frozenset(
        {Permission.READ, Permission.MANAGE, Permission.STAFF, Permission.ATTENDANCE, Permission.ADMIN}
    ),
    UserRole.MANAGER: frozenset({Permission.READ, Permission.MANAGE, Permission.STAFF, Permission.ATTENDANCE}),
    UserRole.VIEWER: frozenset({Permission.READ}),
}
SCOPE_PERMISSIONS: dict[ApiKeyScope, frozenset[Permission]] = {
    ApiKeyScope.READ: frozenset({Permission.READ}),
    ApiKeyScope.INGEST: frozenset({Permission.INGEST}),
    ApiKeyScope.ADMIN: frozenset({Permission.READ, Permission.MANAGE, Permission.STAFF}),
}

WHAT = {
    Permission.READ: "see this store",
    Permission.MANAGE: "change cameras or the store's set-up",
    Permission.STAFF: "see or change employees",
    Permission.ATTENDANCE: "see employees' attendance",
    Permission.ADMIN: "manage users, API keys, stores or the audit log",
    Permission.INGEST: "send events",
}


class AccessDeniedError(Exception):
    """The caller is known but may not do this; the message says what they lack."""


@dataclass(frozen=True, slots=True)
class Caller:
    label: str  # for the audit log: an e-mail, or an API key's name and prefix
    organisation_id: int | None  # None: bound to no organisation (the bridge; the system)
    permissions: frozenset[Permission]
    stores: frozenset[int] | None = None  # None: every store of the organisation
    role: UserRole | None = None
    user_id: int | None = None
    session_id: int | None = None
    api_key_id: int | None = None
    is_system: bool = field(default=False)

    @classmethod
    def of_user(cls, user: UserRecord, session_id: int | None = None) -> Caller:
        return cls(
            label=user.email,
            organisation_id=user.organisation_id,
            permissions=ROLE_PERMISSIONS[user.role],
            stores=None if user.role is UserRole.OWNER else user.store_ids,
            role=user.role,
            user_id=user.id,
            session_id=session_id,
        )

    @classmethod
    def of_api_key(cls, key: ApiKeyRecord, organisation_id: int) -> Caller:
        return cls(
            label=f"API key {key.name!r} ({key.prefix}…)",
            organisation_id=organisation_id,
            permissions=SCOPE_PERMISSIONS[key.scope],
            stores=frozenset({key.store_id}),
            api_key_id=key.id,
        )

    @classmethod
    def bridge(cls) -> Caller:
        return cls(label="bridge", organisation_id=None, permissions=frozenset({Permission.INGEST}))

    @classmethod
    def system(cls, label: str = "system") -> Caller:
        """ShopFlow itself (the CLI run by the operator, scheduled jobs): every store, every permission."""
        return cls(label=label, organisation_id=None, permissions=frozenset(Permission), is_system=True)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def sees(self, store: StoreRecord) -> bool:
        if self.is_system:
            return True
        return store.organisation_id == self.organisation_id and (self.stores is None or store.id in self.stores)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            who = f"a {self.role.value}" if self.role is not None else self.label
            raise AccessDeniedError(f"{who} may not {WHAT[permission]}; ask the store's owner")


def require_store(session: Session, caller: Caller, store_id: int, need: Permission = Permission.READ) -> StoreRecord:
    """The store, if the caller may `need` on it; NotFoundError for a store they may not see (or none)."""
    store = StoreRepository(session).get(store_id)
    if not caller.sees(store):
        raise NotFoundError("store", store_id)
    caller.require(need)
    return store


def require_camera(
    session: Session, caller: Caller, camera_id: int, need: Permission = Permission.READ
) -> CameraRecord:
    camera = CameraRepository(session).get(camera_id)
    store = StoreRepository(session).get(camera.store_id)
    if not caller.sees(store):
        raise NotFoundError("camera", camera_id)
    caller.require(need)
    return camera


def visible_stores(session: Session, caller: Caller) -> list[StoreRecord]:
    """The stores the caller may see, in id order (AccessDeniedError for a caller that reads nothing: a bridge)."""
    caller.require(Permission.READ)
    if caller.is_system:
        return StoreRepository(session).list_all()
    if caller.organisation_id is None:
        return []
    return [store for store in StoreRepository(session).list_all(caller.organisation_id) if caller.sees(store)]
