"""Employees: the registry, consent, face enrolment from 1 to 5 photos, and LGPD erasure.

A photo is read, checked (exactly one face, large and sharp enough) and turned into an embedding; the photo itself
is never stored. Each bad photo gets its own 4xx with what to fix and a `problem` code.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from shopflow.api.deps import DatabaseDep
from shopflow.api.errors import ConflictError, InvalidInputError
from shopflow.api.params import EmployeeIdPath, StoreIdPath
from shopflow.api.schemas.text import Name, PlainText
from shopflow.api.security import CallerDep, SessionDep, get_caller
from shopflow.services.access import Caller, Permission, require_store
from shopflow.storage.errors import ConsentRequiredError, NotFoundError
from shopflow.storage.repositories import AuditRepository
from shopflow.storage.repositories.staff_registry import ConsentMethod, EmployeeProfile, StaffRegistry
from shopflow.vision.faces import DlibFaceEmbedder, FaceEmbedder, FaceError, FaceProblem, PhotoRules
from shopflow.vision.faces import enrolment_embedding as embed_photo

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


@cache
def face_embedder() -> FaceEmbedder:
    """Loaded on the first enrolment (a few seconds), then shared."""
    return DlibFaceEmbedder()


def _actor(caller: Caller, on_behalf_of: str | None = None) -> str:
    return caller.label if not on_behalf_of else f"{caller.label} for {on_behalf_of.strip()}"


def _employee(session: SessionDep, caller: Caller, employee_id: int) -> EmployeeProfile:
    """The employee, if the caller may handle their store's staff; someone of a store they cannot see is a 404."""
    profile = StaffRegistry(session).get(employee_id)
    try:
        require_store(session, caller, profile.store_id, Permission.STAFF)
    except NotFoundError:
        raise NotFoundError("employee", employee_id) from None
    return profile


@router.post(
    "/api/stores/{store_id}/employees",
    status_code=201,
    response_model=EmployeeOut,
    responses={409: {"description": "the store already has an employee with this employee_id"}},
)
def create_employee(store_id: StoreIdPath, body: EmployeeIn, session: SessionDep, caller: CallerDep) -> EmployeeOut:
    require_store(session, caller, store_id, Permission.STAFF)
    try:
        profile = StaffRegistry(session).create(
            store_id,
            body.name,
            body.employee_id,
            department=body.department,
            position=body.position,
            active=body.active,
        )
    except ValueError as error:
        raise InvalidInputError(str(error)) from None
    return EmployeeOut.of(profile)


@router.get("/api/stores/{store_id}/employees", response_model=list[EmployeeOut])
def list_employees(
    store_id: StoreIdPath, session: SessionDep, caller: CallerDep, database: DatabaseDep
) -> list[EmployeeOut]:
    require_store(session, caller, store_id, Permission.STAFF)
    profiles = StaffRegistry(session).list_by_store(store_id)
    # A read of personal data (LGPD art. 37): who looked, and when. Logged in its own transaction, since a GET's
    # session only reads.
    with database.session() as audit_session:
        AuditRepository(audit_session).add(
            actor=caller.label, action="employees_read", subject=f"store {store_id}", store_id=store_id
        )
    return [EmployeeOut.of(profile) for profile in profiles]


@router.patch("/api/employees/{employee_id}", response_model=EmployeeOut)
def update_employee(
    employee_id: EmployeeIdPath, body: EmployeeUpdate, session: SessionDep, caller: CallerDep
) -> EmployeeOut:
    _employee(session, caller, employee_id)
    return EmployeeOut.of(StaffRegistry(session).set_active(employee_id, body.active))


@router.post("/api/employees/{employee_id}/consent", response_model=EmployeeOut)
def record_consent(employee_id: EmployeeIdPath, body: ConsentIn, session: SessionDep, caller: CallerDep) -> EmployeeOut:
    _employee(session, caller, employee_id)
    try:
        profile = StaffRegistry(session).record_consent(
            employee_id, recorded_by=body.recorded_by, text_version=body.text_version, method=body.method
        )
    except ValueError as error:
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
    session: SessionDep,
    caller: CallerDep,
    actor: Annotated[
        PlainText | None, Query(min_length=1, max_length=200, description="on whose behalf, for the audit log")
    ] = None,
) -> EmployeeOut | JSONResponse:
    registry = StaffRegistry(session)
    profile = _employee(session, caller, employee_id)  # 404 before reading a photo for nobody
    if profile.consent is None or profile.consent.method is not ConsentMethod.FACE:
        # Refused before the photo is even looked at: without consent, a face is not processed at all.
        raise ConflictError("this employee has not consented to face recognition; record their consent first")
    rules = PhotoRules()
    data = photo.file.read(rules.max_bytes + 1)
    try:
        embedder = face_embedder()
        embedding = embed_photo(data, embedder, rules)
    except FaceError as error:
        return JSONResponse(
            status_code=PROBLEM_STATUS[error.problem], content={"detail": str(error), "problem": str(error.problem)}
        )
    try:
        profile = registry.add_face(profile.id, embedding.tobytes(), embedder.name, actor=_actor(caller, actor))
    except ConsentRequiredError as error:
        raise ConflictError(str(error)) from None
    except ValueError as error:  # already five photos
        raise ConflictError(str(error)) from None
    return EmployeeOut.of(profile)


@router.post("/api/employees/{employee_id}/erase", response_model=EmployeeOut)
def erase_employee(employee_id: EmployeeIdPath, body: ActorIn, session: SessionDep, caller: CallerDep) -> EmployeeOut:
    """LGPD erasure: deletes the face embeddings, blanks the personal fields, and records it in the audit log."""
    _employee(session, caller, employee_id)
    return EmployeeOut.of(StaffRegistry(session).erase(employee_id, actor=_actor(caller, body.actor)))
