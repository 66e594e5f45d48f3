"""FastAPI dependencies as Annotated aliases: `def endpoint(session: SessionDep, settings: SettingsDep)`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import BackgroundTasks, Depends
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from shopflow.config.settings import Settings
from shopflow.pipeline.live_hub import LiveHub
from shopflow.services.cameras import CameraService
from shopflow.services.context import ServerContext
from shopflow.services.realtime import RealtimeBroker
from shopflow.services.source_policy import SourcePolicy
from shopflow.storage.db import Database


def get_runtime(connection: HTTPConnection) -> ServerContext:
    runtime: ServerContext = connection.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServerContext, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


def get_database(runtime: RuntimeDep) -> Database:
    return runtime.database


def get_live_hub(runtime: RuntimeDep) -> LiveHub:
    return runtime.hub


def get_broker(runtime: RuntimeDep) -> RealtimeBroker:
    return runtime.broker


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
LiveHubDep = Annotated[LiveHub, Depends(get_live_hub)]
BrokerDep = Annotated[RealtimeBroker, Depends(get_broker)]


READ_METHODS = frozenset({"GET", "HEAD"})


def get_session(connection: HTTPConnection, database: DatabaseDep) -> Iterator[Session]:
    """One session (one transaction) per request: committed when the endpoint returns, rolled back if it raises.

    GET and HEAD only read, so they get a read-only session: on SQLite it never queues for the write lock.
    """
    method = connection.scope.get("method", "GET")
    with database.read_session() if method in READ_METHODS else database.session() as session:
        yield session


# scope="function": the commit happens before the response is sent, so a failed commit is an error answer and a
# client that reads right after a write sees it.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_camera_service(runtime: RuntimeDep, tasks: BackgroundTasks) -> CameraService:
    # The workers are re-synced after the answer is sent: a request never waits for cameras to restart.
    return CameraService(
        runtime.database,
        default_imgsz=runtime.settings.yolo_imgsz,
        after_change=lambda: tasks.add_task(runtime.resync),
        policy=SourcePolicy.from_settings(runtime.settings),
    )


CameraServiceDep = Annotated[CameraService, Depends(get_camera_service)]
