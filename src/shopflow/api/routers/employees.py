"""Employees: the registry, consent, face enrolment from 1 to 5 photos, and LGPD erasure.

The rules live in services/staff.py; this module only translates HTTP. A photo is read, checked (exactly one
face, large and sharp enough) and turned into an embedding; the photo itself is never stored. Each bad photo
gets its own 4xx with what to fix and a `problem` code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from shopflow.api.deps import DatabaseDep
from shopflow.api.errors import ConflictError, InvalidInputError
from shopflow.api.params import EmployeeIdPath, FaceIdPath, StoreIdPath
from shopflow.api.schemas.text import Name, PlainText
from shopflow.api.security import CallerDep, get_caller
from shopflow.services.staff import EnrolmentRefusedError, StaffInputError, StaffService
from shopflow.storage.repositories.staff_registry import ConsentMethod, EmployeeProfile
from shopflow.vision.faces import FaceError, FaceProblem

router = APIRouter(tags=["employees"], dependencies=[Depends(get_caller)])

# Each problem with a photo, as an HTTP status: the client can tell a wrong file from a wrong photo.
PROBLEM_STATUS = {
    FaceProblem.NOT_AN_IMAGE: 415,
    FaceProblem.TOO_LARGE: 413,
    FaceProblem.NO_FACE: 422,
    FaceProblem.SEVERAL_FACES: 422,
    FaceProblem.TOO_SMALL: 422,
    FaceProblem.TOO_BLURRED: 422,
    FaceProblem.UNAVAILABLE: 503,
}


class EmployeeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    employee_id: PlainText = Field(min_length=1, max_length=64, description="the store's own id, unique in the store")
    department: PlainText = Field(default="", max_length=100)
    position: PlainText = Field(default="", max_length=100)
    active: bool = True


class EmployeeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recorded_by: PlainText = Field(min_length=1, max_length=200, description="who recorded the consent")
    text_version: PlainText = Field(min_length=1, max_length=50, description="version of the consent text agreed to")
    method: ConsentMethod = Field(description="face (face recognition) or no_biometrics (uniform and zones only)")


class ActorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: PlainText | None = Field(
        None, min_length=1, max_length=200, description="on whose behalf, for the audit log (the caller is logged)"
    )


class ConsentOut(BaseModel):
    at: datetime
    recorded_by: str
    text_version: str
    method: ConsentMethod


class EmployeeOut(BaseModel):
    id: int
    store_id: int
    employee_id: str | None
    name: str
    department: str
    position: str
    active: bool
    consent: ConsentOut | None
    faces: int
    erased_at: datetime | None

    @classmethod
    def of(cls, profile: EmployeeProfile) -> EmployeeOut:
        consent = profile.consent
        return cls(
            id=profile.id,
            store_id=profile.store_id,
            employee_id=profile.code,
            name=profile.name,
            department=profile.department,
            position=profile.position,
            active=profile.active,
            consent=None
            if consent is None
            else ConsentOut(
                at=consent.at, recorded_by=consent.recorded_by, text_version=consent.text_version, method=consent.method
            ),
            faces=profile.faces,
            erased_at=profile.erased_at,
        )


def get_staff_service(database: DatabaseDep, caller: CallerDep) -> StaffService:
    return StaffService(database, caller)


StaffServiceDep = Annotated[StaffService, Depends(get_staff_service)]


@router.post(
    "/api/stores/{store_id}/employees",
    status_code=201,
    response_model=EmployeeOut,
    responses={409: {"description": "the store already has an employee with this employee_id"}},
)
def create_employee(store_id: StoreIdPath, body: EmployeeIn, staff: StaffServiceDep) -> EmployeeOut:
    try:
        profile = staff.create(
            store_id,
            body.name,
            body.employee_id,
            department=body.department,
            position=body.position,
            active=body.active,
        )
    except StaffInputError as error:
        raise InvalidInputError(str(error)) from None
    return EmployeeOut.of(profile)


@router.get("/api/stores/{store_id}/employees", response_model=list[EmployeeOut])
def list_employees(store_id: StoreIdPath, staff: StaffServiceDep) -> list[EmployeeOut]:
    return [EmployeeOut.of(profile) for profile in staff.list(store_id)]


@router.patch("/api/employees/{employee_id}", response_model=EmployeeOut)
def update_employee(employee_id: EmployeeIdPath, body: EmployeeUpdate, staff: StaffServiceDep) -> EmployeeOut:
    return EmployeeOut.of(staff.set_active(employee_id, body.active))


@router.post("/api/employees/{employee_id}/consent", response_model=EmployeeOut)
def record_consent(employee_id: EmployeeIdPath, body: ConsentIn, staff: StaffServiceDep) -> EmployeeOut:
    try:
        profile = staff.record_consent(
            employee_id, recorded_by=body.recorded_by, text_version=body.text_version, method=body.method
        )
    except StaffInputError as error:
        raise InvalidInputError(str(error)) from None
    return EmployeeOut.of(profile)


@router.post(
    "/api/employees/{employee_id}/faces",
    response_model=EmployeeOut,
    status_code=201,
    responses={
        409: {"description": "no consent to face recognition, or already five photos"},
        413: {"description": "the photo is too large"},
        415: {"description": "not a JPEG or PNG image"},
        422: {"description": "no face, several faces, or a face too small or blurred"},
    },
)
def enrol_face(
    employee_id: EmployeeIdPath,
    photo: Annotated[UploadFile, File(description="a JPEG or PNG photo with the employee's face alone")],
    staff: StaffServiceDep,
    actor: Annotated[
        PlainText | None, Query(min_length=1, max_length=200, description="on whose behalf, for the audit log")
    ] = None,
) -> EmployeeOut | JSONResponse:
    try:
        # The service reads the upload only once the employee may take a face (404 and 409 come first).
        profile = staff.enrol_face(employee_id, photo.file, on_behalf_of=actor)
    except EnrolmentRefusedError as error:
        raise ConflictError(str(error)) from None
    except FaceError as error:
        return JSONResponse(
            status_code=PROBLEM_STATUS[error.problem], content={"detail": str(error), "problem": str(error.problem)}
        )
    return EmployeeOut.of(profile)


class EnrolledFaceOut(BaseModel):
    id: int
    embedder: str
    created_at: datetime
    photo_kept: bool = Field(description="the enrolment photo is kept (the store keeps enrolment photos)")


@router.get("/api/employees/{employee_id}/faces", response_model=list[EnrolledFaceOut])
def list_faces(employee_id: EmployeeIdPath, staff: StaffServiceDep) -> list[EnrolledFaceOut]:
    return [
        EnrolledFaceOut(id=f.id, embedder=f.embedder, created_at=f.created_at, photo_kept=f.photo_kept)
        for f in staff.faces(employee_id)
    ]


@router.get(
    "/api/employees/{employee_id}/faces/{face_id}/photo",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "the kept enrolment photo"}},
)
def face_photo(employee_id: EmployeeIdPath, face_id: FaceIdPath, staff: StaffServiceDep) -> Response:
    """A kept enrolment photo (404 when the store does not keep them); each look is written to the audit log."""
    data = staff.photo(employee_id, face_id)
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return Response(content=data, media_type=kind, headers={"Cache-Control": "no-store"})


@router.delete("/api/employees/{employee_id}/consent", response_model=EmployeeOut)
def withdraw_consent(employee_id: EmployeeIdPath, staff: StaffServiceDep) -> EmployeeOut:
    """The employee withdrew their consent to face recognition: their face embeddings are deleted at once (and
    audited); the uniform and the staff zones still tell them apart from customers."""
    return EmployeeOut.of(staff.withdraw_consent(employee_id))


@router.post("/api/employees/{employee_id}/erase", response_model=EmployeeOut)
def erase_employee(employee_id: EmployeeIdPath, body: ActorIn, staff: StaffServiceDep) -> EmployeeOut:
    """LGPD erasure: deletes the face embeddings, blanks the personal fields, and records it in the audit log."""
    return EmployeeOut.of(staff.erase(employee_id, on_behalf_of=body.actor))
