"""ShopFlow's REST API: routers that translate HTTP into service calls, and the error answers."""

from __future__ import annotations

from fastapi import FastAPI

from shopflow.api.errors import install_error_handlers
from shopflow.api.openapi import install_openapi
from shopflow.api.routers import (
    analytics,
    api_keys,
    auth,
    cameras,
    employees,
    events,
    health,
    realtime,
    staff_rules,
    stores,
    users,
)


def add_api(app: FastAPI) -> None:
    """The REST API's routes and error answers on `app`; its lifespan must set `app.state.runtime`."""
    install_error_handlers(app)
    routers = (health, auth, stores, cameras, employees, staff_rules, events, realtime, analytics, users, api_keys)
    for router in (module.router for module in routers):
        app.include_router(router)
    app.include_router(auth.signed_in)
    install_openapi(app)


__all__ = ["add_api"]
