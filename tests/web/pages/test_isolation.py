"""The dashboard shows a signed-in user only their organisation's stores: another organisation's store is not in
the store picker, and its camera's page says the camera does not exist."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from shopflow.storage.db import Database
from shopflow.storage.repositories import CameraRepository, StoreRepository

from .conftest import RETRIES, add_store, add_user, sign_in


async def test_another_organisations_store_and_camera_stay_out_of_sight(user: User, database: Database) -> None:
    add_user(database)
    add_store(database, name="Loja Nossa")
    add_store(database, name="Loja Segunda")  # two stores of our own: the picker shows
    with database.session() as session:
        stores = StoreRepository(session)
        theirs = stores.create(stores.create_organisation("Concorrente").id, "Loja Deles")
        camera = CameraRepository(session).create(theirs.id, "Porta Deles", "rtsp://10.0.0.40/s")
    await sign_in(user)
    await user.should_see(marker="store-picker", retries=RETRIES)
    [picker] = user.find(marker="store-picker").elements
    assert isinstance(picker, ui.select)
    options = picker.options.values() if isinstance(picker.options, dict) else picker.options
    assert sorted(str(option) for option in options) == ["Loja Nossa", "Loja Segunda"]
    await user.open(f"/cameras/{camera.id}")
    await user.should_see(f"A câmera {camera.id} não existe.", retries=RETRIES)
    await user.should_not_see("Porta Deles")
