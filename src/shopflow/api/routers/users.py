"""/api/users (owners): the organisation's users, their roles and stores, password resets; /api/audit: the log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from shopflow.api.errors import InvalidInputError
from shopflow.api.params import DATE_RANGE, Instant
from shopflow.api.schemas.text import PlainText
from shopflow.api.security import AccountsDep, CallerDep, SessionDep, get_caller
from shopflow.config.credentials import MAX_PASSWORD_LENGTH, PasswordError
from shopflow.services.access import Permission
from shopflow.storage.records import Language, UserRecord, UserRole
from shopflow.storage.repositories import AuditRepository

router = APIRouter(tags=["users"], dependencies=[Depends(get_caller)])

StoreIds = Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(max_length=1000)]


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    role: UserRole = UserRole.VIEWER
    language: Language = Language.PT_BR
    stores: StoreIds = Field(default_factory=list, description="the stores a manager or viewer may see")


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: UserRole | None = None
    stores: StoreIds | None = None
    active: bool | None = Field(None, description="false: the user can no longer sign in; their sessions end")
    language: Language | None = None


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class UserOut(BaseModel):
    id: int
    email: str
    role: UserRole
    language: Language
    active: bool
    stores: list[int] = Field(description="stores granted; an owner sees every store of the organisation")
    created_at: datetime

    @classmethod
    def of(cls, user: UserRecord) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            role=user.role,
            language=user.language,
            active=user.active,
            stores=sorted(user.store_ids),
            created_at=user.created_at,
        )


class AuditOut(BaseModel):
    id: int
    at: datetime
    store_id: int | None
    actor: str
    action: str
    subject: str
    detail: str


UserId = Annotated[int, Field(ge=1, le=2**31 - 1)]


@router.get("/api/users", response_model=list[UserOut])
def list_users(caller: CallerDep, accounts: AccountsDep) -> list[UserOut]:
    return [UserOut.of(user) for user in accounts.list_users(caller)]


@router.post("/api/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(body: UserIn, caller: CallerDep, accounts: AccountsDep) -> UserOut:
    try:
        user = accounts.create_user(
            caller, body.email, body.password, body.role, language=body.language, store_ids=body.stores
        )
    except (PasswordError, ValueError) as error:
        raise InvalidInputError(str(error)) from None
    return UserOut.of(user)


@router.patch("/api/users/{user_id}", response_model=UserOut)
def update_user(user_id: UserId, body: UserUpdate, caller: CallerDep, accounts: AccountsDep) -> UserOut:
    try:
        user = accounts.update_user(
            caller, user_id, role=body.role, store_ids=body.stores, active=body.active, language=body.language
        )
    except ValueError as error:
        raise InvalidInputError(str(error)) from None
    return UserOut.of(user)


@router.delete("/api/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: UserId, caller: CallerDep, accounts: AccountsDep) -> Response:
    try:
        accounts.delete_user(caller, user_id)
    except ValueError as error:
        raise InvalidInputError(str(error)) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/api/users/{user_id}/password", status_code=status.HTTP_204_NO_CONTENT)
def reset_password(user_id: UserId, body: PasswordReset, caller: CallerDep, accounts: AccountsDep) -> Response:
    """An owner sets a new password for a user of the organisation; every session of that user ends."""
    try:
        accounts.reset_password(caller, user_id, body.new_password)
    except PasswordError as error:
        raise InvalidInputError(str(error)) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/api/users/{user_id}/logout-everywhere", status_code=status.HTTP_204_NO_CONTENT)
def sign_out_user(user_id: UserId, caller: CallerDep, accounts: AccountsDep) -> Response:
    accounts.end_all_sessions(caller, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/audit", response_model=list[AuditOut])
def audit_log(
    session: SessionDep,
    caller: CallerDep,
    since: Annotated[Instant | None, Query(description=f"from this time on, with its zone; {DATE_RANGE}")] = None,
    until: Annotated[Instant | None, Query(description=f"before this time, with its zone; {DATE_RANGE}")] = None,
    # Plain text: PostgreSQL refuses a NUL in a text parameter, and the schema fuzzer sent one (a 500 before).
    action: Annotated[
        PlainText | None, Query(max_length=50, description="only this action, e.g. sign_in_failed")
    ] = None,
    before_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="the next page: the last id seen")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditOut]:
    """The organisation's audit log, newest first (owners only): sign-ins, user, role and key changes, employee
    consent, enrolment, reads and erasure, exports."""
    caller.require(Permission.ADMIN)
    if caller.organisation_id is None:
        return []
    entries = AuditRepository(session).list(
        caller.organisation_id, since=since, until=until, action=action, limit=limit, before_id=before_id
    )
    return [AuditOut(**{field: getattr(entry, field) for field in AuditOut.model_fields}) for entry in entries]
