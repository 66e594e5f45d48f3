"""Staff rules and attendance: a camera's staff zones and long-stay rule, the store's uniform, and who of the
employees recognised by face was on the floor on a day (personal data: its own permission, every read audited).

The rules live in services/ (cameras.py, staff_rules.py, attendance.py); this module only translates HTTP.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from shopflow.api.deps import DatabaseDep, RuntimeDep
from shopflow.api.errors import InvalidInputError
from shopflow.api.params import CameraIdPath, StoreIdPath
from shopflow.api.schemas.cameras import CameraOut, StaffRulesIn
from shopflow.api.schemas.text import ShortName
from shopflow.api.security import CallerDep, CameraServiceDep, get_caller
from shopflow.services.attendance import AttendanceService
from shopflow.services.staff import StaffInputError
from shopflow.services.staff_rules import StaffRulesService
from shopflow.vision.uniform import Uniform

router = APIRouter(tags=["staff rules"], dependencies=[Depends(get_caller)])

Rgb = Annotated[list[int], Field(min_length=3, max_length=3, description="red, green, blue, each 0 to 255")]


class UniformIn(BaseModel):
    """The colours staff wear: upper body, lower body, or both (a part left null matches anything)."""

    model_config = ConfigDict(extra="forbid")

    name: ShortName
    upper: Rgb | None = None
    lower: Rgb | None = None
    tolerance: float = Field(20.0, gt=0, le=100, description="how far a colour may be (CIE76 delta E) and match")
    min_share: float = Field(0.4, gt=0, le=1, description="share of a part's pixels that must match")


class UniformOut(BaseModel):
    name: str
    upper: list[int] | None
    lower: list[int] | None
    tolerance: float
    min_share: float

    @classmethod
    def of(cls, uniform: Uniform) -> UniformOut:
        return cls.model_validate(uniform.to_json())


class EmployeeDayOut(BaseModel):
    employee_id: int
    name: str
    code: str | None = Field(description="the store's own employee id")
    first_seen: datetime
    last_seen: datetime
    on_floor_seconds: float = Field(description="seen by any camera; two cameras at once count once")
    cameras: list[str]


class AttendanceOut(BaseModel):
    store_id: int
    day: date
    employees: list[EmployeeDayOut] = Field(description="employees recognised by their face, first arrival first")
    staff_tracks: int = Field(description="people told apart as staff that day by any rule, named or not")
    staff_tracks_by_rule: dict[str, int]
    customer_crossings_corrected: int = Field(
        description="crossings first counted as a customer's, moved to staff once the person was decided staff"
    )


def get_staff_rules(database: DatabaseDep, caller: CallerDep) -> StaffRulesService:
    return StaffRulesService(database, caller)


StaffRulesDep = Annotated[StaffRulesService, Depends(get_staff_rules)]


@router.put("/api/cameras/{camera_id}/staff-rules", response_model=CameraOut)
def set_camera_staff_rules(
    camera_id: CameraIdPath, body: StaffRulesIn, cameras: CameraServiceDep, runtime: RuntimeDep
) -> CameraOut:
    """Replace the camera's staff rules; the camera restarts with them."""
    record = cameras.set_staff_rules(camera_id, body.zone_configs(), body.staff_after_minutes)
    return CameraOut.of(record, running=runtime.is_running(record.id))


@router.get("/api/stores/{store_id}/uniform", response_model=UniformOut | None)
def get_uniform(store_id: StoreIdPath, rules: StaffRulesDep) -> UniformOut | None:
    """The store's staff uniform, or null when staff are not told apart by their clothes."""
    uniform = rules.uniform(store_id)
    return None if uniform is None else UniformOut.of(uniform)


@router.put("/api/stores/{store_id}/uniform", response_model=UniformOut)
def set_uniform(store_id: StoreIdPath, body: UniformIn, rules: StaffRulesDep) -> UniformOut:
    """Whoever wears these colours over several frames is staff. No biometrics: nothing about a person is kept.
    The store's cameras use it within 30 seconds."""
    data: dict[str, Any] = body.model_dump()
    try:
        uniform = rules.set_uniform(store_id, data)
    except StaffInputError as error:
        raise InvalidInputError(str(error)) from None
    assert uniform is not None
    return UniformOut.of(uniform)


@router.delete("/api/stores/{store_id}/uniform", status_code=status.HTTP_204_NO_CONTENT)
def remove_uniform(store_id: StoreIdPath, rules: StaffRulesDep) -> Response:
    rules.set_uniform(store_id, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/stores/{store_id}/attendance", response_model=AttendanceOut)
def attendance(
    store_id: StoreIdPath,
    database: DatabaseDep,
    caller: CallerDep,
    day: Annotated[date, Query(description="the store's local calendar day, YYYY-MM-DD")],
) -> AttendanceOut:
    """Per employee recognised by face: first and last seen, time on the floor and cameras, on one day."""
    found = AttendanceService(database, caller).day(store_id, day)
    return AttendanceOut(
        store_id=found.store_id,
        day=found.day,
        employees=[
            EmployeeDayOut(
                employee_id=e.employee_id,
                name=e.name,
                code=e.code,
                first_seen=e.first_seen,
                last_seen=e.last_seen,
                on_floor_seconds=round(e.on_floor_seconds, 1),
                cameras=list(e.cameras),
            )
            for e in found.employees
        ],
        staff_tracks=found.staff.tracks,
        staff_tracks_by_rule=found.staff.by_rule,
        customer_crossings_corrected=found.staff.crossings_corrected,
    )
