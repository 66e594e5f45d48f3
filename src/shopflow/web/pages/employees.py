"""Employees ("Funcionários"): the store's staff, their consent (and its withdrawal), face photos one at a time,
LGPD erasure, and the store's uniform (web/uniform.py); a link to attendance (pages/attendance.py) for those
allowed to read it.

Every action goes through services/staff.StaffService as the signed-in user, so the page and the API share each
rule. The list is read once per visit (each read of it is audited); an action redraws only its employee's card.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import cv2
from nicegui import events, ui

from shopflow.services.access import AccessDeniedError
from shopflow.services.staff import EnrolmentRefusedError, StaffInputError, StaffService
from shopflow.storage.errors import AlreadyExistsError, StorageError
from shopflow.storage.records import CameraRecord, StoreRecord, UserRecord
from shopflow.storage.repositories.staff_registry import MAX_FACES, ConsentMethod, EmployeeProfile
from shopflow.vision.faces import FaceError, FaceProblem, PhotoRules
from shopflow.web.auth import can_handle_staff, can_see_attendance, require_caller
from shopflow.web.cameras import camera_service
from shopflow.web.context import runtime
from shopflow.web.guard import member_page
from shopflow.web.i18n import fmt_datetime, t
from shopflow.web.layout import banner, error_toast, named_dialog, page_title
from shopflow.web.pages.cameras import failure
from shopflow.web.uniform import PICTURE_WAIT_SECONDS as CAMERA_PICTURE_SECONDS
from shopflow.web.uniform import UniformCard

# The longest each field may be, as the registry keeps them: the form cannot send more.
MAX_LENGTH = {"name": 200, "code": 64, "department": 100, "position": 100, "recorded_by": 200, "version": 50}
PHOTO_RULES = PhotoRules()
ATTENDANCE_PATH = "/employees/attendance"  # pages/attendance.py, under Funcionários in the header


def staff_service() -> StaffService:
    """The service as whoever this page's browser is signed in as; call it in the event loop, before a thread."""
    return StaffService(runtime().database, require_caller())


def problem_text(problem: FaceProblem) -> str:
    """Why a photo cannot enrol a face, in the reader's language (the API says it with a 4xx and `problem`)."""
    return t(
        f"face_problem_{problem.value}",
        mb=PHOTO_RULES.max_bytes // (1024 * 1024),
        megapixels=PHOTO_RULES.max_pixels // 1_000_000,
        px=PHOTO_RULES.min_face_px,
    )


def _text_input(caption: str, limit: int, marker: str, value: str = "") -> ui.input:
    return ui.input(caption, value=value).props(f"outlined dense maxlength={limit}").mark(marker)


class EmployeeCard:
    """One employee with their actions; `show` redraws it after a change."""

    def __init__(
        self,
        profile: EmployeeProfile,
        store: StoreRecord,
        user: UserRecord,
        cameras: Sequence[CameraRecord] = (),
    ) -> None:
        self.store = store
        self.user = user
        # Cameras whose current picture can enrol a face (the employee standing alone in front of one).
        self.cameras = [camera for camera in cameras if camera.enabled]
        self.card = ui.card().classes("w-full gap-2").mark(f"employee-{profile.id}")
        self.profile = profile
        self.show(profile)

    def show(self, profile: EmployeeProfile) -> None:
        self.profile = profile
        self.card.clear()
        with self.card:
            if profile.erased_at is not None:
                when = fmt_datetime(profile.erased_at, self.store.timezone)
                ui.label(t("erased_record", when=when)).classes("text-slate-700").mark("employee-erased")
                return
            self._details(profile)
            self._actions(profile)

    def _details(self, profile: EmployeeProfile) -> None:
        with ui.row().classes("w-full items-center gap-3 flex-wrap"):
            ui.label(profile.name).classes("text-lg font-semibold").mark("employee-name-shown")
            ui.badge(profile.code or "", color="blue-grey-7").mark("employee-code-shown")
            if not profile.active:
                ui.badge(t("inactive"), color="grey-7")
            ui.space()
            ui.switch(t("active"), value=profile.active, on_change=lambda e: self._set_active(bool(e.value))).mark(
                "employee-active"
            )
        with ui.row().classes("w-full gap-6 text-sm text-slate-700 flex-wrap"):
            ui.label(f"{t('department')}: {profile.department or '—'}")
            ui.label(f"{t('position')}: {profile.position or '—'}")
            ui.label(t("faces_count", n=profile.faces, max=MAX_FACES)).mark("employee-faces")
        consent = profile.consent
        if consent is None:
            ui.label(t("no_consent")).classes("text-sm font-medium").mark("employee-consent-shown")
        else:
            ui.label(
                t(
                    "consent_summary",
                    method=t(f"consent_method_{consent.method.value}"),
                    version=consent.text_version,
                    by=consent.recorded_by,
                    when=fmt_datetime(consent.at, self.store.timezone),
                )
            ).classes("text-sm").mark("employee-consent-shown")

    def _actions(self, profile: EmployeeProfile) -> None:
        consent = profile.consent
        if consent is not None and consent.method is ConsentMethod.FACE:
            if profile.faces < MAX_FACES:
                ui.label(t("photo_help")).classes("text-sm text-slate-700")
                ui.upload(
                    label=t("upload_photo"),
                    auto_upload=True,
                    max_files=1,
                    max_file_size=PHOTO_RULES.max_bytes,
                    on_upload=self._enrol,
                    on_rejected=lambda: self._photo_refused(problem_text(FaceProblem.TOO_LARGE)),
                ).props('accept="image/jpeg,image/png" flat bordered').classes("max-w-sm").mark("employee-photo")
                if self.cameras:
                    with ui.row().classes("items-center gap-2 flex-wrap"):
                        options = {camera.id: camera.name for camera in self.cameras}
                        self.face_camera = (
                            ui.select(options, value=self.cameras[0].id, label=t("face_from_camera_pick"))
                            .props("outlined dense")
                            .classes("min-w-[12rem]")
                            .mark("employee-face-camera")
                        )
                        ui.button(t("face_from_camera"), icon="photo_camera", on_click=self._enrol_from_camera).props(
                            "flat no-caps"
                        ).mark("employee-face-from-camera")
                    ui.label(t("face_from_camera_help")).classes("text-sm text-slate-700")
            else:
                ui.label(t("photos_full", max=MAX_FACES)).classes("text-sm text-slate-700")
        else:
            ui.label(t("photo_needs_consent")).classes("text-sm text-slate-700")
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button(t("record_consent"), icon="how_to_reg", on_click=self._consent_dialog).props("flat no-caps").mark(
                "employee-consent"
            )
            if consent is not None and consent.method is ConsentMethod.FACE:
                ui.button(t("withdraw_consent"), icon="no_accounts", on_click=self._withdraw_dialog).props(
                    "flat no-caps"
                ).mark("employee-withdraw")
            ui.button(t("erase"), icon="delete_forever", on_click=self._erase_dialog).props(
                "flat no-caps color=negative"
            ).mark("employee-erase")

    # --- actions ----------------------------------------------------------------------------------------------

    async def _set_active(self, active: bool) -> None:
        if active == self.profile.active:
            return
        service = staff_service()
        try:
            profile = await asyncio.to_thread(service.set_active, self.profile.id, active)
        except (StorageError, AccessDeniedError) as error:
            failure(t("save"), error)
            return
        self.show(profile)
        ui.notify(t("employee_activated") if active else t("employee_deactivated"), type="positive")

    def _consent_dialog(self) -> None:
        with (
            named_dialog(t("record_consent")) as dialog,
            ui.card().classes("gap-3 min-w-[22rem]").mark("consent-dialog"),
        ):
            ui.label(t("record_consent")).classes("text-lg font-semibold")
            method = (
                ui.select(
                    {m.value: t(f"consent_method_{m.value}") for m in ConsentMethod},
                    value=ConsentMethod.FACE.value,
                    label=t("consent_method"),
                )
                .props("outlined dense")
                .classes("w-full")
                .mark("consent-method")
            )
            ui.label(t("consent_no_biometrics_note")).classes("text-sm text-slate-700")
            version = _text_input(t("consent_version"), MAX_LENGTH["version"], "consent-version").classes("w-full")
            recorded_by = _text_input(
                t("consent_recorded_by"), MAX_LENGTH["recorded_by"], "consent-recorded-by", self.user.email
            ).classes("w-full")

            async def save() -> None:
                if not str(version.value or "").strip():
                    ui.notify(t("consent_needs_version"), type="warning")
                    return
                if not str(recorded_by.value or "").strip():
                    ui.notify(t("consent_needs_recorder"), type="warning")
                    return
                service = staff_service()
                try:
                    profile = await asyncio.to_thread(
                        lambda: service.record_consent(
                            self.profile.id,
                            recorded_by=str(recorded_by.value),
                            text_version=str(version.value),
                            method=ConsentMethod(str(method.value)),
                        )
                    )
                except (StorageError, StaffInputError, AccessDeniedError) as error:
                    failure(t("save"), error)
                    return
                dialog.close()
                self.show(profile)
                ui.notify(t("consent_recorded"), type="positive")

            with ui.row().classes("w-full justify-end"):
                ui.button(t("cancel"), on_click=dialog.close).props("flat no-caps")
                ui.button(t("save"), icon="save", on_click=save).props("no-caps").mark("save-consent")
        dialog.open()

    async def _enrol(self, event: events.UploadEventArguments) -> None:
        if event.file.size() > PHOTO_RULES.max_bytes:  # refused before it is read into memory
            self._photo_refused(problem_text(FaceProblem.TOO_LARGE))
            return
        await self._enrol_photo(await event.file.read())

    async def _enrol_from_camera(self) -> None:
        """The camera's next frame, as it came, enrolled like an uploaded photo: it must hold exactly one face,
        large and sharp enough. The frame is held in memory only while it is checked."""
        camera_id = int(self.face_camera.value)
        name = next((camera.name for camera in self.cameras if camera.id == camera_id), str(camera_id))
        frame = await asyncio.to_thread(runtime().hub.raw_frame, camera_id, CAMERA_PICTURE_SECONDS)
        if frame is None:
            self._photo_refused(t("face_from_camera_none", name=name))
            return
        ok, encoded = cv2.imencode(".jpg", frame.image, [int(cv2.IMWRITE_JPEG_QUALITY), 95])
        if not ok:
            self._photo_refused(problem_text(FaceProblem.NOT_AN_IMAGE))
            return
        await self._enrol_photo(encoded.tobytes())

    async def _enrol_photo(self, data: bytes) -> None:
        service = staff_service()
        try:
            profile = await asyncio.to_thread(service.enrol_face, self.profile.id, data)
        except FaceError as error:
            self._photo_refused(problem_text(error.problem))
            return
        except EnrolmentRefusedError as error:
            self._photo_refused(t(f"enrol_refused_{error.reason.value}", max=MAX_FACES))
            return
        except (StorageError, AccessDeniedError) as error:
            failure(t("upload_photo"), error)
            return
        self.show(profile)
        ui.notify(t("face_enrolled", n=profile.faces, max=MAX_FACES), type="positive")

    def _photo_refused(self, reason: str) -> None:
        error_toast(t("photo_refused", reason=reason))

    def _erase_dialog(self) -> None:
        name = self.profile.name
        with (
            named_dialog(t("erase_question", name=name)) as dialog,
            ui.card().classes("gap-3 max-w-xl").mark("erase-dialog"),
        ):
            ui.label(t("erase_question", name=name)).classes("text-lg font-semibold")
            ui.label(t("erase_what")).classes("text-slate-700")

            async def confirm() -> None:
                dialog.close()
                service = staff_service()
                try:
                    profile = await asyncio.to_thread(service.erase, self.profile.id)
                except (StorageError, AccessDeniedError) as error:
                    failure(t("erase"), error)
                    return
                self.show(profile)
                ui.notify(t("employee_erased", name=name), type="positive")

            with ui.row().classes("w-full justify-end"):
                ui.button(t("cancel"), on_click=dialog.close).props("flat no-caps")
                ui.button(t("erase_confirm"), on_click=confirm).props("no-caps color=negative").mark("confirm-erase")
        dialog.open()

    def _withdraw_dialog(self) -> None:
        name = self.profile.name
        with (
            named_dialog(t("withdraw_question", name=name)) as dialog,
            ui.card().classes("gap-3 max-w-xl").mark("withdraw-dialog"),
        ):
            ui.label(t("withdraw_question", name=name)).classes("text-lg font-semibold")
            ui.label(t("withdraw_what")).classes("text-slate-700")

            async def confirm() -> None:
                dialog.close()
                service = staff_service()
                try:
                    profile = await asyncio.to_thread(service.withdraw_consent, self.profile.id)
                except (StorageError, AccessDeniedError) as error:
                    failure(t("withdraw_consent"), error)
                    return
                self.show(profile)
                ui.notify(t("consent_withdrawn", name=name), type="positive")

            with ui.row().classes("w-full justify-end"):
                ui.button(t("cancel"), on_click=dialog.close).props("flat no-caps")
                ui.button(t("withdraw_confirm"), on_click=confirm).props("no-caps color=negative").mark(
                    "confirm-withdraw"
                )
        dialog.open()


def _new_employee_form(
    store: StoreRecord, user: UserRecord, listing: ui.column, empty: ui.element, cameras: Sequence[CameraRecord] = ()
) -> None:
    with ui.card().classes("w-full gap-2"):
        ui.label(t("new_employee")).classes("text-lg font-semibold")
        with ui.row().classes("w-full items-start gap-3 flex-wrap"):
            name = _text_input(t("employee_name"), MAX_LENGTH["name"], "employee-name").classes("w-64")
            code = _text_input(t("employee_code"), MAX_LENGTH["code"], "employee-code").classes("w-40")
            department = _text_input(t("department"), MAX_LENGTH["department"], "employee-department").classes("w-48")
            position = _text_input(t("position"), MAX_LENGTH["position"], "employee-position").classes("w-48")

        async def add() -> None:
            given = {field: str(box.value or "").strip() for field, box in (("name", name), ("code", code))}
            if not given["name"]:
                ui.notify(t("employee_needs_name"), type="warning")
                return
            if not given["code"]:
                ui.notify(t("employee_needs_code"), type="warning")
                return
            service = staff_service()
            try:
                profile = await asyncio.to_thread(
                    lambda: service.create(
                        store.id,
                        given["name"],
                        given["code"],
                        department=str(department.value or ""),
                        position=str(position.value or ""),
                    )
                )
            except AlreadyExistsError:
                error_toast(t("employee_code_taken", code=given["code"]))
                return
            except (StorageError, StaffInputError, AccessDeniedError) as error:
                failure(t("create"), error)
                return
            for box in (name, code, department, position):
                box.set_value("")
            empty.set_visibility(False)
            with listing:
                EmployeeCard(profile, store, user, cameras)
            ui.notify(t("employee_added", name=profile.name), type="positive")

        ui.button(t("add_employee"), icon="person_add", on_click=add).props("no-caps").mark("add-employee")


def _to_attendance() -> None:
    ui.navigate.to(ATTENDANCE_PATH)


def add_page() -> None:
    @member_page("/employees", nav="/employees", allow=can_handle_staff)
    async def employees_page(user: UserRecord, store: StoreRecord | None) -> None:
        with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4"):
            page_title(t("nav_employees"))
            if store is None:
                ui.label(t("no_store"))
                return
            ui.label(t("employees_help")).classes("text-sm text-slate-700")
            if can_see_attendance(user):
                ui.button(t("attendance_title"), icon="event_available", on_click=_to_attendance).props(
                    "outline no-caps"
                ).mark("to-attendance")
            cameras = camera_service(runtime())
            store_cameras_list = await asyncio.to_thread(cameras.list, store.id)
            uniform = UniformCard(store, store_cameras_list)
            await uniform.load()
            service = staff_service()
            try:
                profiles = await asyncio.to_thread(service.list, store.id)
            except (StorageError, AccessDeniedError):
                banner(t("not_allowed"), kind="error")
                return
            form = ui.column().classes("w-full")  # above the list, filled once the list exists
            listing = ui.column().classes("w-full gap-3")
            with listing:
                empty = banner(t("no_employees_yet"), kind="info").mark("no-employees")
                empty.set_visibility(not profiles)
                for profile in profiles:
                    EmployeeCard(profile, store, user, store_cameras_list)
            with form:
                _new_employee_form(store, user, listing, empty, store_cameras_list)
