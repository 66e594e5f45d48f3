"""Sessions and tokens, tried as an attacker would: fixation, a replayed ticket, forged cross-site changes, a
stolen token after sign-out, guessing passwords, flooding the API; and the audit log that records it all."""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from shopflow.config.settings import Settings
from shopflow.server.app import create_app
from shopflow.services.accounts import SESSION_COOKIE, Accounts, accounts_for
from shopflow.storage.db import Database
from shopflow.storage.records import SessionKind
from shopflow.storage.repositories import AuditRepository

from .conftest import OWNER_EMAIL, OWNER_PASSWORD, make_settings, owner_token, runtime_of

ORIGIN = {"Origin": "http://testserver"}


def browser_session(client: TestClient) -> TestClient:
    """A browser signed in as the owner the way the dashboard does it: a ticket traded for a cookie."""
    accounts = accounts_for(runtime_of(client))
    owner_token(client)  # makes sure the owner exists
    user = accounts.authenticate(OWNER_EMAIL, OWNER_PASSWORD)
    assert user is not None
    ticket = accounts.start_session(user, SessionKind.TICKET).token
    browser = TestClient(client.app, follow_redirects=False)
    answer = browser.get("/auth/session", params={"ticket": ticket, "next": "/cameras"})
    assert (answer.status_code, answer.headers["location"]) == (303, "/cameras")
    return browser


def test_signing_in_sets_a_fresh_httponly_cookie_and_a_planted_one_is_worthless(client: TestClient) -> None:
    accounts = accounts_for(runtime_of(client))
    owner_token(client)
    user = accounts.authenticate(OWNER_EMAIL, OWNER_PASSWORD)
    assert user is not None
    browser = TestClient(client.app, follow_redirects=False)
    planted = "sfs_planted-by-someone-else"
    browser.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    assert browser.get("/api/stores").status_code == 401
    ticket = accounts.start_session(user, SessionKind.TICKET).token
    answer = browser.get("/auth/session", params={"ticket": ticket, "next": "https://evil.example/"})
    assert answer.headers["location"] == "/"  # never off-site
    cookie = answer.headers["set-cookie"]
    assert re.search(r"(?i)httponly", cookie) and re.search(r"(?i)samesite=lax", cookie)
    assert re.search(r"(?i)max-age=43200", cookie) and "Path=/" in cookie
    assert "secure" not in cookie.lower()  # plain HTTP here; behind HTTPS the cookie is Secure
    fresh = browser.cookies.get(SESSION_COOKIE)
    assert fresh and fresh != planted
    assert browser.get("/api/stores").status_code == 200
    # The ticket worked once: replayed, it signs nobody in.
    replay = TestClient(client.app, follow_redirects=False).get("/auth/session", params={"ticket": ticket})
    assert replay.headers["location"] == "/login" and SESSION_COOKIE not in replay.headers.get("set-cookie", "")


def test_the_cookie_is_secure_behind_https(client: TestClient) -> None:
    accounts = accounts_for(runtime_of(client))
    owner_token(client)
    user = accounts.authenticate(OWNER_EMAIL, OWNER_PASSWORD)
    assert user is not None
    ticket = accounts.start_session(user, SessionKind.TICKET).token
    browser = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    answer = browser.get("/auth/session", params={"ticket": ticket})
    assert "secure" in answer.headers["set-cookie"].lower()


def test_cookie_changes_must_come_from_the_dashboards_own_pages(client: TestClient) -> None:
    browser = browser_session(client)
    store = client.get("/api/stores").json()[0]["id"]
    body = {"name": "Filial"}
    assert browser.post("/api/stores", json=body).status_code == 403  # no Origin: a form on another site
    assert browser.post("/api/stores", json=body, headers={"Origin": "http://evil.example"}).status_code == 403
    assert browser.post("/api/stores", json=body, headers=ORIGIN).status_code == 201
    # The realtime socket too: a page of another site cannot open it with the owner's cookie.
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        browser.websocket_connect(f"/api/realtime?store_id={store}", headers={"Origin": "http://evil.example"}),
    ):
        pass
    assert refused.value.code == 1008
    with browser.websocket_connect(f"/api/realtime?store_id={store}", headers=ORIGIN) as socket:
        assert socket.receive_json()["type"] == "counts"


def test_signing_out_ends_the_cookie_and_everywhere_ends_every_token(client: TestClient) -> None:
    browser = browser_session(client)
    other_token = owner_token(client)
    browser.get("/auth/sign-out")
    browser.cookies.clear()
    assert browser.get("/api/stores").status_code == 401
    second = TestClient(client.app, headers={"Authorization": f"Bearer {other_token}"})
    assert second.get("/api/stores").status_code == 200
    ended = client.post("/api/auth/logout-everywhere").json()["sessions_ended"]
    assert ended >= 2
    assert second.get("/api/stores").status_code == 401
    assert client.get("/api/stores").status_code == 401  # its own token went too


def test_a_changed_password_ends_the_other_sessions_and_the_old_one_stops_working(client: TestClient) -> None:
    stolen = owner_token(client)
    new_password = "Goiaba-Cinza-Abacate-88"
    changed = client.post("/api/auth/password", json={"current_password": OWNER_PASSWORD, "new_password": new_password})
    assert changed.status_code == 204
    assert TestClient(client.app, headers={"Authorization": f"Bearer {stolen}"}).get("/api/stores").status_code == 401
    assert client.get("/api/stores").status_code == 200  # the session that changed it goes on
    refused = client.post("/api/auth/token", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD})
    assert refused.status_code == 401
    wrong = client.post("/api/auth/password", json={"current_password": "nope", "new_password": new_password})
    assert wrong.status_code == 422 and "current password" in wrong.json()["detail"]
    weak = client.post("/api/auth/password", json={"current_password": new_password, "new_password": "password"})
    assert weak.status_code == 422


def test_a_deactivated_user_is_out_at_once(client: TestClient) -> None:
    created = client.post(
        "/api/users",
        json={"email": "caixa@loja.com.br", "password": "Manga-Lilas-Coco-2026", "role": "viewer", "stores": []},
    )
    assert created.status_code == 201, created.text
    token = client.post(
        "/api/auth/token", json={"email": "caixa@loja.com.br", "password": "Manga-Lilas-Coco-2026"}
    ).json()["access_token"]
    viewer = TestClient(client.app, headers={"Authorization": f"Bearer {token}"})
    assert viewer.get("/api/auth/me").json()["role"] == "viewer"
    assert client.patch(f"/api/users/{created.json()['id']}", json={"active": False}).status_code == 200
    assert viewer.get("/api/auth/me").status_code == 401
    again = client.post("/api/auth/token", json={"email": "caixa@loja.com.br", "password": "Manga-Lilas-Coco-2026"})
    assert again.status_code == 401


def test_the_last_owner_cannot_be_demoted_or_removed(client: TestClient) -> None:
    me = client.get("/api/auth/me").json()
    for attempt in (
        client.patch(f"/api/users/{me['user_id']}", json={"role": "viewer"}),
        client.patch(f"/api/users/{me['user_id']}", json={"active": False}),
        client.delete(f"/api/users/{me['user_id']}"),
    ):
        assert attempt.status_code == 422 and "at least one active owner" in attempt.json()["detail"]


def test_guessing_passwords_is_slowed_to_a_stop(anonymous: TestClient, client: TestClient) -> None:
    wrong = {"email": OWNER_EMAIL, "password": "Errada-Senha-0000"}
    answers = [anonymous.post("/api/auth/token", json=wrong).status_code for _ in range(5)]
    assert answers == [401] * 5
    blocked = anonymous.post("/api/auth/token", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD})
    assert blocked.status_code == 429  # even the right password waits now
    assert int(blocked.headers["Retry-After"]) > 0
    # An unknown e-mail is throttled exactly like a known one: the 429 tells nothing about who exists.
    ghost = {"email": "ninguem@loja.com.br", "password": "Errada-Senha-0000"}
    ghost_answers = [anonymous.post("/api/auth/token", json=ghost).status_code for _ in range(6)]
    assert ghost_answers == [401] * 5 + [429]


@pytest.fixture
def limited(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings: Settings = make_settings(db_url, tmp_path / "server").model_copy(update={"api_rate_limit": "5/minute"})
    with TestClient(create_app(settings, start_pipeline=False)) as client:
        client.headers["Authorization"] = f"Bearer {owner_token(client)}"
        yield client


def test_an_api_caller_over_its_rate_is_told_when_to_come_back(limited: TestClient) -> None:
    answers = [limited.get("/api/stores") for _ in range(6)]
    assert [answer.status_code for answer in answers] == [200] * 5 + [429]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert "slow down" in answers[-1].json()["detail"]


def test_the_audit_log_records_sign_ins_changes_reads_and_exports(client: TestClient, anonymous: TestClient) -> None:
    anonymous.post("/api/auth/token", json={"email": OWNER_EMAIL, "password": "Errada-Senha-0000"})
    assert anonymous.post("/api/auth/token", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD}).is_success
    store = client.post("/api/stores", json={"name": "Loja Auditada"}).json()["id"]
    client.post(f"/api/stores/{store}/api-keys", json={"name": "bi", "scope": "read"})
    client.post("/api/users", json={"email": "gerente@loja.com.br", "password": "Acerola-Prata-Kiwi-55"})
    client.get(f"/api/stores/{store}/employees")
    client.get("/api/analytics/export.csv", params={"store_id": store, "since": "2026-11-01", "until": "2026-11-01"})
    actions = {entry["action"] for entry in client.get("/api/audit").json()}
    assert {
        "sign_in",
        "sign_in_failed",
        "store_created",
        "api_key_created",
        "user_created",
        "employees_read",
        "export",
    } <= actions
    failed = client.get("/api/audit", params={"action": "sign_in_failed"}).json()
    assert [entry["actor"] for entry in failed] == [OWNER_EMAIL]


def test_the_first_owner_is_audited(database: Database) -> None:
    accounts = Accounts(database, session_lifetime=timedelta(hours=1))
    owner = accounts.create_first_owner("primeira@loja.com.br", OWNER_PASSWORD)
    with database.session() as session:
        [entry] = AuditRepository(session).list(owner.organisation_id)
    assert (entry.action, entry.actor, entry.subject) == ("owner_created", owner.email, f"user {owner.id}")


def test_checking_the_caller_never_waits_for_the_write_lock(tmp_path: Path, sqlite_template: Path) -> None:
    """On SQLite a request's sign-in check only reads: with another writer holding the lock (the event writer, a
    backup), a signed-in GET still answers at once. The last use is recorded at most once a minute. (PostgreSQL's
    readers never wait for writers.)"""
    path = tmp_path / "data" / "shopflow.db"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    settings = make_settings(f"sqlite:///{path}", tmp_path / "server")
    with TestClient(create_app(settings, start_pipeline=False)) as client:
        client.headers["Authorization"] = f"Bearer {owner_token(client)}"
        assert client.get("/api/stores").status_code == 200  # records this token's first use
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            assert client.get("/api/stores").status_code == 200
            assert time.monotonic() - started < 2.0  # SQLite's busy timeout is longer: nothing waited
        finally:
            holder.execute("ROLLBACK")
            holder.close()
