"""The one gate in front of every dashboard page: who may see it, and the frame around it.

`member_page` registers a page like `ui.page` does; the body runs only for a signed-in user whose role the page
allows, and gets that user and the store to show (None: no store yet) before the page's own path parameters.
Anyone not signed in is sent to the sign-in page; a signed-in user the page does not allow gets a plain "not
allowed" message. Roles are a predicate on the user, so a new role needs no change here.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from shopflow.storage.records import StoreRecord, UserRecord
from shopflow.web.auth import signed_in_user
from shopflow.web.i18n import t
from shopflow.web.layout import banner, frame

PageBody = Callable[..., Awaitable[None]]
RoleCheck = Callable[[UserRecord], bool]


def everyone(_user: UserRecord) -> bool:
    return True


def member_page(path: str, *, nav: str, allow: RoleCheck = everyone) -> Callable[[PageBody], PageBody]:
    """Register `body(user, store, **path_params)` at `path`, highlighted as `nav` in the header."""

    def register(body: PageBody) -> PageBody:
        async def page(**params: Any) -> None:
            user = signed_in_user()
            if user is None:
                ui.navigate.to("/login")
                return
            store: StoreRecord | None = frame(user, nav)
            if not allow(user):
                banner(t("not_allowed"), kind="error")
                return
            await body(user, store, **params)

        # FastAPI reads the path parameters from the signature: the body's, without the user and the store.
        signature = inspect.signature(body)
        page.__signature__ = signature.replace(parameters=list(signature.parameters.values())[2:])  # type: ignore[attr-defined]
        page.__name__ = body.__name__
        ui.page(path)(page)
        return body

    return register
