"""Every page speaks the signed-in user's language, and only it (issue 10).

Each page is opened in Portuguese and in English, with data on it (cameras, an employee, figures, users, a key)
and its dialogs open, and every text a person can see or hear is read from NiceGUI's element tree: labels,
field captions and hints, placeholders, accessible names, tooltips, choices, table headings and cells, chart
names, toasts. The rule (`foreign_texts`) fails on any text of the other language: a sentence of its catalogues
that this language says differently, or a common word of it. Then the forms are given wrong input, and what
they answer must be in the reader's language too, never the services' English.

The catalogues are checked against the same rule, so a word left untranslated in a table is found before a page
shows it.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from nicegui import ui
from nicegui.elements.choice_element import ChoiceElement
from nicegui.elements.mixins.text_element import TextElement
from nicegui.elements.mixins.value_element import ValueElement
from nicegui.testing import User

from shopflow.config.credentials import check_password_rules
from shopflow.domain.cameras import CameraStatus
from shopflow.domain.geometry import CountingLine
from shopflow.pipeline.sources.spec import parse_source_spec
from shopflow.reports import i18n as report_i18n
from shopflow.reports.i18n import Lang
from shopflow.reports.periods import local_now, validate_range
from shopflow.services.demo import sample_video
from shopflow.storage.db import Database
from shopflow.storage.records import InsideSide, Language, LineConfig, StoreRecord, UserRole, ZoneConfig
from shopflow.storage.repositories import ApiKeyRepository, CameraRepository, UserRepository
from shopflow.storage.repositories.staff_registry import ConsentMethod, StaffRegistry
from shopflow.web.i18n import CATALOGUE
from shopflow.web.problems import PROBLEMS
from tests.integration.reports.helpers import entry, local, write

from .conftest import PASSWORD, RETRIES, add_store, add_user, password_hash, setup_link, sign_in

LANGS: dict[Lang, Language] = {"pt-BR": Language.PT_BR, "en": Language.EN}
OTHER: dict[Lang, Lang] = {"pt-BR": "en", "en": "pt-BR"}

# Words of one language that are not words of the other: a page in the other language showing one has text
# that never went through the catalogue. Short and common on purpose, as hard-coded sentences are full of them.
ENGLISH_WORDS = """
the and of to is are was were be been with without your you this that these those could cannot can't must should
would which what when where from for has have had not please error failed invalid found exist exists doesn't don't
isn't there their try again check choose give save saved cancel delete remove close settings camera cameras store
user users password today yesterday week page loading here click select enter name records rows per showing
"""
PORTUGUESE_WORDS = """
não você vocês câmera câmeras loja lojas está são foi uma umas uns da dos das em na nas nos que pela pelo para com
sem ou é já também ainda aqui então mais menos depois antes hoje ontem semana salvar salvo cancelar excluir remover
fechar configurações usuário usuários senha erro inválido inválida possível página funcionário funcionários entradas
saídas clique escolha informe digite
"""
WORDS: dict[Lang, frozenset[str]] = {
    "en": frozenset(ENGLISH_WORDS.split()),
    "pt-BR": frozenset(PORTUGUESE_WORDS.split()),
}
# Said in both languages on purpose: each language named in itself where the reader picks one.
BILINGUAL = frozenset({"Idioma / Language", "Português (Brasil)", "Português", "English", "PT", "EN"})
# Sentences of a catalogue are cut at their placeholders; a piece shorter than this (a "{n} min", a ": ") says
# too little to belong to one language, and the common words above cover what it could.
MIN_PIECE = 5
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# Text is cut into tokens at spaces and punctuation; a token is checked as a word only when it is one (letters,
# with inner apostrophes or hyphens). Addresses, e-mails, paths, time zones ("America/Port_of_Spain") and key
# prefixes are tokens that are not words, so their parts are never taken for words of a language.
TOKEN = re.compile(r"[^\s,;!?()\[\]{}“”\"«»·–—…]+")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Where an element keeps words a person reads or hears, besides its text.
WORDY_PROPS = ("label", "placeholder", "hint", "error-message", "aria-label", "alt", "title", "prefix", "suffix")
SVG_TEXT = re.compile(r"<text[^>]*>([^<]*)</text>")
SERVED_ELEMENTS = re.compile(r"parseElements\(String\.raw`(.*?)`\)", re.S)


def _catalogues(lang: Lang) -> list[Mapping[str, str]]:
    """Everything the dashboard says in `lang`: its words, its wording of problems, the figures' names."""
    return [CATALOGUE[lang], PROBLEMS[lang], report_i18n.LABELS[lang]]


def _pieces(text: str) -> list[str]:
    """The fixed parts of a catalogue sentence, between its placeholders, without the punctuation at their ends."""
    return [piece.strip(" .,;:!?()“”\"'·–—…") for piece in PLACEHOLDER.split(text)]


@cache
def _own_words(lang: Lang) -> frozenset[str]:
    return frozenset(
        word.casefold()
        for catalogue in _catalogues(lang)
        for text in catalogue.values()
        for word in WORD.findall(PLACEHOLDER.sub(" ", text))
    )


@cache
def _own_text(lang: Lang) -> str:
    return "\n".join(text for catalogue in _catalogues(lang) for text in catalogue.values()).casefold()


@cache
def foreign_pieces(lang: Lang) -> dict[str, str]:
    """Pieces of the other language's catalogues that `lang` never says (piece -> its key), longest first.

    A piece `lang` also says (a name like "ShopFlow", "E-mail", "P90", an address example, a setting's name) is
    not foreign; neither is one without a letter.
    """
    other = OTHER[lang]
    found: dict[str, str] = {}
    for catalogue in _catalogues(other):
        for key, text in catalogue.items():
            for piece in _pieces(text):
                if len(piece) < MIN_PIECE or not WORD.search(piece) or piece.casefold() in _own_text(lang):
                    continue
                found.setdefault(piece, key)
    return dict(sorted(found.items(), key=lambda item: -len(item[0])))


@cache
def _piece_pattern(piece: str) -> re.Pattern[str]:
    # Whole words only: the English "Camera" is not inside the Portuguese "Câmeras", "Save" not inside "Saved".
    return re.compile(rf"(?<!\w){re.escape(piece)}(?!\w)")


def foreign_texts(texts: Iterable[str], lang: Lang) -> list[str]:
    """What in `texts` belongs to the other language: "«text» has «piece» (key)" or "«text» has the word «w»"."""
    words = WORDS[OTHER[lang]] - _own_words(lang)
    found: list[str] = []
    for text in dict.fromkeys(texts):  # each text once, in the order met
        if not text or text in BILINGUAL:
            continue
        for piece, key in foreign_pieces(lang).items():
            if _piece_pattern(piece).search(text):
                found.append(f"«{text}» has «{piece}» ({key})")
        for token in TOKEN.findall(text):
            word = token.strip(".:'’-")
            if WORD.fullmatch(word) and word.casefold() in words:
                found.append(f"«{text}» has the word «{word}»")
    return found


# --- reading a page -------------------------------------------------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _chart_words(options: Mapping[str, Any]) -> Iterator[str]:
    """The names a chart writes: its series' and axes' names and its legend (not its types and colours)."""
    for series in options.get("series", []):
        yield from _strings(series.get("name"))
    for axis in ("xAxis", "yAxis"):
        yield from _strings(options.get(axis, {}).get("name"))
    yield from _strings(options.get("legend", {}).get("data"))


def element_texts(element: ui.element) -> Iterator[str]:
    """The words `element` shows or says to a screen reader (its own, not its children's)."""
    if isinstance(element, TextElement):
        yield element.text
    for prop in WORDY_PROPS:
        value = element.props.get(prop)
        if isinstance(value, str):
            yield value
    if isinstance(element, ui.notification):
        yield element.message
        yield from _strings(element.props.get("options", {}).get("closeBtn"))
    if isinstance(element, ChoiceElement):
        yield from (str(option) for option in element._labels)  # every choice, not only the one picked
    if isinstance(element, ui.table):
        yield from _strings([column.get("label") for column in element.columns])
        yield from _strings(element.rows)
    if isinstance(element, ui.echart):
        yield from _chart_words(element.options)
    if isinstance(element, ui.interactive_image):
        yield from SVG_TEXT.findall(element.content)  # the names drawn on the picture


def page_texts(user: User) -> list[str]:
    assert user.client is not None
    texts = [text for element in user.client.layout.descendants() for text in element_texts(element)]
    return texts + list(user.notify.messages)


def served_texts(page: str) -> list[str]:
    """The words of a page served whole (an error page, which has no live client to read): its element tree
    travels in the HTML as JSON, HTML-escaped, in a String.raw template."""
    match = SERVED_ELEMENTS.search(page)
    assert match is not None, "no element tree in the page"
    elements: dict[str, dict[str, Any]] = json.loads(html.unescape(match.group(1)))
    texts: list[str] = []
    for element in elements.values():
        texts.extend(_strings(element.get("text")))
        texts.extend(_strings([element.get("props", {}).get(prop) for prop in WORDY_PROPS]))
    return texts


def assert_in_language(user: User, lang: Lang, where: str) -> list[str]:
    texts = page_texts(user)
    offences = foreign_texts(texts, lang)
    assert not offences, f"{where} in {lang} shows the other language:\n" + "\n".join(offences)
    return texts


# --- a store with something on every page ---------------------------------------------------------------------

# Names a user typed are in no language, so that neither check could trip on them.
LINE = LineConfig("L1", (0.1, 0.5), (0.9, 0.5), InsideSide.POSITIVE)
ZONE = ZoneConfig("Z1", ((0.1, 0.1), (0.4, 0.1), (0.4, 0.4)))
STAFF_ZONE = ZoneConfig("Z2", ((0.6, 0.6), (0.9, 0.6), (0.9, 0.9)))
# What a worker reports for a camera that refuses (pipeline/sources/live.py and worker.py), in English.
REFUSED = (
    "cannot connect to camera rtsp://10.0.0.2:8554/x: no video from 10.0.0.2:8554; check the address, the port, "
    "the stream path, the user name and password, and that the camera is on (retrying in 2.5 s)"
)


def _store(database: Database, tmp_path: Path) -> tuple[StoreRecord, int]:
    """A store with a camera on the sample video (a line, a zone, staff rules), an offline one with the English
    reason its worker gave, an employee with consent, yesterday's entries and a second user; returns the store
    and the video camera's id."""
    video = tmp_path / "data" / "media" / "v1.avi"
    video.parent.mkdir(parents=True)
    shutil.copyfile(sample_video(), video)
    store = add_store(database, name="Centro")
    with database.session() as session:
        cameras = CameraRepository(session)
        camera = cameras.create(store.id, "C1", str(video.resolve()), lines=(LINE,), zones=(ZONE,))
        cameras.set_staff_rules(camera.id, (STAFF_ZONE,), 30.0)
        offline = cameras.create(store.id, "C2", "rtsp://10.0.0.2:8554/x", lines=(LINE,))
        cameras.set_status(offline.id, CameraStatus.OFFLINE, REFUSED)
        staff = StaffRegistry(session)
        employee = staff.create(store.id, "Ana", "F-1")
        staff.record_consent(employee.id, recorded_by="dona@loja.com.br", text_version="v1", method=ConsentMethod.FACE)
        UserRepository(session).create(
            "caixa@loja.com.br",
            password_hash(),
            organisation_id=store.organisation_id,
            role=UserRole.VIEWER,
            language=Language.PT_BR,
        )
    day = local_now(store.timezone).date() - timedelta(days=1)
    write(database, camera.id, [entry(local(store.timezone, day.year, day.month, day.day, 10, 5)) for _ in range(3)])
    return store, camera.id


# --- the walk -------------------------------------------------------------------------------------------------


def _click(user: User, marker: str) -> None:
    user.find(marker=marker).click()


def _close_dialogs(user: User) -> None:
    for dialog in user.find(kind=ui.dialog).elements:
        dialog.close()


def test_each_catalogue_passes_its_own_rule() -> None:
    """The catalogue check: nothing in one language's tables is a sentence or a common word of the other."""
    for lang in LANGS:
        texts = [PLACEHOLDER.sub(" ", text) for catalogue in _catalogues(lang) for text in catalogue.values()]
        assert foreign_texts(texts, lang) == []


def test_the_rule_finds_the_other_language() -> None:
    assert foreign_texts(["Could not save the camera."], "pt-BR")
    assert foreign_texts([CATALOGUE["en"]["no_cameras_yet"]], "pt-BR")
    assert foreign_texts([CATALOGUE["pt-BR"]["page_not_found"]], "en")
    assert foreign_texts(["Salvar alterações"], "en")
    assert foreign_texts(["Fechar: não é possível."], "en")
    # Names of the languages, addresses, e-mails, paths and time zones are no language's words.
    identifiers = ["Idioma / Language", "dona@loja.com.br", "America/Port_of_Spain", "/tmp/pytest-of-root/v.avi"]
    assert foreign_texts(identifiers, "pt-BR") == []
    assert foreign_texts(["caixa@loja.com.br", "rtsp://10.0.0.2:8554/loja"], "en") == []


@pytest.mark.parametrize("lang", list(LANGS))
async def test_every_page_speaks_the_users_language(user: User, database: Database, tmp_path: Path, lang: Lang) -> None:
    store, camera_id = _store(database, tmp_path)
    add_user(database, language=LANGS[lang])
    await sign_in(user)

    await user.should_see(marker="people-now", retries=RETRIES)
    await user.should_see(marker="offline-banner", retries=RETRIES)
    assert_in_language(user, lang, "the overview")

    await user.open("/cameras")
    await user.should_see(marker="camera-reason", retries=RETRIES)
    assert_in_language(user, lang, "the cameras")
    _click(user, "camera-delete")  # the first camera's question
    await user.should_see(marker="delete-dialog", retries=RETRIES)
    assert_in_language(user, lang, "the question before deleting a camera")

    await user.open(f"/cameras/{camera_id}")
    await user.should_see(marker="connection-ok", retries=RETRIES)  # its picture, with the lines drawn on it
    await user.should_see(marker="line-name-0", retries=RETRIES)
    assert_in_language(user, lang, "a camera's editor")
    await user.open("/cameras/new")
    await user.should_see(marker="camera-source", retries=RETRIES)
    assert_in_language(user, lang, "the new camera's editor")
    await user.open("/cameras/999999")
    await user.should_see(marker="sign-out", retries=RETRIES)
    assert_in_language(user, lang, "a camera that does not exist")

    await user.open("/employees")
    await user.should_see(marker="employee-withdraw", retries=RETRIES)
    assert_in_language(user, lang, "the employees")
    for dialog, button in (
        ("consent-dialog", "employee-consent"),
        ("withdraw-dialog", "employee-withdraw"),
        ("erase-dialog", "employee-erase"),
    ):
        _click(user, button)
        await user.should_see(marker=dialog, retries=RETRIES)
        assert_in_language(user, lang, f"the employees' {dialog}")
        _close_dialogs(user)

    await user.open("/employees/attendance")
    await user.should_see(marker="attendance-empty", retries=RETRIES)
    assert_in_language(user, lang, "the attendance")

    await user.open("/analytics")
    await user.should_see(marker="zone-dwell", retries=RETRIES)
    assert_in_language(user, lang, "the analytics")

    await user.open("/settings")
    await user.should_see(marker="store-name", retries=RETRIES)
    for tab in ("tab-store", "tab-users", "tab-api-keys", "tab-privacy", "tab-system", "tab-account"):
        _click(user, tab)
        assert_in_language(user, lang, f"the settings' {tab}")
    with database.session() as session:
        viewer = UserRepository(session).find_by_email("caixa@loja.com.br")
    assert viewer is not None
    for dialog, button in (("reset-dialog", f"user-reset-{viewer.id}"), ("remove-dialog", f"user-remove-{viewer.id}")):
        _click(user, button)
        await user.should_see(marker=dialog, retries=RETRIES)
        assert_in_language(user, lang, f"the settings' {dialog}")
        _close_dialogs(user)
    user.find(marker="key-name").type("K1")
    _click(user, "create-key")
    await user.should_see(marker="new-key-dialog", retries=RETRIES)
    assert_in_language(user, lang, "a new API key")
    _close_dialogs(user)
    with database.session() as session:
        [key] = ApiKeyRepository(session).list_by_store(store.id)
    _click(user, f"revoke-{key.id}")
    await user.should_see(marker="revoke-dialog", retries=RETRIES)
    assert_in_language(user, lang, "the question before revoking a key")
    _close_dialogs(user)

    await user.open("/login")  # signed in: the session's language is the user's
    await user.should_see(marker="sign-in", retries=RETRIES)
    assert_in_language(user, lang, "the sign-in page")

    response = await user.http_client.get("/pagina-que-nao-existe")
    assert response.status_code == 404
    texts = served_texts(response.text)
    assert CATALOGUE[lang]["page_not_found"] in texts
    assert foreign_texts(texts, lang) == []


@pytest.mark.parametrize("lang", list(LANGS))
async def test_the_first_run_page_speaks_the_chosen_language(user: User, database: Database, lang: Lang) -> None:
    add_store(database, name="Centro")
    link = setup_link(database, Path(database.engine.url.database or "").parent)
    await user.open("/setup")  # without the server's token: where to find it
    await user.should_see(marker="setup-needs-token", retries=RETRIES)
    if lang != "pt-BR":  # nobody is signed in: the page starts in Portuguese and the reader switches
        _set(user, "language", lang)
        await user.should_see(CATALOGUE[lang]["setup_title"], retries=RETRIES)
    assert_in_language(user, lang, "the first run without its token")
    await user.open(link)
    await user.should_see(marker="create-admin", retries=RETRIES)
    assert_in_language(user, lang, "the first run")
    _set(user, "password", PASSWORD)
    _set(user, "repeat-password", "outra")
    _click(user, "create-admin")
    differ = CATALOGUE[lang]["passwords_differ"]
    assert await _wait_for_label(user, "setup-error", differ) == differ
    assert_in_language(user, lang, "two passwords that differ on the first run")


# --- the error states -----------------------------------------------------------------------------------------


def _english_reason(action: Callable[[], object]) -> str:
    """What a service says when `action` fails: the English the API and the log get, never the dashboard."""
    with pytest.raises(Exception) as raised:  # whichever error the service raises
        action()
    return str(raised.value)


def _says(text: str, lang: Lang, table: Mapping[Lang, Mapping[str, str]], key: str) -> None:
    """`text` is worded by `key` of `table` in `lang`: each of the wording's fixed pieces is in it."""
    pieces = [piece for piece in _pieces(table[lang][key]) if len(piece) >= MIN_PIECE]
    assert pieces and all(piece.casefold() in text.casefold() for piece in pieces), (key, text)


async def _wait_for_toast(user: User, needle: str) -> str:
    """The message of the page's error toast once it has `needle` (`should_see` does not read a toast's words)."""
    assert user.client is not None
    for _ in range(RETRIES):
        toasts = [e for e in user.client.layout.descendants() if "error-toast" in e._markers]
        for toast in toasts:
            if isinstance(toast, ui.notification) and needle.casefold() in toast.message.casefold():
                return toast.message
        await asyncio.sleep(0.1)
    raise AssertionError(f"no error toast with «{needle}»")


def _label(user: User, marker: str) -> str:
    """The words of the element marked `marker` (a label, or a banner with its label inside)."""
    [element] = user.find(marker=marker).elements
    return " ".join(e.text for e in (element, *element.descendants()) if isinstance(e, TextElement) and e.text)


async def _wait_for_label(user: User, marker: str, needle: str) -> str:
    for _ in range(RETRIES):
        if needle.casefold() in _label(user, marker).casefold():
            break
        await asyncio.sleep(0.1)
    return _label(user, marker)


def _set(user: User, marker: str, value: object) -> None:
    [element] = user.find(marker=marker).elements
    assert isinstance(element, ValueElement)
    element.set_value(value)


def _in_language(user: User, lang: Lang, where: str, error: str, english: str) -> None:
    """The page, its error included, is in `lang`; in Portuguese the service's English reason is nowhere."""
    texts = assert_in_language(user, lang, where)
    assert error in texts or error in user.notify.messages or any(error in text for text in texts), where
    if lang == "pt-BR":
        assert all(english not in text for text in texts), f"{where} shows the service's English: {english}"
        assert foreign_texts([english], lang), f"the rule would not see «{english}» as English"


@pytest.mark.parametrize("lang", list(LANGS))
async def test_errors_speak_the_users_language(user: User, database: Database, tmp_path: Path, lang: Lang) -> None:
    store, camera_id = _store(database, tmp_path)
    add_user(database, language=LANGS[lang])
    await sign_in(user)

    # Analytics: a date that is not one, then a range the wrong way round.
    await user.open("/analytics")
    await user.should_see(marker="zone-dwell", retries=RETRIES)
    _set(user, "since", "31/02/2026" if lang == "pt-BR" else "2026-02-31")
    _click(user, "show-analytics")
    await user.should_see(marker="analytics-error", retries=RETRIES)
    error = _label(user, "analytics-error")
    _says(error, lang, CATALOGUE, "bad_date")
    assert_in_language(user, lang, "a date that is not one on the analytics")
    _set(user, "since", "10/03/2024" if lang == "pt-BR" else "2024-03-10")
    _set(user, "until", "01/03/2024" if lang == "pt-BR" else "2024-03-01")
    _click(user, "show-analytics")
    await user.should_see(marker="analytics-error", retries=RETRIES)
    error = await _wait_for_label(user, "analytics-error", "2024")  # the new error, in place of the old one
    _says(error, lang, PROBLEMS, "range_reversed")
    english = _english_reason(lambda: validate_range(date(2024, 3, 10), date(2024, 3, 1)))
    _in_language(user, lang, "a range the wrong way round", error, english)

    # Attendance: a day that is not one.
    await user.open("/employees/attendance")
    await user.should_see(marker="attendance-empty", retries=RETRIES)
    _set(user, "attendance-day", "31/02/2026" if lang == "pt-BR" else "2026-02-31")
    _click(user, "attendance-show")
    error = await _wait_for_toast(user, "31")
    _says(error, lang, CATALOGUE, "bad_date")
    assert_in_language(user, lang, "a day that is not one on the attendance")

    # A camera: a line without a name, then an address that is no camera's.
    await user.open(f"/cameras/{camera_id}")
    await user.should_see(marker="line-name-0", retries=RETRIES)
    _set(user, "line-name-0", "")
    _click(user, "save-camera")
    error = await _wait_for_toast(user, PROBLEMS[lang]["line_name_missing"].rstrip("."))
    english = _english_reason(lambda: CountingLine("", (0.1, 0.5), (0.9, 0.5)))
    _in_language(user, lang, "a line without a name", error, english)
    _set(user, "line-name-0", "L1")
    _set(user, "camera-source", "ftp://camera/stream")
    _click(user, "save-camera")
    error = await _wait_for_toast(user, "ftp://")
    _says(error, lang, PROBLEMS, "source_unsupported")
    english = _english_reason(lambda: parse_source_spec("ftp://camera/stream"))
    _in_language(user, lang, "an address that is no camera's", error, english)

    # Employees: an employee id already taken.
    await user.open("/employees")
    await user.should_see(marker="employee-name", retries=RETRIES)
    _set(user, "employee-name", "Bia")
    _set(user, "employee-code", "F-1")
    _click(user, "add-employee")
    error = await _wait_for_toast(user, "F-1")
    _says(error, lang, CATALOGUE, "employee_code_taken")
    assert_in_language(user, lang, "an employee id already taken")

    # Settings: an e-mail already taken, then a password too short and two that differ.
    await user.open("/settings")
    _click(user, "tab-users")
    _set(user, "new-user-email", "caixa@loja.com.br")
    _set(user, "new-user-password", "Tamarindo-Azul-Jaca-88")
    _click(user, "create-user")
    error = await _wait_for_toast(user, "caixa@loja.com.br")
    _says(error, lang, PROBLEMS, "email_taken")

    def taken() -> None:
        with database.session() as session:
            UserRepository(session).create(
                "caixa@loja.com.br", password_hash(), organisation_id=store.organisation_id, role=UserRole.VIEWER
            )

    _in_language(user, lang, "an e-mail already taken", error, _english_reason(taken))
    _click(user, "tab-account")
    _set(user, "current-password", PASSWORD)
    _set(user, "new-password", "curta")
    _set(user, "repeat-new-password", "curta")
    _click(user, "change-password")
    error = await _wait_for_label(user, "account-error", "10")
    _says(error, lang, PROBLEMS, "password_too_short")
    _in_language(user, lang, "a password too short", error, _english_reason(lambda: check_password_rules("curta")))
    _set(user, "repeat-new-password", "outra")
    _click(user, "change-password")
    differ = CATALOGUE[lang]["passwords_differ"]
    assert await _wait_for_label(user, "account-error", differ) == differ
    assert_in_language(user, lang, "two passwords that differ")

    # Signing in with a wrong password.
    await user.open("/login")
    _set(user, "email", "dona@loja.com.br")
    _set(user, "password", "senha-errada-000")
    _click(user, "sign-in")
    wrong = CATALOGUE[lang]["wrong_credentials"]
    assert await _wait_for_label(user, "login-error", wrong) == wrong
    assert_in_language(user, lang, "a wrong password at sign-in")
