"""What went wrong, in the reader's language: the dashboard's wording of every coded problem (domain/problems.py).

Services and repositories raise problems with an English message (what the API and the CLI answer) and a code
with its details. The dashboard never shows that English inside Portuguese: it words the code from the tables
below, with numbers and dates in the reader's format. A problem nobody coded yet is shown, in Portuguese, as a
general "check what you typed" (and logged), never as English text.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date

from shopflow.reports import i18n as report_i18n
from shopflow.reports.i18n import Lang
from shopflow.services.access import AccessDeniedError
from shopflow.storage.errors import NotFoundError
from shopflow.web.i18n import current_lang, translate

log = logging.getLogger(__name__)

PROBLEMS: dict[Lang, dict[str, str]] = {
    "pt-BR": {
        "password_too_short": "escolha uma senha mais longa, com pelo menos {min} caracteres.",
        "password_too_long": "a senha pode ter no máximo {max} caracteres.",
        "password_common": "esta senha está entre as mais usadas; escolha outra.",
        "password_has_email": "a senha não pode conter o seu e-mail nem o seu nome; escolha outra.",
        "password_guessable": "esta senha é fácil de adivinhar; use uma mais longa, como algumas palavras sem relação.",
        "password_current_wrong": "a senha atual não confere.",
        "last_owner": "a organização precisa de pelo menos um proprietário ativo; "
        "torne outra pessoa proprietária antes.",
        "too_many_lines": "uma câmera tem no máximo {limit} linhas (foram {count}); remova algumas.",
        "too_many_zones": "uma câmera tem no máximo {limit} zonas (foram {count}); remova algumas.",
        "coordinate_outside": "{where}: um ponto está fora da imagem; desenhe dentro do quadro.",
        "line_name_missing": "dê um nome à linha.",
        "line_points_equal": "a linha “{name}” tem os dois pontos iguais; marque dois pontos diferentes.",
        "zone_name_missing": "dê um nome à zona.",
        "zone_too_few_points": "a zona “{name}” precisa de pelo menos 3 pontos.",
        "zone_too_many_points": "a zona “{name}” tem mais de {limit} cantos; contorne-a com menos pontos.",
        "zone_repeated_corner": "a zona “{name}” tem dois cantos no mesmo ponto.",
        "zone_edges_cross": "os lados da zona “{name}” se cruzam; marque os cantos em ordem, contornando a zona.",
        "zone_no_area": "a zona “{name}” não tem área: os pontos estão numa mesma reta.",
        "names_repeated": "o nome “{name}” foi usado duas vezes; cada linha ou zona precisa de um nome próprio.",
        "hours_bad_day": "o horário de funcionamento tem um dia inválido.",
        "hours_bad_time": "{day}: use o formato HH:MM (00:00 a 23:59) para abrir e fechar.",
        "hours_open_equals_close": "{day}: abre e fecha às {time}; desmarque o dia se a loja fica fechada.",
        "staff_after_range": "a permanência que torna alguém funcionário deve ser de mais de 0 até {max} minutos.",
        "sample_fps_range": "a taxa de análise deve ser maior que 0 e no máximo {max} quadros por segundo.",
        "camera_name_missing": "dê um nome à câmera.",
        "camera_source_missing": "informe o endereço da câmera "
        "(rtsp://…, http://…, um arquivo de vídeo ou uma webcam).",
        "timezone_unknown": "fuso horário desconhecido; escolha um da lista, como America/Sao_Paulo.",
        "name_missing": "dê um nome.",
        "control_characters": "o texto tem caracteres de controle (tabulação, quebra de linha); remova-os.",
        "retention_range": "a retenção deve ser de 1 a {max} dias.",
        "consent_text_too_long": "o texto de consentimento pode ter no máximo {max} caracteres.",
        "email_invalid": "isto não é um endereço de e-mail.",
        "email_taken": "já existe um usuário com o e-mail {email}.",
        "api_key_name_missing": "dê um nome à chave de API.",
        "range_reversed": "a data inicial ({since}) é depois da final ({until}); inverta as datas.",
        "range_too_long": "o período tem {days} dias; escolha no máximo {max} dias de cada vez.",
        "imgsz_invalid": "o tamanho de entrada deve ser múltiplo de {stride}, de {min} a {max}.",
        "rotation_invalid": "o giro da imagem deve ser 0, 90, 180 ou 270 graus.",
        "source_webcam_index": "o número da webcam deve ser inteiro, como webcam:0.",
        "source_unsupported": "o endereço começa com {scheme}://, que não é de câmera; use rtsp://, rtsps://, "
        "http:// ou https://.",
        "source_no_host": "o endereço da câmera não tem um host ou porta válidos; escreva como "
        "rtsp://usuario:senha@192.168.1.20:554/stream.",
        "source_no_scheme": "parece o endereço de uma câmera sem o início; comece com rtsp:// ou http://.",
        "source_media_folder": "o servidor só reproduz vídeos da sua pasta de mídia: coloque o vídeo em {folder} e "
        "informe o nome dele.",
        "source_metadata": "{host} é um serviço de metadados da nuvem, não uma câmera; informe o endereço da câmera.",
        "source_unresolved": "o nome {host} não foi encontrado a partir deste servidor; confira o endereço da câmera.",
        "source_this_server": "{host} não é o endereço de uma câmera (significa este servidor); informe o endereço "
        "da câmera.",
        "source_loopback": "{host} é o próprio servidor, que as câmeras não podem usar; informe o endereço da câmera "
        "na rede, ou defina CAMERA_ALLOW_LOOPBACK=true se um retransmissor de vídeo roda nesta máquina.",
        "source_link_local": "{host} é um endereço local de enlace (169.254.x.x); dê à câmera um endereço da rede "
        "(DHCP ou fixo), ou defina CAMERA_ALLOW_LINK_LOCAL=true.",
        "source_reserved": "{host} não é o endereço de uma câmera (multicast ou reservado); confira o endereço.",
        "source_redacted": "o endereço ainda tem *** no lugar da senha: digite o endereço completo, ou deixe-o "
        "como está para manter o salvo.",
        "source_url_ambiguous": "o endereço tem '/', '?' ou '#' antes do '@'; no usuário e na senha escreva-os como "
        "%2F, %3F e %23.",
        "uniform_name_missing": "dê um nome ao uniforme.",
        "uniform_no_colour": "escolha a cor da parte de cima, a de baixo ou as duas.",
        "uniform_bad_colour": "cada cor são três números de 0 a 255 (vermelho, verde, azul).",
        "uniform_tolerance_range": "a tolerância deve ser maior que 0 e no máximo 100.",
        "uniform_share_range": "a parte da roupa que precisa combinar deve ser maior que 0 e no máximo 1.",
        "uniform_box_outside": "a caixa sai da imagem; desenhe-a dentro do quadro.",
        "uniform_box_short": "a caixa é baixa demais; desenhe-a em volta de uma pessoa com pelo menos {min} px de "
        "altura.",
        "uniform_box_narrow": "a caixa é estreita demais para ler as cores da roupa.",
        "probe_ok": "imagens de {size}.",
        "probe_busy": "já há {max} testes de conexão em andamento; tente de novo em alguns segundos.",
        "probe_no_verdict": "não foi possível testar; os detalhes estão no registro do servidor.",
        "probe_file_slow": "o arquivo não foi lido em {seconds} s; confira se é um vídeo.",
        "probe_webcam_silent": "a webcam não mandou imagem em {seconds} s; confira se está ligada e livre.",
        "probe_unreachable": "a câmera em {address} não respondeu; confira o endereço, a porta e se ela está ligada.",
        "probe_unreadable": "não foi possível ler o vídeo desta fonte.",
        "probe_no_picture": "a fonte abriu, mas não mandou imagem.",
        "not_found": "isto não existe mais; recarregue a página.",
        "not_allowed": "o seu perfil não permite esta ação; fale com o proprietário da loja.",
        "unexplained": "confira os valores informados e tente de novo.",
    },
    "en": {
        "password_too_short": "choose a longer password, of at least {min} characters.",
        "password_too_long": "the password may have at most {max} characters.",
        "password_common": "this password is among the most common; choose another.",
        "password_has_email": "the password must not contain your e-mail address or its name; choose another.",
        "password_guessable": "this password is easy to guess; choose a longer one, such as a few unrelated words.",
        "password_current_wrong": "the current password is not right.",
        "last_owner": "the organisation needs at least one active owner; make someone else owner first.",
        "too_many_lines": "a camera has at most {limit} lines (there were {count}); remove some.",
        "too_many_zones": "a camera has at most {limit} zones (there were {count}); remove some.",
        "coordinate_outside": "{where}: a point is outside the picture; draw inside the frame.",
        "line_name_missing": "give the line a name.",
        "line_points_equal": "line “{name}” has its two points equal; mark two different points.",
        "zone_name_missing": "give the zone a name.",
        "zone_too_few_points": "zone “{name}” needs at least 3 points.",
        "zone_too_many_points": "zone “{name}” has more than {limit} corners; outline it with fewer points.",
        "zone_repeated_corner": "zone “{name}” has two corners on the same point.",
        "zone_edges_cross": "the sides of zone “{name}” cross; mark the corners in order around the zone.",
        "zone_no_area": "zone “{name}” has no area: its points lie on one line.",
        "names_repeated": "the name “{name}” is used twice; each line or zone needs a name of its own.",
        "hours_bad_day": "the opening hours name a day that does not exist.",
        "hours_bad_time": "{day}: write opening and closing times as HH:MM (00:00 to 23:59).",
        "hours_open_equals_close": "{day}: opens and closes at {time}; untick the day if the store is closed.",
        "staff_after_range": "the stay that makes someone staff must be above 0 and at most {max} minutes.",
        "sample_fps_range": "the analysis rate must be above 0 and at most {max} frames per second.",
        "camera_name_missing": "give the camera a name.",
        "camera_source_missing": "give the camera's address (rtsp://…, http://…, a video file or a webcam).",
        "timezone_unknown": "unknown time zone; choose one from the list, such as America/Sao_Paulo.",
        "name_missing": "give it a name.",
        "control_characters": "the text holds control characters (tab, new line); remove them.",
        "retention_range": "retention must be from 1 to {max} days.",
        "consent_text_too_long": "the consent text may have at most {max} characters.",
        "email_invalid": "this is not an e-mail address.",
        "email_taken": "a user with the e-mail {email} already exists.",
        "api_key_name_missing": "give the API key a name.",
        "range_reversed": "the start date ({since}) is after the end date ({until}); swap them.",
        "range_too_long": "the period covers {days} days; choose at most {max} days at a time.",
        "imgsz_invalid": "the input size must be a multiple of {stride} from {min} to {max}.",
        "rotation_invalid": "the picture's turn must be 0, 90, 180 or 270 degrees.",
        "source_webcam_index": "a webcam's number must be a whole number, such as webcam:0.",
        "source_unsupported": "the address starts with {scheme}://, which is not a camera's; use rtsp://, rtsps://, "
        "http:// or https://.",
        "source_no_host": "the camera's address has no valid host or port; write it like "
        "rtsp://user:password@192.168.1.20:554/stream.",
        "source_no_scheme": "this looks like a camera's address without its start; begin it with rtsp:// or http://.",
        "source_media_folder": "the server only plays videos from its media folder: put the video in {folder} and "
        "give its name.",
        "source_metadata": "{host} is a cloud metadata service, not a camera; give the camera's address.",
        "source_unresolved": "the name {host} could not be found from this server; check the camera's address.",
        "source_this_server": "{host} is not a camera's address (it means this server); give the camera's address.",
        "source_loopback": "{host} is this server itself, which cameras may not use; give the camera's network "
        "address, or set CAMERA_ALLOW_LOOPBACK=true if a stream relay runs on this machine.",
        "source_link_local": "{host} is a link-local address (169.254.x.x); give the camera a LAN address (DHCP or "
        "fixed), or set CAMERA_ALLOW_LINK_LOCAL=true.",
        "source_reserved": "{host} is not a camera's address (multicast or reserved); check the address.",
        "source_redacted": "the address still holds *** in place of the password: type the full address, or leave "
        "it as shown to keep the saved one.",
        "source_url_ambiguous": "the address has a '/', '?' or '#' before its '@'; write them in the user name and "
        "password as %2F, %3F and %23.",
        "uniform_name_missing": "give the uniform a name.",
        "uniform_no_colour": "choose the upper colour, the lower colour or both.",
        "uniform_bad_colour": "each colour is three numbers from 0 to 255 (red, green, blue).",
        "uniform_tolerance_range": "the tolerance must be above 0 and at most 100.",
        "uniform_share_range": "the share of the clothing that must match must be above 0 and at most 1.",
        "uniform_box_outside": "the box goes outside the picture; draw it inside the frame.",
        "uniform_box_short": "the box is too short; draw it round a person at least {min} px tall.",
        "uniform_box_narrow": "the box is too narrow to read the clothing's colours.",
        "probe_ok": "{size} pictures.",
        "probe_busy": "{max} connection tests are already running; try again in a few seconds.",
        "probe_no_verdict": "could not test it; the details are in the server log.",
        "probe_file_slow": "the file was not read within {seconds} s; check that it is a video.",
        "probe_webcam_silent": "the webcam gave no picture within {seconds} s; check that it is plugged in and free.",
        "probe_unreachable": "the camera at {address} did not answer; check the address, the port and that it is on.",
        "probe_unreadable": "could not read video from this source.",
        "probe_no_picture": "the source opened but sent no picture.",
        "not_found": "this no longer exists; reload the page.",
        "not_allowed": "your role does not allow this; ask the store's owner.",
        "unexplained": "check the values you entered and try again.",
    },
}


def _worded(params: Mapping[str, object], lang: Lang) -> dict[str, object]:
    """The details as the reader writes them: dates dd/mm/aaaa in Portuguese, numbers with their separators,
    weekdays by name."""
    worded: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, date):
            worded[key] = report_i18n.format_date(value, lang)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            worded[key] = report_i18n.format_number(value, lang, 0 if float(value).is_integer() else 1)
        elif key == "day" and isinstance(value, str):
            worded[key] = translate(lang, f"weekday_{value}")
        else:
            worded[key] = value
    return worded


def explain(error: object, lang: Lang | None = None) -> str:
    """`error` (an exception, or anything with a `code` and `params`, like a connection test's result) in words
    for the reader, ending with a full stop."""
    lang = lang or current_lang()
    code = str(getattr(error, "code", "") or "")
    wording = PROBLEMS[lang].get(code) if code else None
    if wording is not None:
        return _capitalised(wording.format(**_worded(getattr(error, "params", {}), lang)))
    if isinstance(error, NotFoundError):
        return _capitalised(PROBLEMS[lang]["not_found"])
    if isinstance(error, AccessDeniedError):
        return _capitalised(PROBLEMS[lang]["not_allowed"])
    if lang == "en":
        text = str(getattr(error, "message", error)).strip()
        return _capitalised(text if text.endswith(".") else f"{text}.")
    log.info("shown in general words (no %s wording yet): %s: %s", lang, type(error).__name__, error)
    return _capitalised(PROBLEMS[lang]["unexplained"])


def failed(action: str, error: object) -> str:
    """ "Could not <action>. <what went wrong>", the action as written inside a sentence."""
    return translate(current_lang(), "action_failed", action=action[:1].lower() + action[1:], message=explain(error))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
