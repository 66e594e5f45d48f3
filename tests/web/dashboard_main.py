"""The app NiceGUI's `user` fixture runs (pyproject's `main_file`): the dashboard's pages on a test database.

The fixture executes this file for every test; tests/web/pages/conftest.py has put the database's URL in the
environment first. The runtime is the server's own, without camera workers.
"""

from __future__ import annotations

import os
from pathlib import Path

from nicegui import app, ui

from shopflow.config.settings import Settings
from shopflow.server.runtime import ServerRuntime
from shopflow.services.context import ServerContext
from shopflow.storage.db import Database
from shopflow.web.context import set_runtime_provider
from shopflow.web.dashboard import register_pages
from tests.web.env_names import DATA_DIR_ENV, DATABASE_URL_ENV

settings = Settings(  # type: ignore[call-arg]
    _env_file=None,
    database_url=os.environ[DATABASE_URL_ENV],
    data_dir=Path(os.environ[DATA_DIR_ENV]),
    yolo_imgsz=320,
)
database = Database.from_url(settings.resolved_database_url)
runtime: ServerContext = ServerRuntime(settings, database, start_pipeline=False)
set_runtime_provider(lambda: runtime)
register_pages()
app.on_shutdown(database.dispose)

if "NICEGUI_USER_SIMULATION" in os.environ:
    ui.run(storage_secret=settings.resolved_session_secret(), show_welcome_message=False)
