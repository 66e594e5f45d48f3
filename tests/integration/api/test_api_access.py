"""Who may call what: the whole OpenAPI schema walked anonymously and as every role and key scope.

Each operation is listed with the permission it needs. A caller without it must never get a 2xx; a caller with it
must get past the door (no 401, 403 or 404). A route added to the API without an entry here fails the first test,
so nothing new goes out unguarded.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shopflow.config.credentials import hash_password, new_api_key
from shopflow.services.access import ROLE_PERMISSIONS, SCOPE_PERMISSIONS, Permission
from shopflow.services.accounts import accounts_for
from shopflow.storage.records import ApiKeyScope, SessionKind, UserRole
from shopflow.storage.repositories import ApiKeyRepository, CameraRepository, StoreRepository, UserRepository
from shopflow.storage.repositories.staff_registry import ConsentMethod, StaffRegistry

from .conftest import runtime_of

PASSWORD = "Tamarindo-Azul-Jaca-77"
PUBLIC = {("GET", "/api/health"), ("GET", "/api/analytics/health"), ("POST", "/api/auth/token")}
ANY = "any caller"  # /api/auth/me and /api/auth/logout: whoever is signed in
SELF = "a signed-in user"  # their own password and sessions

_counter = itertools.count(1)


@cache
def password_hash() -> str:
    """Hashed once: scrypt at its production cost takes a third of a second a time."""
    return hash_password(PASSWORD, check=False)


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: who may call what is decided before any SQL, the same on both dialects, and
    test_api_isolation.py runs the organisation boundaries on PostgreSQL (with and without row-level security)."""
    path = tmp_path / "data" / "shopflow.db"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@dataclass
class Shop:
    """Organisation A's store with a camera, an employee and an API key; every id a path may need."""

    client: TestClient
    store: int
    camera: int
    employee: int

    def fresh(self, what: str) -> int:
        """A new thing to change or delete, so one caller's DELETE leaves the next caller something to try."""
        database = runtime_of(self.client).database
        n = next(_counter)
        with database.session() as session:
            if what == "camera":
                return CameraRepository(session).create(self.store, f"extra {n}", "rtsp://10.0.0.9/s").id
            if what == "employee":
                return StaffRegistry(session).create(self.store, f"Pessoa {n}", f"E{n}").id
            if what == "user":
                organisation = StoreRepository(session).get(self.store).organisation_id
                return (
                    UserRepository(session)
                    .create(f"alvo{n}@loja.com.br", password_hash(), organisation_id=organisation)
                    .id
                )
            made = new_api_key()
            return ApiKeyRepository(session).create(self.store, f"key {n}", made.key_hash, made.prefix).id

    def fresh_face(self) -> tuple[int, int]:
        """An employee who consented to faces, with one enrolled face whose photo the store kept."""
        database = runtime_of(self.client).database
        n = next(_counter)
        with database.session() as session:
            registry = StaffRegistry(session)
            employee = registry.create(self.store, f"Rosto {n}", f"R{n}").id
            registry.record_consent(employee, recorded_by="gerente", text_version="v1", method=ConsentMethod.FACE)
            registry.add_face(employee, b"\0" * 512, "dlib-resnet-v1", actor="teste", photo=b"\xff\xd8\xff fake jpeg")
            [face] = registry.faces(employee)
        return employee, face.id


@pytest.fixture
def shop(client: TestClient) -> Shop:
    database = runtime_of(client).database
    store = client.post("/api/stores", json={"name": "Loja A"}).json()["id"]
    with database.session() as session:
        camera = CameraRepository(session).create(store, "entrada", "rtsp://10.0.0.8/s").id
        employee = StaffRegistry(session).create(store, "Ana", "E0").id
    return Shop(client, store, camera, employee)


Body = Callable[[Shop], Any]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # with {store}, {camera}, {employee}, {user}, {key} to fill in
    needs: Permission | str
    body: Body | None = None
    params: Body | None = None
    files: bool = False


def _day(_shop: Shop) -> dict[str, Any]:
    return {"store_id": _shop.store, "since": "2026-11-01", "until": "2026-11-02"}


def _store(shop: Shop) -> dict[str, Any]:
    return {"store_id": shop.store}


OPERATIONS = [
    Operation("GET", "/api/stores", Permission.READ),
    Operation("POST", "/api/stores", Permission.ADMIN, body=lambda s: {"name": f"Filial {next(_counter)}"}),
    Operation("GET", "/api/stores/{store}", Permission.READ),
    Operation("PATCH", "/api/stores/{store}", Permission.MANAGE, body=lambda s: {"name": "Loja A"}),
    Operation("GET", "/api/cameras", Permission.READ, params=_store),
    Operation(
        "POST",
        "/api/cameras",
        Permission.MANAGE,
        body=lambda s: {"store_id": s.store, "name": "nova", "source_url": "rtsp://10.0.0.7/s", "enabled": False},
    ),
    Operation("POST", "/api/cameras/test-connection", Permission.MANAGE, body=lambda s: {"source_url": "nada"}),
    Operation("GET", "/api/cameras/{camera}", Permission.READ),
    Operation("PATCH", "/api/cameras/{camera}", Permission.MANAGE, body=lambda s: {"name": "entrada"}),
    Operation("DELETE", "/api/cameras/{fresh_camera}", Permission.MANAGE),
    Operation("POST", "/api/cameras/{camera}/test-connection", Permission.MANAGE, body=lambda s: {}),
    Operation("GET", "/api/cameras/{camera}/live", Permission.READ),
    Operation("GET", "/api/cameras/{camera}/snapshot.jpg", Permission.READ),
    Operation("GET", "/api/cameras/{camera}/stream.mjpg", Permission.READ),
    Operation(
        "POST",
        "/api/stores/{store}/employees",
        Permission.STAFF,
        body=lambda s: {"name": "Bia", "employee_id": f"N{next(_counter)}"},
    ),
    Operation("GET", "/api/stores/{store}/employees", Permission.STAFF),
    Operation("PATCH", "/api/employees/{employee}", Permission.STAFF, body=lambda s: {"active": True}),
    Operation(
        "POST",
        "/api/employees/{employee}/consent",
        Permission.STAFF,
        body=lambda s: {"recorded_by": "gerente", "text_version": "v1", "method": "no_biometrics"},
    ),
    Operation("POST", "/api/employees/{employee}/faces", Permission.STAFF, files=True),
    Operation("POST", "/api/employees/{fresh_employee}/erase", Permission.STAFF, body=lambda s: {}),
    Operation("DELETE", "/api/employees/{employee}/consent", Permission.STAFF),
    Operation("GET", "/api/employees/{employee}/faces", Permission.STAFF),
    Operation("GET", "/api/employees/{face_employee}/faces/{face}/photo", Permission.STAFF),
    Operation(
        "PUT",
        "/api/cameras/{camera}/staff-rules",
        Permission.MANAGE,
        body=lambda s: {"staff_zones": [], "staff_after_minutes": 240},
    ),
    Operation("GET", "/api/stores/{store}/uniform", Permission.STAFF),
    Operation(
        "PUT", "/api/stores/{store}/uniform", Permission.STAFF, body=lambda s: {"name": "azul", "upper": [0, 0, 200]}
    ),
    Operation("DELETE", "/api/stores/{store}/uniform", Permission.STAFF),
    Operation("GET", "/api/stores/{store}/attendance", Permission.ATTENDANCE, params=lambda s: {"day": "2026-11-01"}),
    Operation("GET", "/api/events", Permission.READ, params=_store),
    Operation("GET", "/api/analytics/now", Permission.READ, params=_store),
    Operation("GET", "/api/analytics/today", Permission.READ, params=_store),
    Operation("GET", "/api/analytics/hourly", Permission.READ, params=_day),
    Operation("GET", "/api/analytics/daily", Permission.READ, params=_day),
    Operation("GET", "/api/analytics/zones", Permission.READ, params=_day),
    Operation("GET", "/api/analytics/compare", Permission.READ, params=_day),
    Operation(
        "GET", "/api/analytics/heatmap.png", Permission.READ, params=lambda s: {**_store(s), "camera_id": s.camera}
    ),
    Operation("GET", "/api/analytics/export.csv", Permission.READ, params=_day),
    Operation("GET", "/api/analytics/export.xlsx", Permission.READ, params=_day),
    Operation("GET", "/api/analytics/report.pdf", Permission.READ, params=_store),
    Operation("GET", "/api/users", Permission.ADMIN),
    Operation(
        "POST",
        "/api/users",
        Permission.ADMIN,
        body=lambda s: {"email": f"novo{next(_counter)}@loja.com.br", "password": PASSWORD, "stores": [s.store]},
    ),
    Operation("PATCH", "/api/users/{fresh_user}", Permission.ADMIN, body=lambda s: {"role": "manager"}),
    Operation("DELETE", "/api/users/{fresh_user}", Permission.ADMIN),
    Operation("POST", "/api/users/{fresh_user}/password", Permission.ADMIN, body=lambda s: {"new_password": PASSWORD}),
    Operation("POST", "/api/users/{fresh_user}/logout-everywhere", Permission.ADMIN),
    Operation("GET", "/api/audit", Permission.ADMIN),
    Operation("GET", "/api/stores/{store}/api-keys", Permission.ADMIN),
    Operation("POST", "/api/stores/{store}/api-keys", Permission.ADMIN, body=lambda s: {"name": "bi"}),
    Operation("DELETE", "/api/api-keys/{fresh_key}", Permission.ADMIN),
    Operation("GET", "/api/auth/me", ANY),
    Operation("POST", "/api/auth/logout", ANY),
    Operation("POST", "/api/auth/logout-everywhere", SELF),
    Operation(
        "POST",
        "/api/auth/password",
        SELF,
        body=lambda s: {"current_password": PASSWORD, "new_password": "Outra-Senha-Bem-Longa-42"},
    ),
]


@dataclass(frozen=True)
class Role:
    name: str
    permissions: frozenset[Permission]
    user_role: UserRole | None = None
    scope: ApiKeyScope | None = None


ROLES = [
    *(Role(role.value, ROLE_PERMISSIONS[role], user_role=role) for role in UserRole),
    *(Role(f"key:{scope.value}", SCOPE_PERMISSIONS[scope], scope=scope) for scope in ApiKeyScope),
]


def credential(shop: Shop, role: Role) -> Callable[[], str]:
    """Fresh bearer credentials for `role` on organisation A (granted store A, for managers and viewers): one
    user or key, and a new session per call, since an operation may sign its caller out."""
    database = runtime_of(shop.client).database
    with database.session() as session:
        if role.scope is not None:
            made = new_api_key()
            ApiKeyRepository(session).create(shop.store, role.name, made.key_hash, made.prefix, role.scope)
            return lambda: made.key
        organisation = StoreRepository(session).get(shop.store).organisation_id
        assert role.user_role is not None
        user = UserRepository(session).create(
            f"{role.name}@loja.com.br",
            password_hash(),
            organisation_id=organisation,
            role=role.user_role,
            store_ids=[shop.store],
        )
    accounts = accounts_for(runtime_of(shop.client))
    return lambda: accounts.start_session(user, SessionKind.TOKEN).token


def call(client: TestClient, shop: Shop, operation: Operation, headers: dict[str, str]) -> int:
    path = operation.path
    ids = {"store": shop.store, "camera": shop.camera, "employee": shop.employee}
    for name in ("camera", "employee", "user", "key"):
        if "{fresh_" + name + "}" in path:
            ids["fresh_" + name] = shop.fresh(name)
    if "{face}" in path:
        ids["face_employee"], ids["face"] = shop.fresh_face()
    path = path.format(**ids)
    kwargs: dict[str, Any] = {"headers": headers}
    if operation.body is not None:
        kwargs["json"] = operation.body(shop)
    if operation.params is not None:
        kwargs["params"] = operation.params(shop)
    if operation.files:
        kwargs["files"] = {"photo": ("rosto.jpg", b"not a picture", "image/jpeg")}
    return client.request(operation.method, path, **kwargs).status_code


def test_every_operation_of_the_schema_is_in_the_table(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    published = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    listed = {(op.method, _template(op.path)) for op in OPERATIONS} | PUBLIC
    assert published == listed


def _template(path: str) -> str:
    names = {
        "{store}": "{store_id}",
        "{camera}": "{camera_id}",
        "{fresh_camera}": "{camera_id}",
        "{employee}": "{employee_id}",
        "{fresh_employee}": "{employee_id}",
        "{fresh_user}": "{user_id}",
        "{fresh_key}": "{api_key_id}",
        "{face_employee}": "{employee_id}",
        "{face}": "{face_id}",
    }
    for ours, theirs in names.items():
        path = path.replace(ours, theirs)
    return path


def test_nobody_gets_in_without_credentials(anonymous: TestClient, shop: Shop) -> None:
    answers = {(op.method, op.path): call(anonymous, shop, op, {}) for op in OPERATIONS}
    assert {key: status for key, status in answers.items() if status != 401} == {}
    # A token that is not ours, a wrong scheme and an empty one are refused alike.
    for header in ("Bearer sf_not-a-key", "Bearer sfs_not-a-session", "Basic ZG9uYTpzZW5oYQ==", "Bearer "):
        response = anonymous.get("/api/stores", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("role", ROLES, ids=[role.name for role in ROLES])
def test_each_role_gets_exactly_what_it_may(anonymous: TestClient, shop: Shop, role: Role) -> None:
    wrong: dict[str, int] = {}
    token = credential(shop, role)
    for operation in OPERATIONS:
        headers = {"Authorization": f"Bearer {token()}"}
        status = call(anonymous, shop, operation, headers)
        if operation.needs == ANY:
            allowed = True
        elif operation.needs == SELF:
            allowed = role.user_role is not None
        else:
            allowed = operation.needs in role.permissions
        if allowed and status in (401, 403, 404):
            wrong[f"{operation.method} {operation.path} (should pass)"] = status
        if not allowed and status < 400:
            wrong[f"{operation.method} {operation.path} (should be refused)"] = status
        assert status < 500, f"{operation.method} {operation.path} as {role.name}: {status}"
    assert wrong == {}
