"""/api/auth: a bearer token for an API client, who am I, password change, signing out (here or everywhere)."""

from __future__ import annotations

from datetime import datetime

import anyio
from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from shopflow.api.errors import InvalidInputError, TooManyRequestsError
from shopflow.api.security import AccountsDep, CallerDep, NotSignedInError, bearer_token, get_caller
from shopflow.config.credentials import MAX_PASSWORD_LENGTH, PasswordError
from shopflow.services.accounts import SESSION_COOKIE, TooManyAttemptsError
from shopflow.storage.records import SessionKind

router = APIRouter(prefix="/api/auth", tags=["auth"])
signed_in = APIRouter(prefix="/api/auth", tags=["auth"], dependencies=[Depends(get_caller)])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class TokenOut(BaseModel):
    access_token: str = Field(description="send as 'Authorization: Bearer <access_token>'; shown once")
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds until it stops working")


class MeOut(BaseModel):
    label: str
    user_id: int | None
    role: str | None
    organisation_id: int | None
    stores: list[int] | None = Field(description="the stores granted; null: every store of the organisation")
    permissions: list[str]


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    new_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class SignedOutOut(BaseModel):
    sessions_ended: int
    at: datetime


@router.post(
    "/token",
    response_model=TokenOut,
    responses={401: {"description": "wrong e-mail or password"}, 429: {"description": "too many failed attempts"}},
)
async def issue_token(body: Credentials, request: Request, accounts: AccountsDep) -> TokenOut:
    """Trade an e-mail and password for a bearer token that lasts SESSION_HOURS."""
    address = request.client.host if request.client else None
    try:
        user = await anyio.to_thread.run_sync(accounts.authenticate, body.email, body.password, address)
    except TooManyAttemptsError as error:
        raise TooManyRequestsError(str(error), error.retry_after) from None
    if user is None:
        raise NotSignedInError("wrong e-mail or password")
    made = await anyio.to_thread.run_sync(accounts.start_session, user, SessionKind.TOKEN)
    return TokenOut(access_token=made.token, expires_in=int(accounts.session_lifetime.total_seconds()))


@signed_in.get("/me", response_model=MeOut)
def me(caller: CallerDep) -> MeOut:
    return MeOut(
        label=caller.label,
        user_id=caller.user_id,
        role=None if caller.role is None else caller.role.value,
        organisation_id=caller.organisation_id,
        stores=None if caller.stores is None else sorted(caller.stores),
        permissions=sorted(permission.value for permission in caller.permissions),
    )


@signed_in.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, accounts: AccountsDep) -> Response:
    """End the token (or cookie session) this request was made with."""
    token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@signed_in.post("/logout-everywhere", response_model=SignedOutOut)
def logout_everywhere(caller: CallerDep, accounts: AccountsDep) -> SignedOutOut:
    """End every session and token of the signed-in user, this one included."""
    if caller.user_id is None:
        raise InvalidInputError("only a signed-in user has sessions; revoke an API key instead")
    ended = accounts.end_all_sessions(caller, caller.user_id)
    return SignedOutOut(sessions_ended=ended, at=datetime.now().astimezone())


@signed_in.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChange, caller: CallerDep, accounts: AccountsDep) -> Response:
    """Change your own password; your other sessions end."""
    try:
        accounts.change_password(caller, body.current_password, body.new_password)
    except PasswordError as error:
        raise InvalidInputError(str(error)) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)
