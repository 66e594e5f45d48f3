"""Every coded problem is worded in both languages, and the dashboard never shows the English message inside
Portuguese (issue 10, item 4: "Não foi possível Criar administrador: the password needs...")."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

from shopflow.config.credentials import PasswordError, check_password_rules
from shopflow.domain.geometry import Zone
from shopflow.reports.errors import InvalidRangeError
from shopflow.reports.periods import validate_range
from shopflow.storage.records import validate_opening_hours
from shopflow.web.problems import PROBLEMS, explain

SOURCE = Path(__file__).resolve().parents[2] / "src" / "shopflow"
CODE = re.compile(r"^[a-z][a-z_]*$")


def _codes_in_source() -> set[str]:
    """Every code a raise or a result names: the second positional argument of an ...Error(...) call (the third of
    CameraInputError's, whose second is the field), and every `code=` keyword. An f-string code counts as a
    pattern (`too_many_{kind}s`)."""
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            candidates: list[ast.expr] = [k.value for k in node.keywords if k.arg == "code"]
            # A FaceError's first argument is its problem (worded as face_problem_* in web/i18n.py).
            if name.endswith("Error") and name not in {"FaceError", "PhotoRejectedError"}:
                position = 2 if name == "CameraInputError" else 1
                if len(node.args) > position:
                    candidates.append(node.args[position])
            for value in candidates:
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and CODE.match(value.value):
                    found.add(value.value)
                elif isinstance(value, ast.JoinedStr):
                    pattern = "".join(str(v.value) if isinstance(v, ast.Constant) else "*" for v in value.values)
                    if re.fullmatch(r"[a-z_*]+", pattern):
                        found.add(pattern)
    return found


def test_both_languages_word_the_same_problems() -> None:
    assert PROBLEMS["pt-BR"].keys() == PROBLEMS["en"].keys()


def test_every_code_the_code_raises_is_worded() -> None:
    codes = _codes_in_source()
    assert len(codes) > 40, codes  # the scan finds them at all
    worded = PROBLEMS["pt-BR"].keys()
    missing = [
        code
        for code in sorted(codes)
        if not any(re.fullmatch(re.escape(code).replace(r"\*", "[a-z_]+"), key) for key in worded)
    ]
    assert missing == []


def test_a_password_problem_reads_in_portuguese() -> None:
    with pytest.raises(PasswordError) as caught:
        check_password_rules("curta")
    assert explain(caught.value, "pt-BR") == "Escolha uma senha mais longa, com pelo menos 10 caracteres."
    assert explain(caught.value, "en") == "Choose a longer password, of at least 10 characters."


def test_details_are_written_the_readers_way() -> None:
    with pytest.raises(InvalidRangeError) as caught:
        validate_range(date(2026, 11, 25), date(2026, 11, 1))
    assert explain(caught.value, "pt-BR") == (
        "A data inicial (25/11/2026) é depois da final (01/11/2026); inverta as datas."
    )
    with pytest.raises(ValueError) as hours:
        validate_opening_hours({"sat": {"open": "09:00", "close": "09:00"}})
    assert explain(hours.value, "pt-BR") == "Sábado: abre e fecha às 09:00; desmarque o dia se a loja fica fechada."
    with pytest.raises(ValueError) as zone:
        Zone("caixa", ((0.1, 0.1), (0.2, 0.2)))
    assert explain(zone.value, "pt-BR") == "A zona “caixa” precisa de pelo menos 3 pontos."


def test_a_problem_nobody_worded_is_never_english_inside_portuguese() -> None:
    error = ValueError("something nobody gave a code to")
    assert explain(error, "pt-BR") == "Confira os valores informados e tente de novo."
    assert explain(error, "en") == "Something nobody gave a code to."
