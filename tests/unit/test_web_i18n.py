"""The dashboard's catalogue: both languages say everything the pages ask for, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import shopflow.web
from shopflow.domain.cameras import CameraStatus
from shopflow.services.staff import EnrolmentRefusal
from shopflow.storage.records import WEEKDAYS, UserRole
from shopflow.storage.repositories.staff_registry import ConsentMethod
from shopflow.vision.faces import FaceProblem
from shopflow.web.camera_reasons import REASON_KEYS
from shopflow.web.explain import EXPLANATIONS
from shopflow.web.i18n import CATALOGUE, translate

WEB = Path(shopflow.web.__file__).parent
# t("key") with a literal key; keys built at run time are listed below.
LITERAL_KEY = re.compile(r"""\bt\(\s*"([a-z0-9_]+)\"""")
BUILT_KEYS = (
    [f"status_{status.value}" for status in CameraStatus]
    + [f"role_{role.value}" for role in UserRole]
    + [f"weekday_{day}" for day in WEEKDAYS]
    + [f"feed_{kind}" for kind in ("entry", "exit", "crossing", "visit")]
    + ["legend_customer", "legend_group", "legend_employee", "export_csv", "export_xlsx", "export_pdf"]
    + ["nav_overview", "nav_cameras", "nav_employees", "nav_analytics", "nav_settings"]
    + [f"face_problem_{problem.value}" for problem in FaceProblem]
    + [f"enrol_refused_{reason.value}" for reason in EnrolmentRefusal]
    + [f"consent_method_{method.value}" for method in ConsentMethod]
    + list(REASON_KEYS)
    + list(EXPLANATIONS.values())
)


def _used_keys() -> set[str]:
    keys = set(BUILT_KEYS)
    for path in WEB.rglob("*.py"):
        keys.update(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_words_and_placeholders() -> None:
    assert set(CATALOGUE["pt-BR"]) == set(CATALOGUE["en"])
    for key, text in CATALOGUE["pt-BR"].items():
        assert _fields(text) == _fields(CATALOGUE["en"][key]), key


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_every_word_the_pages_use_is_in_the_catalogue(lang: str) -> None:
    missing = sorted(key for key in _used_keys() if key not in CATALOGUE[lang])  # type: ignore[index]
    assert missing == []


def test_a_missing_word_shows_its_key_and_values_fill_in() -> None:
    assert translate("en", "no-such-key") == "no-such-key"
    assert translate("pt-BR", "n_entries", n="1.234") == "1.234 entradas"
    assert translate("en", "n_entries", n="1,234") == "1,234 entries"
