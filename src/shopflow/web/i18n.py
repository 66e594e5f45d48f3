"""The dashboard's words in Brazilian Portuguese (the default) and English, and numbers, dates and times in the
reader's language on the store's clock.

The language is the signed-in user's (`users.language`), kept in the browser session so the sign-in page
follows it too. Figure names shared with the exports come from reports/i18n.py, so a CSV column and a card
say the same thing.

Over 400 lines because nearly all of it is the two message tables, kept side by side in one file so a message
added in one language is seen missing in the other (a test checks both have the same keys).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from nicegui import app

from shopflow.domain.cameras import CameraStatus
from shopflow.reports import i18n as report_i18n
from shopflow.reports.i18n import DEFAULT_LANG, LANGUAGES, Lang

LANG_KEY = "lang"

CATALOGUE: dict[Lang, dict[str, str]] = {
    "pt-BR": {
        # navigation and frame
        "nav_overview": "Visão geral",
        "nav_cameras": "Câmeras",
        "nav_analytics": "Análises",
        "nav_settings": "Configurações",
        "store": "Loja",
        "demo": "demonstração",
        "account": "Conta",
        "sign_out": "Sair",
        "no_store": "Nenhuma loja cadastrada ainda.",
        "not_allowed": "Você não tem permissão para fazer isto. Peça a um proprietário ou gerente.",
        "action_failed": "Não foi possível {action}: {message}",
        # sign-in and first run
        "sign_in_title": "Entrar",
        "sign_in": "Entrar",
        "email": "E-mail",
        "password": "Senha",
        "repeat_password": "Repita a senha",
        "wrong_credentials": "E-mail ou senha incorretos.",
        "too_many_sign_ins": "Muitas tentativas sem sucesso. Tente de novo em {seconds} segundos.",
        "setup_title": "Primeiro acesso",
        "setup_text": "Crie a conta do administrador (proprietário). Ela poderá criar as contas da equipe depois.",
        "setup_needs_token": "Para criar o primeiro administrador, abra o link de configuração mostrado no registro "
        "(log) do servidor ao iniciar, ou rode `shopflow user create` no servidor.",
        "create_admin": "Criar administrador",
        "passwords_differ": "As duas senhas não são iguais.",
        # overview
        "people_now": "Pessoas na loja agora",
        "entries_today": "Entradas hoje",
        "potential_customers_today": "Clientes potenciais hoje",
        "employees_present": "Funcionários presentes",
        "groups_today": "Grupos hoje",
        "average_dwell_today": "Permanência média hoje",
        "vs_last_week": "{change} vs. mesma hora da semana passada",
        "no_comparison": "sem dados da semana passada",
        "hourly_flow_title": "Entradas por hora: hoje e o mesmo dia da semana passada",
        "today": "Hoje",
        "same_day_last_week": "Mesmo dia da semana passada",
        "entries": "Entradas",
        "recent_events": "Eventos recentes",
        "no_events_yet": "Nenhum evento ainda hoje.",
        "feed_entry": "Entrada pela linha “{place}”",
        "feed_exit": "Saída pela linha “{place}”",
        "feed_crossing": "Passagem pela linha “{place}”",
        "feed_visit": "Visita à zona “{place}”",
        "live_cameras": "Câmeras ao vivo",
        "live_now": "ao vivo",
        "live_picture": "Imagem ao vivo da câmera com as pessoas marcadas",
        "people_in_view": "{n} à vista",
        "legend_customer": "Cliente",
        "legend_group": "Cliente em grupo",
        "legend_employee": "Funcionário",
        "demo_banner": "Loja de demonstração: os números vêm do vídeo de exemplo, não de uma loja real.",
        "camera_offline_banner": "A câmera “{name}” não está contando ({status})",
        "first_step_title": "Comece adicionando uma câmera",
        "first_step_text": "Informe o endereço da câmera (RTSP ou HTTP), teste a conexão e desenhe a linha da "
        "porta. Os números aparecem aqui assim que ela começar a contar.",
        "ask_manager": "Peça a um proprietário ou gerente para adicionar a primeira câmera.",
        # cameras
        "add_camera": "Adicionar câmera",
        "new_camera": "Nova câmera",
        "edit_camera": "Editar câmera",
        "edit_camera_named": "Editar câmera “{name}”",
        "camera_not_found": "A câmera {id} não existe.",
        "no_cameras_yet": "Nenhuma câmera nesta loja ainda. Use “Adicionar câmera”.",
        "enabled": "Ativa",
        "edit": "Editar",
        "delete": "Excluir",
        "cancel": "Cancelar",
        "save": "Salvar",
        "saved": "Salvo.",
        "create": "criar",
        "close": "Fechar",
        "remove": "Remover",
        "refresh": "Atualizar",
        "camera_enabled": "Câmera ativada.",
        "camera_disabled": "Câmera desativada.",
        "camera_deleted": "Câmera “{name}” excluída.",
        "camera_saved": "Câmera “{name}” salva. As mudanças já valem para a contagem.",
        "delete_camera_question": "Excluir a câmera “{name}”?",
        "delete_camera_warning": "Todos os eventos dela serão apagados. Para guardar o histórico, desative-a.",
        "geometry_count": "{lines} linha(s), {zones} zona(s)",
        "last_frame": "Última imagem: {when}",
        "fps_measured": "{fps} quadros/s",
        "never": "nunca",
        "camera_name": "Nome da câmera",
        "source_url": "Endereço da câmera (URL)",
        "source_help": "Ex.: rtsp://usuario:senha@192.168.1.20:554/stream1, http://.../video.mjpg, o nome de "
        "um arquivo de vídeo na pasta de mídia do servidor (DATA_DIR/media) ou o número de uma webcam.",
        "loop_video": "Repetir o vídeo quando terminar",
        "test_connection": "Testar conexão",
        "connection_ok": "Conexão funcionando: {message}",
        "connection_failed": "A conexão falhou: {message}",
        "lines_and_zones": "Linhas de contagem e zonas",
        "test_first": "Teste a conexão para ver uma imagem da câmera e desenhar sobre ela.",
        "draw_line": "Desenhar linha",
        "draw_zone": "Desenhar zona",
        "hint_line": "Clique em dois pontos da imagem para criar uma linha. A seta mostra o lado de dentro da loja.",
        "hint_zone": "Clique nos cantos da zona, em ordem, e depois em “Concluir zona”.",
        "finish_zone": "Concluir zona",
        "undo_point": "Desfazer ponto",
        "snapshot_alt": "Imagem da câmera para desenhar linhas e zonas",
        "line_default_name": "linha",
        "zone_default_name": "zona",
        "line_added": "Linha criada. Dê um nome a ela e confira o lado de dentro.",
        "line_needs_two_points": "Clique em dois pontos diferentes.",
        "zone_needs_three": "Uma zona precisa de pelo menos 3 pontos.",
        "no_geometry": "Nenhuma linha ou zona ainda.",
        "line_name": "Nome da linha",
        "zone_name": "Nome da zona",
        "zone_points": "{n} pontos",
        "flip_inside": "Inverter lado de dentro",
        "inside_label": "dentro",
        # statuses
        "status_online": "online",
        "status_offline": "offline",
        "status_error": "com erro",
        "status_disabled": "desativada",
        "status_starting": "iniciando",
        "status_finished": "vídeo concluído",
        # analytics
        "since": "De",
        "until": "Até",
        "show": "Mostrar",
        "analytics_failed": "Não foi possível mostrar o período: {message}",
        "analytics_no_cameras": "Adicione uma câmera para ver as análises da loja.",
        "daily_series": "Por dia",
        "hourly_series": "Por hora",
        "hourly_too_long": "Escolha até 31 dias para ver a série por hora.",
        "peak_hours": "Horários de pico",
        "no_entries_in_range": "Nenhuma entrada no período.",
        "n_entries": "{n} entradas",
        "comparison_title": "Comparação com o período anterior ({since} – {until})",
        "figure": "Indicador",
        "this_period": "Este período",
        "previous_period": "Período anterior",
        "change": "Variação",
        "zone_dwell": "Permanência por zona (clientes)",
        "no_zones_configured": "Nenhuma zona configurada nas câmeras.",
        "former_zone": "zona removida",
        "heatmap_title": "Mapa de calor: {name}",
        "heatmap_alt": "Mapa de calor de onde as pessoas ficaram na imagem da câmera {name}",
        "exports": "Exportar",
        "export_csv": "Baixar CSV",
        "export_xlsx": "Baixar Excel (XLSX)",
        "export_pdf": "Baixar relatório PDF",
        "pdf_note": "O relatório PDF é do último dia do período ({day}).",
        # settings
        "tab_store": "Loja",
        "tab_users": "Usuários",
        "tab_api_keys": "Chaves de API",
        "tab_privacy": "Privacidade",
        "tab_system": "Sistema",
        "store_name": "Nome da loja",
        "timezone": "Fuso horário",
        "opening_hours": "Horário de funcionamento",
        "opening_hours_help": "Desmarque os dias em que a loja fecha. Um fechamento antes da abertura "
        "significa que a loja fecha depois da meia-noite.",
        "opens": "Abre",
        "closes": "Fecha",
        "weekday_mon": "Segunda-feira",
        "weekday_tue": "Terça-feira",
        "weekday_wed": "Quarta-feira",
        "weekday_thu": "Quinta-feira",
        "weekday_fri": "Sexta-feira",
        "weekday_sat": "Sábado",
        "weekday_sun": "Domingo",
        "role": "Papel",
        "language": "Idioma",
        "role_owner": "Proprietário",
        "role_manager": "Gerente",
        "role_viewer": "Visualizador",
        "new_user": "Novo usuário",
        "create_user": "Criar usuário",
        "user_created": "Usuário {email} criado.",
        "owner_only": "Só um proprietário pode mudar isto.",
        "api_keys_help": "Chaves para as pontes (bridges) que enviam dados a este servidor. A chave aparece "
        "uma única vez, ao ser criada.",
        "no_api_keys": "Nenhuma chave criada.",
        "key_name": "Nome da chave",
        "key_name_example": "ex.: ponte da loja Centro",
        "create_key": "Criar chave",
        "key_created": "Chave “{name}” criada",
        "key_shown_once": "Copie a chave agora: ela não será mostrada de novo.",
        "created_at": "criada em {when}",
        "last_used": "último uso: {when}",
        "revoked": "revogada",
        "revoke": "Revogar",
        "key_revoked": "Chave “{name}” revogada.",
        "retention_days": "Guardar eventos por (dias)",
        "retention_help": "Eventos mais antigos que isto podem ser apagados.",
        "face_recognition": "Reconhecimento facial de funcionários",
        "face_recognition_help": "Desligado por padrão. Só ligue com o consentimento por escrito de cada "
        "funcionário (LGPD).",
        "consent_text": "Texto do termo de consentimento",
        "version": "Versão",
        "database": "Banco de dados",
        "database_ok": "respondendo ({ms} ms)",
        "database_down": "O banco de dados não respondeu: {message}",
        "pipeline": "Análise das câmeras",
        "pipeline_off": "desligada neste servidor",
        "detector_loaded": "Detector de pessoas carregado",
        "cameras_online": "Câmeras online",
        "cameras_by_status": "Câmeras por situação",
        "analytics_updated": "Análises atualizadas em",
        "yes": "sim",
        "no": "não",
    },
    "en": {
        "nav_overview": "Overview",
        "nav_cameras": "Cameras",
        "nav_analytics": "Analytics",
        "nav_settings": "Settings",
        "store": "Store",
        "demo": "demo",
        "account": "Account",
        "sign_out": "Sign out",
        "no_store": "No store yet.",
        "not_allowed": "You are not allowed to do this. Ask an owner or a manager.",
        "action_failed": "Could not {action}: {message}",
        "sign_in_title": "Sign in",
        "sign_in": "Sign in",
        "email": "E-mail",
        "password": "Password",
        "repeat_password": "Repeat the password",
        "wrong_credentials": "Wrong e-mail or password.",
        "too_many_sign_ins": "Too many failed attempts. Try again in {seconds} seconds.",
        "setup_title": "First run",
        "setup_text": "Create the administrator's (owner's) account. It can create the team's accounts later.",
        "setup_needs_token": "To create the first administrator, open the set-up link the server printed in its "
        "log when it started, or run `shopflow user create` on the server.",
        "create_admin": "Create administrator",
        "passwords_differ": "The two passwords differ.",
        "people_now": "People in the store now",
        "entries_today": "Entries today",
        "potential_customers_today": "Potential customers today",
        "employees_present": "Employees present",
        "groups_today": "Groups today",
        "average_dwell_today": "Average dwell today",
        "vs_last_week": "{change} vs. the same time last week",
        "no_comparison": "no data from last week",
        "hourly_flow_title": "Entries per hour: today and the same weekday last week",
        "today": "Today",
        "same_day_last_week": "Same weekday last week",
        "entries": "Entries",
        "recent_events": "Recent events",
        "no_events_yet": "No events yet today.",
        "feed_entry": "Entry through line “{place}”",
        "feed_exit": "Exit through line “{place}”",
        "feed_crossing": "Crossed line “{place}”",
        "feed_visit": "Visit to zone “{place}”",
        "live_cameras": "Live cameras",
        "live_now": "live",
        "live_picture": "The camera's live picture with people marked",
        "people_in_view": "{n} in view",
        "legend_customer": "Customer",
        "legend_group": "Customer in a group",
        "legend_employee": "Employee",
        "demo_banner": "Demo store: the figures come from the sample video, not from a real store.",
        "camera_offline_banner": "Camera “{name}” is not counting ({status})",
        "first_step_title": "Start by adding a camera",
        "first_step_text": "Give the camera's address (RTSP or HTTP), test the connection and draw the door's "
        "line. The figures appear here as soon as it starts counting.",
        "ask_manager": "Ask an owner or a manager to add the first camera.",
        "add_camera": "Add camera",
        "new_camera": "New camera",
        "edit_camera": "Edit camera",
        "edit_camera_named": "Edit camera “{name}”",
        "camera_not_found": "Camera {id} does not exist.",
        "no_cameras_yet": "No camera in this store yet. Use “Add camera”.",
        "enabled": "Enabled",
        "edit": "Edit",
        "delete": "Delete",
        "cancel": "Cancel",
        "save": "Save",
        "saved": "Saved.",
        "create": "create",
        "close": "Close",
        "remove": "Remove",
        "refresh": "Refresh",
        "camera_enabled": "Camera enabled.",
        "camera_disabled": "Camera disabled.",
        "camera_deleted": "Camera “{name}” deleted.",
        "camera_saved": "Camera “{name}” saved. Counting uses the changes already.",
        "delete_camera_question": "Delete camera “{name}”?",
        "delete_camera_warning": "All its events will be deleted. To keep its history, disable it instead.",
        "geometry_count": "{lines} line(s), {zones} zone(s)",
        "last_frame": "Last picture: {when}",
        "fps_measured": "{fps} frames/s",
        "never": "never",
        "camera_name": "Camera name",
        "source_url": "Camera address (URL)",
        "source_help": "E.g. rtsp://user:password@192.168.1.20:554/stream1, http://.../video.mjpg, the name of a "
        "video file in the server's media folder (DATA_DIR/media), or a webcam number.",
        "loop_video": "Play the video again when it ends",
        "test_connection": "Test connection",
        "connection_ok": "Connection works: {message}",
        "connection_failed": "The connection failed: {message}",
        "lines_and_zones": "Counting lines and zones",
        "test_first": "Test the connection to see a picture from the camera and draw on it.",
        "draw_line": "Draw a line",
        "draw_zone": "Draw a zone",
        "hint_line": "Click two points of the picture to make a line. The arrow shows the store's inside.",
        "hint_zone": "Click the zone's corners in order, then “Finish zone”.",
        "finish_zone": "Finish zone",
        "undo_point": "Undo point",
        "snapshot_alt": "A picture from the camera to draw lines and zones on",
        "line_default_name": "line",
        "zone_default_name": "zone",
        "line_added": "Line added. Name it and check its inside.",
        "line_needs_two_points": "Click two different points.",
        "zone_needs_three": "A zone needs at least 3 points.",
        "no_geometry": "No line or zone yet.",
        "line_name": "Line name",
        "zone_name": "Zone name",
        "zone_points": "{n} points",
        "flip_inside": "Flip the inside",
        "inside_label": "inside",
        "status_online": "online",
        "status_offline": "offline",
        "status_error": "error",
        "status_disabled": "disabled",
        "status_starting": "starting",
        "status_finished": "video finished",
        "since": "From",
        "until": "To",
        "show": "Show",
        "analytics_failed": "Could not show the period: {message}",
        "analytics_no_cameras": "Add a camera to see the store's analytics.",
        "daily_series": "Per day",
        "hourly_series": "Per hour",
        "hourly_too_long": "Choose up to 31 days to see the hourly series.",
        "peak_hours": "Peak hours",
        "no_entries_in_range": "No entries in the period.",
        "n_entries": "{n} entries",
        "comparison_title": "Compared with the previous period ({since} – {until})",
        "figure": "Figure",
        "this_period": "This period",
        "previous_period": "Previous period",
        "change": "Change",
        "zone_dwell": "Dwell per zone (customers)",
        "no_zones_configured": "No zones configured on the cameras.",
        "former_zone": "removed zone",
        "heatmap_title": "Heatmap: {name}",
        "heatmap_alt": "Heatmap of where people stood in the picture of camera {name}",
        "exports": "Export",
        "export_csv": "Download CSV",
        "export_xlsx": "Download Excel (XLSX)",
        "export_pdf": "Download PDF report",
        "pdf_note": "The PDF report is of the period's last day ({day}).",
        "tab_store": "Store",
        "tab_users": "Users",
        "tab_api_keys": "API keys",
        "tab_privacy": "Privacy",
        "tab_system": "System",
        "store_name": "Store name",
        "timezone": "Time zone",
        "opening_hours": "Opening hours",
        "opening_hours_help": "Untick the days the store is closed. A closing time before the opening time means "
        "the store closes after midnight.",
        "opens": "Opens",
        "closes": "Closes",
        "weekday_mon": "Monday",
        "weekday_tue": "Tuesday",
        "weekday_wed": "Wednesday",
        "weekday_thu": "Thursday",
        "weekday_fri": "Friday",
        "weekday_sat": "Saturday",
        "weekday_sun": "Sunday",
        "role": "Role",
        "language": "Language",
        "role_owner": "Owner",
        "role_manager": "Manager",
        "role_viewer": "Viewer",
        "new_user": "New user",
        "create_user": "Create user",
        "user_created": "User {email} created.",
        "owner_only": "Only an owner can change this.",
        "api_keys_help": "Keys for the bridges that send data to this server. A key is shown once, when it is made.",
        "no_api_keys": "No keys yet.",
        "key_name": "Key name",
        "key_name_example": "e.g. bridge of the Centro store",
        "create_key": "Create key",
        "key_created": "Key “{name}” created",
        "key_shown_once": "Copy the key now: it will not be shown again.",
        "created_at": "created {when}",
        "last_used": "last used: {when}",
        "revoked": "revoked",
        "revoke": "Revoke",
        "key_revoked": "Key “{name}” revoked.",
        "retention_days": "Keep events for (days)",
        "retention_help": "Events older than this may be deleted.",
        "face_recognition": "Employee face recognition",
        "face_recognition_help": "Off by default. Only turn it on with each employee's written consent (LGPD).",
        "consent_text": "Consent form text",
        "version": "Version",
        "database": "Database",
        "database_ok": "answering ({ms} ms)",
        "database_down": "The database did not answer: {message}",
        "pipeline": "Camera analysis",
        "pipeline_off": "off on this server",
        "detector_loaded": "Person detector loaded",
        "cameras_online": "Cameras online",
        "cameras_by_status": "Cameras by status",
        "analytics_updated": "Analytics updated",
        "yes": "yes",
        "no": "no",
    },
}


def current_lang() -> Lang:
    """The language of this browser session (the signed-in user's), pt-BR when none was chosen."""
    try:
        value = app.storage.user.get(LANG_KEY, DEFAULT_LANG)
    except RuntimeError:  # outside a page (a background task): the default
        return DEFAULT_LANG
    for known in LANGUAGES:
        if value == known:
            return known
    return DEFAULT_LANG


def translate(lang: Lang, key: str, **values: object) -> str:
    text = CATALOGUE[lang].get(key)
    if text is None:  # a missing word shows its key rather than breaking the page
        text = CATALOGUE[DEFAULT_LANG].get(key, key)
    return text.format(**values) if values else text


def t(key: str, **values: object) -> str:
    return translate(current_lang(), key, **values)


def label(key: str) -> str:
    """A figure's name as the exports write it (Entradas, Clientes potenciais...)."""
    return report_i18n.label(current_lang(), key)


def status_text(status: CameraStatus) -> str:
    return t(f"status_{CameraStatus(status).value}")


def fmt_number(value: float | None, digits: int = 0) -> str:
    return report_i18n.format_number(value, current_lang(), digits)


def fmt_percent(value: float | None) -> str:
    return report_i18n.format_percent(value, current_lang())


def fmt_duration(seconds: float | None) -> str:
    return report_i18n.format_duration(seconds, current_lang())


def fmt_date(day: date) -> str:
    return report_i18n.format_date(day, current_lang())


def _local(moment: datetime, timezone: str | None) -> datetime:
    return moment if timezone is None else moment.astimezone(ZoneInfo(timezone))


def fmt_time(moment: datetime, timezone: str | None = None) -> str:
    """HH:MM of `moment`, on the store's clock when `timezone` is given (else as it is)."""
    return report_i18n.format_time(_local(moment, timezone))


def fmt_datetime(moment: datetime, timezone: str | None = None) -> str:
    return report_i18n.format_datetime(_local(moment, timezone), current_lang())
