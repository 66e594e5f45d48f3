"""The dashboard's words in Brazilian Portuguese (the default) and English, and numbers, dates and times in the
reader's language on the store's clock.

The language is the signed-in user's (`users.language`), kept in the browser session so the sign-in page
follows it too. Figure names shared with the exports come from reports/i18n.py, so a CSV column and a card
say the same thing.

Over 400 lines because nearly all of it is the two message tables, kept side by side in one file so a message
added in one language is seen missing in the other (a test checks both have the same keys).
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from zoneinfo import ZoneInfo

from nicegui import app, ui

from shopflow.domain.cameras import CameraStatus
from shopflow.reports import i18n as report_i18n
from shopflow.reports.i18n import DEFAULT_LANG, LANGUAGES, Lang

LANG_KEY = "lang"

CATALOGUE: dict[Lang, dict[str, str]] = {
    "pt-BR": {
        # navigation and frame
        "nav_overview": "Visão geral",
        "nav_cameras": "Câmeras",
        "nav_employees": "Funcionários",
        "nav_analytics": "Análises",
        "nav_settings": "Configurações",
        "store": "Loja",
        "demo": "demonstração",
        "account": "Conta",
        "sign_out": "Sair",
        "navigation": "Navegação",
        "page_not_found": "Esta página não existe.",
        "page_not_found_help": "Confira o endereço ou volte à visão geral.",
        "page_failed": "Esta página falhou.",
        "page_failed_help": "O problema foi registrado no log do servidor. Tente de novo em instantes.",
        "back_to_overview": "Voltar à visão geral",
        "no_store": "Nenhuma loja cadastrada ainda.",
        "not_allowed": "Você não tem permissão para fazer isto. Peça a um proprietário ou gerente.",
        "action_failed": "Não foi possível {action}. {message}",
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
        "zero_last_week": "0 na mesma hora da semana passada",
        "no_data": "sem dados",
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
        # "à vista" reads as cash payment to a Brazilian shopkeeper.
        "people_in_view": "{n} pessoas na imagem",
        "people_in_view_one": "1 pessoa na imagem",
        "legend_customer": "Cliente",
        "legend_group": "Cliente em grupo",
        "legend_employee": "Funcionário",
        "legend_line_signs": "Nas linhas: +entradas -saídas; nas zonas: pessoas dentro agora; #número de cada pessoa",
        "demo_banner": "Loja de demonstração: os números vêm do vídeo de exemplo, não de uma loja real.",
        "demo_scene": "O vídeo mostra uma praça por onde passam mais pessoas saindo do que entrando: ter mais saídas "
        "do que entradas aqui é normal, não um erro de contagem.",
        "camera_offline_banner": "A câmera “{name}” não está contando ({status})",
        "first_step_title": "Comece adicionando uma câmera",
        "first_step_text": "Informe o endereço da câmera (RTSP ou HTTP), teste a conexão e desenhe a linha da "
        "porta. Os números aparecem aqui assim que ela começar a contar.",
        "ask_manager": "Peça a um proprietário ou gerente para adicionar a primeira câmera.",
        # what each figure means, shown where the figure is (web/explain.py)
        "what_is_this": "O que é “{name}”?",
        "explain_people_now": "Pessoas que as câmeras veem agora dentro da loja, clientes e funcionários. Se duas "
        "câmeras veem o mesmo lugar, a mesma pessoa pode contar duas vezes.",
        "explain_entries": "Quantas vezes alguém cruzou uma linha de entrada para dentro, funcionários incluídos. "
        "“Entradas de clientes” são as mesmas sem os funcionários.",
        "explain_customer_entries": "As entradas sem os funcionários: só quem as câmeras não reconheceram como "
        "funcionário.",
        "explain_exits": "Quantas vezes alguém cruzou uma linha de entrada para fora, funcionários incluídos.",
        "explain_potential_customers": "Quantas compras podem acontecer: quem entra sozinho conta 1, um grupo de 2 a "
        "4 pessoas juntas (um casal, uma família) conta 1, um grupo maior conta 2. Funcionários não contam.",
        "explain_groups": "Quantos grupos de clientes andaram juntos pela loja: pessoas lado a lado, no mesmo ritmo, "
        "por pelo menos 2 segundos.",
        "explain_employees_present": "Funcionários que as câmeras veem agora: reconhecidos pelo rosto (com "
        "consentimento), pelo uniforme, por estarem na área de funcionários ou por ficarem muito tempo.",
        "explain_average_dwell": "Quanto tempo, em média, um cliente ficou em cada zona desenhada nas câmeras.",
        "explain_visits": "Visitas: quantas vezes um cliente entrou na zona.",
        "explain_mean": "Média: o tempo total das visitas dividido pelo número de visitas.",
        "explain_median": "Mediana: metade das visitas durou menos que isto, metade durou mais.",
        "explain_p90": "P90: 9 de cada 10 visitas duraram até este tempo; só 1 em 10 durou mais.",
        "explain_change": "Variação: quanto o período subiu (+) ou caiu (−) em relação ao período anterior de mesmo "
        "tamanho.",
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
        "no_line_warning": "Esta câmera não tem linha de contagem: ela não conta entradas nem saídas. Edite-a e "
        "desenhe a linha da porta.",
        "camera_off_note": "Desativada: não analisa imagens nem conta ninguém.",
        "geometry_count": "{lines} linha(s), {zones} zona(s)",
        "last_frame": "Última imagem: {when}",
        "fps_measured": "{fps} quadros/s",
        "never": "nunca",
        "camera_name": "Nome da câmera",
        "source_url": "Endereço da câmera (URL)",
        "source_placeholder": "rtsp://usuario:senha@192.168.1.20:554/stream1",
        "source_help": "Ex.: rtsp://usuario:senha@192.168.1.20:554/stream1, http://.../video.mjpg, o nome de "
        "um arquivo de vídeo na pasta de mídia do servidor (DATA_DIR/media) ou o número de uma webcam.",
        "loop_video": "Repetir o vídeo quando terminar",
        "rotation": "Girar a imagem",
        "rotation_0": "Sem giro",
        "rotation_90": "90° no sentido horário",
        "rotation_180": "180° (câmera de cabeça para baixo)",
        "rotation_270": "90° no sentido anti-horário",
        "rotation_help": "Para uma câmera instalada de cabeça para baixo ou de lado: a imagem é girada antes da "
        "contagem, e as linhas e zonas giram junto com ela.",
        "test_connection": "Testar conexão",
        "connection_ok": "Conexão funcionando. {message}",
        "connection_failed": "A conexão falhou. {message}",
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
        # camera status reasons (web/camera_reasons.py recognises the workers' sentences)
        "reason_no_video_from": "sem vídeo de {address}: confira o endereço, a porta, o caminho do vídeo, o usuário "
        "e a senha, e se a câmera está ligada",
        "reason_url_has_no_host": "o endereço não tem o nome ou o IP da câmera",
        "reason_no_webcam": "nenhuma webcam responde no número {index} (confira se está conectada e se outro programa "
        "não a está usando; os números começam em 0)",
        "reason_no_first_frame": "conectou, mas nenhuma imagem chegou (esperou {seconds} s)",
        "reason_undecodable": "conectou, mas a primeira imagem não pôde ser lida",
        "reason_opencv_error": "erro {code} ao ler o vídeo",
        "reason_no_frame_for": "nenhuma imagem há {seconds} s",
        "reason_stream_ended": "o vídeo parou (a câmera ou o servidor fechou a conexão)",
        "reason_connecting": "conectando à câmera",
        "reason_receiving": "recebendo vídeo de {width}x{height}",
        "reason_frames_dropped": "{n} imagens puladas: a análise é mais lenta que a câmera",
        "reason_internal_error": "erro interno do servidor (os detalhes estão no registro do servidor)",
        "reason_video_finished": "o vídeo foi analisado até o fim",
        "reason_server_stopped": "o servidor do ShopFlow foi parado",
        "reason_starting": "iniciando",
        "reason_retrying": "{reason} (nova tentativa em {seconds} s)",
        "camera_no_picture": "Sem imagem desta câmera ainda.",
        "last_good_picture": "Última imagem recebida: {when}",
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
        "bad_date": "“{value}” não é uma data. Digite a data como {pattern}, por exemplo {example}.",
        "date_pattern": "dd/mm/aaaa",
        "analytics_failed": "Não foi possível mostrar o período. {message}",
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
        "pdf_note": "O relatório PDF cobre o período ({since} – {until}) e o compara com o período anterior.",
        "export_by": "Uma linha por",
        "export_by_hour": "Hora",
        "export_by_day": "Dia",
        "export_by_zone": "Zona",
        "export_opening_only": "Só o horário de funcionamento",
        "outside_hours_today": "Fora do horário de funcionamento hoje: {entries} entradas, {exits} saídas (equipe "
        "chegando, limpeza); não entram nos números acima.",
        "outside_hours_period": "Fora do horário de funcionamento: {entries} entradas, {exits} saídas (equipe "
        "chegando, limpeza); não entram nos números acima.",
        # settings
        "tab_store": "Loja",
        "tab_users": "Usuários",
        "tab_api_keys": "Chaves de API",
        "tab_privacy": "Privacidade",
        "tab_system": "Sistema",
        "tab_account": "Minha conta",
        "account_signed_in_as": "Você entrou como {email}.",
        "change_password": "Alterar senha",
        "current_password": "Senha atual",
        "new_password": "Nova senha",
        "password_changed": "Senha alterada. Suas outras sessões foram encerradas.",
        "sign_out_everywhere": "Sair de todos os dispositivos",
        "sign_out_everywhere_help": "Encerra todas as suas sessões e tokens de API, inclusive esta: use se perdeu um "
        "celular ou tablet com a sessão aberta.",
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
        "user_inactive": "sem acesso",
        "user_may_sign_in": "Pode entrar",
        "user_changed": "Usuário {email} alterado; as sessões abertas dele foram encerradas.",
        "reset_password": "Redefinir senha",
        "reset_password_for": "Nova senha para {email}",
        "reset_password_what": "Todas as sessões abertas desta pessoa são encerradas; passe a nova senha a ela "
        "pessoalmente.",
        "password_reset_done": "Senha de {email} redefinida.",
        "remove_user": "Remover",
        "remove_user_question": "Remover {email}?",
        "remove_user_what": "A pessoa perde o acesso na hora. O registro de auditoria do que ela fez continua. "
        "Para só suspender o acesso, desligue “Pode entrar”.",
        "user_removed": "Usuário {email} removido.",
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
        "revoke_key_question": "Revogar a chave “{name}”?",
        "revoke_key_warning": "As pontes que usam esta chave deixam de enviar dados. Isto não pode ser desfeito.",
        "copy": "Copiar",
        "copied": "Copiado.",
        "copy_failed": "Não foi possível copiar: selecione a chave e copie com Ctrl+C.",
        "retention_days": "Guardar eventos por (dias)",
        "retention_help": "Uma vez por dia, os eventos detalhados (cada passagem, visita e contagem) mais antigos "
        "que isto são apagados de vez (LGPD). Os totais por hora, que os números, as análises e os relatórios usam, "
        "ficam guardados por mais tempo, então os relatórios de períodos antigos continuam disponíveis.",
        "face_recognition": "Reconhecimento facial de funcionários",
        "face_from_camera": "Tirar a foto desta câmera",
        "face_from_camera_pick": "Câmera",
        "face_from_camera_help": "Peça ao funcionário que fique sozinho diante da câmera, olhando para ela; a imagem "
        "é verificada como uma foto enviada e descartada (só os números do rosto ficam).",
        "face_from_camera_none": "A câmera “{name}” não mandou imagem agora; confira se está ligada.",
        "keep_face_photos": "Guardar as fotos de cadastro dos funcionários",
        "keep_face_photos_help": "Desligado, cada foto é descartada assim que vira os números que descrevem o rosto. "
        "Ligado, as fotos ficam guardadas para recadastrar os rostos se o modelo mudar ou mostrar ao funcionário o que "
        "foi cadastrado; saem com a exclusão do funcionário ou a retirada do consentimento, e todas são apagadas ao "
        "desligar esta opção.",
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
        # employees
        "employees_help": "Cadastre quem trabalha na loja para não ser contado como cliente. O reconhecimento facial "
        "só vale para quem consentiu por escrito (LGPD); quem não quiser é reconhecido pelo uniforme ou pelas zonas de "
        "funcionários.",
        "new_employee": "Novo funcionário",
        "employee_name": "Nome",
        "employee_code": "Matrícula",
        "department": "Departamento",
        "position": "Cargo",
        "add_employee": "Cadastrar funcionário",
        "employee_added": "Funcionário “{name}” cadastrado.",
        "employee_needs_name": "Informe o nome do funcionário.",
        "employee_needs_code": "Informe a matrícula do funcionário.",
        "employee_code_taken": "A matrícula “{code}” já é usada nesta loja.",
        "no_employees_yet": "Nenhum funcionário cadastrado nesta loja ainda.",
        "active": "Ativo",
        "inactive": "inativo",
        "employee_activated": "Funcionário reativado.",
        "employee_deactivated": "Funcionário desativado: ele deixa de ser reconhecido pelo rosto.",
        "no_consent": "sem consentimento",
        "consent_method_face": "reconhecimento facial",
        "consent_method_no_biometrics": "sem biometria (uniforme e zonas)",
        "consent_summary": "Consentimento: {method} (termo {version}, registrado por {by} em {when})",
        "faces_count": "Fotos do rosto: {n} de {max}",
        "record_consent": "Registrar consentimento",
        "consent_method": "O que o funcionário aceitou",
        "consent_version": "Versão do termo",
        "consent_recorded_by": "Registrado por",
        "consent_no_biometrics_note": "Sem biometria, as fotos do rosto já cadastradas são apagadas.",
        "consent_needs_version": "Informe a versão do termo de consentimento.",
        "consent_needs_recorder": "Informe quem registrou o consentimento.",
        "consent_recorded": "Consentimento registrado.",
        "upload_photo": "Enviar foto do rosto",
        "photo_help": "Uma foto por vez (JPEG ou PNG), só com o rosto do funcionário, de frente e nítido. A foto não "
        "é guardada: só os números que descrevem o rosto.",
        "photo_needs_consent": "Para cadastrar fotos do rosto, registre antes o consentimento ao reconhecimento "
        "facial.",
        "photos_full": "Já tem as {max} fotos permitidas.",
        "face_enrolled": "Foto cadastrada: {n} de {max}.",
        "photo_refused": "Foto recusada: {reason}",
        "face_problem_not_an_image": "o arquivo não é uma imagem. Envie uma foto JPEG ou PNG.",
        "face_problem_too_large": "a foto é grande demais. Envie uma de até {mb} MB e {megapixels} megapixels.",
        "face_problem_no_face": "nenhum rosto encontrado. Use uma foto do funcionário de frente para a câmera.",
        "face_problem_several_faces": "há mais de um rosto na foto. Use uma foto só com o funcionário.",
        "face_problem_too_small": "o rosto está pequeno demais (precisa de pelo menos {px} px de largura). Tire a "
        "foto mais de perto ou com resolução maior.",
        "face_problem_too_blurred": "o rosto está borrado. Segure a câmera firme e foque no rosto.",
        "face_problem_unavailable": "o reconhecimento facial não está instalado neste servidor.",
        "enrol_refused_no_consent": "Registre antes o consentimento do funcionário ao reconhecimento facial.",
        "enrol_refused_full": "Este funcionário já tem as {max} fotos permitidas.",
        "erase": "Apagar dados (LGPD)",
        "erase_question": "Apagar os dados de “{name}”?",
        "erase_what": "Serão apagados: as fotos do rosto cadastradas (os números que descrevem o rosto), o nome, a "
        "matrícula, o departamento, o cargo e o registro de consentimento. Fica só um registro inativo “(apagado)”, "
        "para as contagens antigas continuarem dizendo “um funcionário”, e a exclusão é anotada no registro de "
        "auditoria. Não dá para desfazer.",
        "erase_confirm": "Apagar definitivamente",
        "employee_erased": "Dados de “{name}” apagados.",
        "erased_record": "Registro apagado (LGPD) em {when}",
        # staff rules, uniform, consent withdrawal and attendance (issue 13)
        "staff_rules_title": "Regras de funcionários desta câmera",
        "staff_rules_help": "Duas regras opcionais para não contar funcionários como clientes, sem biometria: nada "
        "sobre a pessoa é guardado. Quando uma regra decide que alguém é funcionário, o que essa pessoa já fez antes "
        "(entradas, visitas) também deixa de contar como cliente.",
        "staff_zones_title": "Zonas só de funcionários",
        "staff_zones_help": "Desenhe as áreas onde cliente não entra, como atrás do balcão ou a porta do estoque. "
        "Quem entrar numa delas passa a contar como funcionário.",
        "staff_zone_default_name": "área de funcionários",
        "no_staff_zones": "Nenhuma zona só de funcionários.",
        "long_stay_title": "Permanência longa",
        "long_stay_help": "Quem ficar à vista desta câmera por mais minutos do que o número abaixo passa a contar "
        "como funcionário (um cliente raramente fica tanto tempo). Deixe em branco para desligar esta regra.",
        "long_stay_minutes": "Minutos (em branco: desligada)",
        "staff_rules_label": "Funcionários: {rules}",
        "staff_zones_count": "{n} zona(s) só de funcionários",
        "long_stay_summary": "quem fica mais de {minutes} min",
        "uniform_title": "Uniforme da loja",
        "uniform_read": "Ler o uniforme",
        "uniform_help": "O jeito sem biometria de reconhecer funcionários: quem usa as cores do uniforme em vários "
        "quadros seguidos conta como funcionário. Guarda só duas cores (parte de cima e parte de baixo) e um nome, "
        "nada sobre nenhuma pessoa. As câmeras passam a usar o uniforme em até 30 segundos.",
        "no_uniform": "Nenhum uniforme cadastrado: ninguém é reconhecido pela roupa.",
        "uniform_current": "Uniforme “{name}”:",
        "uniform_upper": "Parte de cima",
        "uniform_lower": "Parte de baixo",
        "uniform_upper_any": "qualquer cor",
        "uniform_lower_any": "qualquer cor",
        "uniform_rgb": "RGB {rgb}",
        "uniform_remove": "Remover uniforme",
        "uniform_removed": "Uniforme removido: ninguém mais é reconhecido pela roupa.",
        "uniform_by_colours": "Escolher as cores",
        "uniform_by_picture": "Tirar as cores de uma imagem",
        "uniform_colours_help": "Marque as partes que fazem parte do uniforme. Uma parte desmarcada aceita qualquer "
        "cor (por exemplo, camisa do uniforme com a calça de cada um).",
        "uniform_name": "Nome do uniforme",
        "uniform_default_name": "uniforme",
        "uniform_upper_colour": "Cor da parte de cima",
        "uniform_lower_colour": "Cor da parte de baixo",
        "uniform_save": "Salvar uniforme",
        "uniform_saved": "Uniforme “{name}” salvo. As câmeras passam a usá-lo em até 30 segundos.",
        "uniform_bad_colour": "“{value}” não é uma cor. Escolha a cor no seletor.",
        "uniform_needs_name": "Dê um nome ao uniforme.",
        "uniform_needs_a_colour": "Marque a parte de cima, a parte de baixo ou as duas.",
        "uniform_picture_help": "Capture a imagem atual de uma câmera (ou envie uma foto) com um funcionário de "
        "uniforme, de corpo inteiro, e desenhe uma caixa em volta dele. A imagem fica só nesta página enquanto você "
        "desenha; nada dela é guardado, só as duas cores.",
        "uniform_camera": "Câmera",
        "uniform_take_picture": "Capturar imagem agora",
        "uniform_upload_photo": "Ou envie uma foto",
        "uniform_no_cameras": "Nenhuma câmera ligada nesta loja: envie uma foto.",
        "uniform_no_picture": "A câmera “{name}” não enviou imagem agora. Confira na página Câmeras se ela está "
        "ligada e funcionando.",
        "uniform_photo_unusable": "Não foi possível usar esta foto: envie uma imagem JPEG ou PNG de até 10 MB.",
        "uniform_box_hint": "Clique em dois cantos opostos de uma caixa em volta da pessoa inteira, da cabeça aos pés.",
        "uniform_picture_alt": "Imagem para desenhar a caixa em volta de um funcionário de uniforme",
        "uniform_with_lower": "Usar também a cor da parte de baixo",
        "uniform_use_box": "Usar as cores desta pessoa",
        "uniform_draw_box_first": "Desenhe antes a caixa: clique em dois cantos opostos em volta da pessoa.",
        "uniform_box_too_small": "A caixa é pequena demais para ler as cores: desenhe em volta de uma pessoa com pelo "
        "menos {px} pixels de altura.",
        "withdraw_consent": "Retirar consentimento ao rosto",
        "withdraw_question": "Retirar o consentimento de “{name}” ao reconhecimento facial?",
        "withdraw_what": "As fotos do rosto cadastradas (os números que descrevem o rosto) são apagadas e o "
        "funcionário deixa de ser reconhecido pelo rosto. Ele continua cadastrado e ainda é reconhecido pelo "
        "uniforme e pelas zonas de funcionários. A retirada é anotada no registro de auditoria.",
        "withdraw_confirm": "Retirar consentimento",
        "consent_withdrawn": "Consentimento de “{name}” ao reconhecimento facial retirado; as fotos do rosto foram "
        "apagadas.",
        "attendance_title": "Presenças",
        "attendance_help": "Quando cada funcionário reconhecido pelo rosto esteve na loja num dia, no horário da "
        "loja. É dado pessoal: só proprietários e gerentes veem, e cada consulta fica no registro de auditoria. "
        "Quem é reconhecido pelo uniforme ou pelas zonas não tem nome: só é contado.",
        "attendance_day": "Dia",
        "attendance_show": "Ver presenças",
        "attendance_of_day": "Presenças de {day}",
        "attendance_employee": "Funcionário",
        "attendance_first_seen": "Chegada (primeira vez visto)",
        "attendance_last_seen": "Saída (última vez visto)",
        "attendance_on_floor": "Tempo na loja",
        "attendance_cameras": "Câmeras",
        "attendance_nobody": "Nenhum funcionário reconhecido pelo rosto neste dia.",
        "attendance_staff_tracks": "Pessoas contadas como funcionário neste dia: {n}",
        "attendance_rule_count": "{rule}: {n}",
        "staff_rule_face": "pelo rosto",
        "staff_rule_uniform": "pelo uniforme",
        "staff_rule_staff_zone": "zona de funcionários",
        "staff_rule_long_stay": "permanência longa",
        "attendance_corrected": "Passagens corrigidas de cliente para funcionário: {n}",
    },
    "en": {
        "nav_overview": "Overview",
        "nav_cameras": "Cameras",
        "nav_employees": "Employees",
        "nav_analytics": "Analytics",
        "nav_settings": "Settings",
        "store": "Store",
        "demo": "demo",
        "account": "Account",
        "sign_out": "Sign out",
        "navigation": "Navigation",
        "page_not_found": "This page does not exist.",
        "page_not_found_help": "Check the address or go back to the overview.",
        "page_failed": "This page failed.",
        "page_failed_help": "The problem was written to the server log. Try again in a moment.",
        "back_to_overview": "Back to the overview",
        "no_store": "No store yet.",
        "not_allowed": "You are not allowed to do this. Ask an owner or a manager.",
        "action_failed": "Could not {action}. {message}",
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
        "zero_last_week": "0 at the same time last week",
        "no_data": "no data",
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
        "people_in_view": "{n} people in the picture",
        "people_in_view_one": "1 person in the picture",
        "legend_customer": "Customer",
        "legend_group": "Customer in a group",
        "legend_employee": "Employee",
        "legend_line_signs": "On lines: +entries -exits; on zones: people inside now; #number of each person",
        "demo_banner": "Demo store: the figures come from the sample video, not from a real store.",
        "demo_scene": "The video shows a plaza where more people leave than enter: more exits than entries here is "
        "normal, not a counting error.",
        "camera_offline_banner": "Camera “{name}” is not counting ({status})",
        "first_step_title": "Start by adding a camera",
        "first_step_text": "Give the camera's address (RTSP or HTTP), test the connection and draw the door's "
        "line. The figures appear here as soon as it starts counting.",
        "ask_manager": "Ask an owner or a manager to add the first camera.",
        # what each figure means, shown where the figure is (web/explain.py)
        "what_is_this": "What is “{name}”?",
        "explain_people_now": "People the cameras see inside the store now, customers and staff. When two cameras "
        "see the same place, one person may count twice.",
        "explain_entries": "How many times someone crossed an entrance line inwards, staff included. “Customer "
        "entries” are the same without the staff.",
        "explain_customer_entries": "Entries without the staff: only the people the cameras did not recognise as "
        "employees.",
        "explain_exits": "How many times someone crossed an entrance line outwards, staff included.",
        "explain_potential_customers": "How many purchases may happen: someone alone counts 1, a group of 2 to 4 "
        "people together (a couple, a family) counts 1, a larger group counts 2. Staff do not count.",
        "explain_groups": "How many groups of customers walked through the store together: people side by side, at "
        "the same pace, for at least 2 seconds.",
        "explain_employees_present": "Employees the cameras see now: recognised by face (with consent), by the "
        "uniform, by being in the staff area or by staying a long time.",
        "explain_average_dwell": "How long, on average, a customer stayed in each zone drawn on the cameras.",
        "explain_visits": "Visits: how many times a customer went into the zone.",
        "explain_mean": "Mean: the visits' total time divided by the number of visits.",
        "explain_median": "Median: half the visits were shorter than this, half were longer.",
        "explain_p90": "P90: 9 in 10 visits lasted up to this long; only 1 in 10 lasted longer.",
        "explain_change": "Change: how much the period went up (+) or down (−) from the previous period of the same "
        "length.",
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
        "no_line_warning": "This camera has no counting line: it counts no entries or exits. Edit it and draw the "
        "door's line.",
        "camera_off_note": "Disabled: it analyses no pictures and counts nobody.",
        "geometry_count": "{lines} line(s), {zones} zone(s)",
        "last_frame": "Last picture: {when}",
        "fps_measured": "{fps} frames/s",
        "never": "never",
        "camera_name": "Camera name",
        "source_url": "Camera address (URL)",
        "source_placeholder": "rtsp://user:password@192.168.1.20:554/stream1",
        "source_help": "E.g. rtsp://user:password@192.168.1.20:554/stream1, http://.../video.mjpg, the name of a "
        "video file in the server's media folder (DATA_DIR/media), or a webcam number.",
        "loop_video": "Play the video again when it ends",
        "rotation": "Turn the picture",
        "rotation_0": "No turn",
        "rotation_90": "90° clockwise",
        "rotation_180": "180° (camera mounted upside down)",
        "rotation_270": "90° counter-clockwise",
        "rotation_help": "For a camera mounted upside down or on its side: the picture is turned before counting, "
        "and the lines and zones turn with it.",
        "test_connection": "Test connection",
        "connection_ok": "Connection works. {message}",
        "connection_failed": "The connection failed. {message}",
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
        "reason_no_video_from": "no video from {address}: check the address, the port, the stream path, the user name "
        "and password, and that the camera is on",
        "reason_url_has_no_host": "the address has no host name or IP of the camera",
        "reason_no_webcam": "no webcam answers at number {index} (check that it is plugged in and not used by another "
        "program; numbers start at 0)",
        "reason_no_first_frame": "connected, but no picture arrived (waited {seconds} s)",
        "reason_undecodable": "connected, but the first picture could not be read",
        "reason_opencv_error": "error {code} reading the video",
        "reason_no_frame_for": "no picture for {seconds} s",
        "reason_stream_ended": "the video stopped (the camera or the server closed the connection)",
        "reason_connecting": "connecting to the camera",
        "reason_receiving": "receiving {width}x{height} video",
        "reason_frames_dropped": "{n} pictures skipped: the analysis is slower than the camera",
        "reason_internal_error": "internal server error (the details are in the server's log)",
        "reason_video_finished": "the video has been analysed to its end",
        "reason_server_stopped": "the ShopFlow server was stopped",
        "reason_starting": "starting",
        "reason_retrying": "{reason} (trying again in {seconds} s)",
        "camera_no_picture": "No picture from this camera yet.",
        "last_good_picture": "Last picture received: {when}",
        "status_online": "online",
        "status_offline": "offline",
        "status_error": "error",
        "status_disabled": "disabled",
        "status_starting": "starting",
        "status_finished": "video finished",
        "since": "From",
        "until": "To",
        "show": "Show",
        "bad_date": "“{value}” is not a date. Type the date as {pattern}, for example {example}.",
        "date_pattern": "yyyy-mm-dd",
        "analytics_failed": "Could not show the period. {message}",
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
        "pdf_note": "The PDF report covers the period ({since} – {until}) and compares it with the one before.",
        "export_by": "One row per",
        "export_by_hour": "Hour",
        "export_by_day": "Day",
        "export_by_zone": "Zone",
        "export_opening_only": "Opening hours only",
        "outside_hours_today": "Outside opening hours today: {entries} entries, {exits} exits (staff arriving, "
        "cleaning); not in the figures above.",
        "outside_hours_period": "Outside opening hours: {entries} entries, {exits} exits (staff arriving, cleaning); "
        "not in the figures above.",
        "tab_store": "Store",
        "tab_users": "Users",
        "tab_api_keys": "API keys",
        "tab_privacy": "Privacy",
        "tab_system": "System",
        "tab_account": "My account",
        "account_signed_in_as": "You are signed in as {email}.",
        "change_password": "Change password",
        "current_password": "Current password",
        "new_password": "New password",
        "password_changed": "Password changed. Your other sessions were ended.",
        "sign_out_everywhere": "Sign out everywhere",
        "sign_out_everywhere_help": "Ends all your sessions and API tokens, this one included: use it if you lost a "
        "phone or tablet that was signed in.",
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
        "user_inactive": "no access",
        "user_may_sign_in": "May sign in",
        "user_changed": "User {email} changed; their open sessions were ended.",
        "reset_password": "Reset password",
        "reset_password_for": "New password for {email}",
        "reset_password_what": "All of this person's open sessions end; give them the new password in person.",
        "password_reset_done": "{email}'s password was reset.",
        "remove_user": "Remove",
        "remove_user_question": "Remove {email}?",
        "remove_user_what": "They lose access at once. The audit log of what they did stays. To only suspend "
        "access, turn off “May sign in”.",
        "user_removed": "User {email} removed.",
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
        "revoke_key_question": "Revoke key “{name}”?",
        "revoke_key_warning": "The bridges that use this key stop sending data. This cannot be undone.",
        "copy": "Copy",
        "copied": "Copied.",
        "copy_failed": "Could not copy: select the key and copy it with Ctrl+C.",
        "retention_days": "Keep events for (days)",
        "retention_help": "Once a day, detailed events (each crossing, visit and count) older than this are deleted "
        "for good (LGPD). The hourly totals that the figures, analytics and reports use are kept longer, so reports "
        "of older periods stay available.",
        "face_recognition": "Employee face recognition",
        "face_from_camera": "Take the photo from this camera",
        "face_from_camera_pick": "Camera",
        "face_from_camera_help": "Ask the employee to stand alone in front of the camera, facing it; the picture is "
        "checked like an uploaded photo and dropped (only the face's numbers stay).",
        "face_from_camera_none": "Camera “{name}” sent no picture just now; check that it is on.",
        "keep_face_photos": "Keep employees' enrolment photos",
        "keep_face_photos_help": "Off, each photo is dropped as soon as it becomes the numbers that describe the face. "
        "On, the photos are kept to re-enrol faces if the model changes or to show an employee what was enrolled; they "
        "go with the employee's erasure or withdrawn consent, and all are deleted when this is turned off.",
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
        "employees_help": "Register the people who work in the store so they are not counted as customers. Face "
        "recognition only applies to those who consented in writing (LGPD); anyone who does not want it is told apart "
        "by the uniform or the staff zones.",
        "new_employee": "New employee",
        "employee_name": "Name",
        "employee_code": "Employee id",
        "department": "Department",
        "position": "Position",
        "add_employee": "Add employee",
        "employee_added": "Employee “{name}” added.",
        "employee_needs_name": "Give the employee's name.",
        "employee_needs_code": "Give the employee id.",
        "employee_code_taken": "Employee id “{code}” is already used in this store.",
        "no_employees_yet": "No employees in this store yet.",
        "active": "Active",
        "inactive": "inactive",
        "employee_activated": "Employee reactivated.",
        "employee_deactivated": "Employee deactivated: their face is no longer recognised.",
        "no_consent": "no consent",
        "consent_method_face": "face recognition",
        "consent_method_no_biometrics": "no biometrics (uniform and zones)",
        "consent_summary": "Consent: {method} (text {version}, recorded by {by} on {when})",
        "faces_count": "Face photos: {n} of {max}",
        "record_consent": "Record consent",
        "consent_method": "What the employee agreed to",
        "consent_version": "Consent text version",
        "consent_recorded_by": "Recorded by",
        "consent_no_biometrics_note": "With no biometrics, face photos already enrolled are deleted.",
        "consent_needs_version": "Give the consent text's version.",
        "consent_needs_recorder": "Say who recorded the consent.",
        "consent_recorded": "Consent recorded.",
        "upload_photo": "Upload a face photo",
        "photo_help": "One photo at a time (JPEG or PNG), with only the employee's face, from the front and sharp. The "
        "photo is not kept: only the numbers that describe the face.",
        "photo_needs_consent": "To enrol face photos, first record the employee's consent to face recognition.",
        "photos_full": "Already has the {max} photos allowed.",
        "face_enrolled": "Photo enrolled: {n} of {max}.",
        "photo_refused": "Photo refused: {reason}",
        "face_problem_not_an_image": "the file is not an image. Send a JPEG or PNG photo.",
        "face_problem_too_large": "the photo is too large. Send one of at most {mb} MB and {megapixels} megapixels.",
        "face_problem_no_face": "no face found. Use a photo of the employee facing the camera.",
        "face_problem_several_faces": "there is more than one face in the photo. Use a photo of the employee alone.",
        "face_problem_too_small": "the face is too small (it must be at least {px} px wide). Take the photo closer "
        "or at a higher resolution.",
        "face_problem_too_blurred": "the face is blurred. Hold the camera still and focus on the face.",
        "face_problem_unavailable": "face recognition is not installed on this server.",
        "enrol_refused_no_consent": "First record the employee's consent to face recognition.",
        "enrol_refused_full": "This employee already has the {max} photos allowed.",
        "erase": "Erase data (LGPD)",
        "erase_question": "Erase “{name}”'s data?",
        "erase_what": "This erases the enrolled face photos (the numbers that describe the face), the name, the "
        "employee id, the department, the position and the consent record. Only an inactive “(erased)” record stays, "
        "so past counts still say “an employee”, and the erasure is written to the audit log. It cannot be undone.",
        "erase_confirm": "Erase for good",
        "employee_erased": "“{name}”'s data erased.",
        "erased_record": "Record erased (LGPD) on {when}",
        # staff rules, uniform, consent withdrawal and attendance (issue 13)
        "staff_rules_title": "This camera's staff rules",
        "staff_rules_help": "Two optional rules that keep staff out of the customer counts, with no biometrics: "
        "nothing about the person is kept. Once a rule decides someone is staff, what they did before (entries, "
        "visits) stops counting as a customer's too.",
        "staff_zones_title": "Staff-only zones",
        "staff_zones_help": "Draw the areas customers do not enter, such as behind the counter or the stock-room "
        "door. Whoever enters one counts as staff.",
        "staff_zone_default_name": "staff area",
        "no_staff_zones": "No staff-only zone.",
        "long_stay_title": "Long stay",
        "long_stay_help": "Whoever stays in this camera's view longer than the minutes below counts as staff (a "
        "customer rarely stays that long). Leave it empty to turn this rule off.",
        "long_stay_minutes": "Minutes (empty: off)",
        "staff_rules_label": "Staff: {rules}",
        "staff_zones_count": "{n} staff-only zone(s)",
        "long_stay_summary": "whoever stays over {minutes} min",
        "uniform_title": "Store uniform",
        "uniform_read": "Read the uniform",
        "uniform_help": "The no-biometrics way to tell staff apart: whoever wears the uniform's colours over several "
        "frames counts as staff. It keeps only two colours (upper and lower body) and a name, nothing about any "
        "person. The cameras use the uniform within 30 seconds.",
        "no_uniform": "No uniform registered: nobody is told apart by their clothes.",
        "uniform_current": "Uniform “{name}”:",
        "uniform_upper": "Upper body",
        "uniform_lower": "Lower body",
        "uniform_upper_any": "any colour",
        "uniform_lower_any": "any colour",
        "uniform_rgb": "RGB {rgb}",
        "uniform_remove": "Remove uniform",
        "uniform_removed": "Uniform removed: nobody is told apart by their clothes any more.",
        "uniform_by_colours": "Pick the colours",
        "uniform_by_picture": "Take the colours from a picture",
        "uniform_colours_help": "Tick the parts the uniform has. An unticked part matches any colour (for example, a "
        "uniform shirt with everyone's own trousers).",
        "uniform_name": "Uniform name",
        "uniform_default_name": "uniform",
        "uniform_upper_colour": "Upper body colour",
        "uniform_lower_colour": "Lower body colour",
        "uniform_save": "Save uniform",
        "uniform_saved": "Uniform “{name}” saved. The cameras use it within 30 seconds.",
        "uniform_bad_colour": "“{value}” is not a colour. Pick the colour with the picker.",
        "uniform_needs_name": "Give the uniform a name.",
        "uniform_needs_a_colour": "Tick the upper body, the lower body or both.",
        "uniform_picture_help": "Take a camera's current picture (or upload a photo) with an employee in uniform, "
        "head to toe, and draw a box round them. The picture stays only on this page while you draw; nothing of it "
        "is kept, only the two colours.",
        "uniform_camera": "Camera",
        "uniform_take_picture": "Take picture now",
        "uniform_upload_photo": "Or upload a photo",
        "uniform_no_cameras": "No camera is on in this store: upload a photo.",
        "uniform_no_picture": "Camera “{name}” sent no picture just now. Check on the Cameras page that it is on and "
        "working.",
        "uniform_photo_unusable": "This photo cannot be used: upload a JPEG or PNG image of up to 10 MB.",
        "uniform_box_hint": "Click two opposite corners of a box round the whole person, head to toe.",
        "uniform_picture_alt": "Picture to draw a box round an employee in uniform",
        "uniform_with_lower": "Use the lower body's colour too",
        "uniform_use_box": "Use this person's colours",
        "uniform_draw_box_first": "Draw the box first: click two opposite corners round the person.",
        "uniform_box_too_small": "The box is too small to read the colours: draw it round a person at least {px} "
        "pixels tall.",
        "withdraw_consent": "Withdraw face consent",
        "withdraw_question": "Withdraw “{name}”'s consent to face recognition?",
        "withdraw_what": "The enrolled face photos (the numbers that describe the face) are deleted and the employee "
        "is no longer recognised by their face. They stay registered and are still told apart by the uniform and "
        "the staff zones. The withdrawal is written to the audit log.",
        "withdraw_confirm": "Withdraw consent",
        "consent_withdrawn": "“{name}”'s consent to face recognition withdrawn; the face photos were deleted.",
        "attendance_title": "Attendance",
        "attendance_help": "When each employee recognised by their face was in the store on a day, on the store's "
        "clock. This is personal data: only owners and managers see it, and every look is written to the audit log. "
        "Staff told apart by the uniform or the zones have no name: they are only counted.",
        "attendance_day": "Day",
        "attendance_show": "Show attendance",
        "attendance_of_day": "Attendance on {day}",
        "attendance_employee": "Employee",
        "attendance_first_seen": "Arrived (first seen)",
        "attendance_last_seen": "Left (last seen)",
        "attendance_on_floor": "Time in the store",
        "attendance_cameras": "Cameras",
        "attendance_nobody": "No employee recognised by their face on this day.",
        "attendance_staff_tracks": "People counted as staff on this day: {n}",
        "attendance_rule_count": "{rule}: {n}",
        "staff_rule_face": "by face",
        "staff_rule_uniform": "by uniform",
        "staff_rule_staff_zone": "staff zone",
        "staff_rule_long_stay": "long stay",
        "attendance_corrected": "Crossings moved from customer to staff: {n}",
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


# The language NiceGUI renders a page in: it names the page (`<html lang>`, for screen readers and translators) and
# chooses the words Quasar draws itself (a date picker's months and weekdays, a table's "rows per page").
QUASAR_LANGUAGES: dict[Lang, str] = {"pt-BR": "pt-BR", "en": "en-US"}


def render_in_reader_language() -> None:
    """Render the page being built in the reader's language rather than the app-wide pt-BR.

    NiceGUI takes a page's language from its route, shared by every visitor; this page's client gets a copy of
    the route with the reader's language, so an English reader's date picker says "January", not "Janeiro".
    """
    client = ui.context.client
    wanted = QUASAR_LANGUAGES[current_lang()]
    if client.page.resolve_language() != wanted:
        page = copy.copy(client.page)
        page.language = wanted  # type: ignore[assignment]
        client.page = page


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


# How each language types a date: pt-BR as 25/11/2026, English as the exports write it (ISO). ISO is taken in
# either language too, as the API and links use it. The picker's mask is the same pattern in Quasar's letters.
_TYPED_DATES: dict[Lang, tuple[str, ...]] = {"pt-BR": ("%d/%m/%Y", "%Y-%m-%d"), "en": ("%Y-%m-%d",)}
_PICKER_MASKS: dict[Lang, str] = {"pt-BR": "DD/MM/YYYY", "en": "YYYY-MM-DD"}


def parse_date(text: object) -> date | None:
    """A date as the reader types it (see _TYPED_DATES), or None when it is not one."""
    typed = str(text or "").strip()
    for pattern in _TYPED_DATES[current_lang()]:
        try:
            return datetime.strptime(typed, pattern).date()
        except ValueError:
            continue
    return None


def date_picker_mask() -> str:
    return _PICKER_MASKS[current_lang()]


def _local(moment: datetime, timezone: str | None) -> datetime:
    return moment if timezone is None else moment.astimezone(ZoneInfo(timezone))


def fmt_time(moment: datetime, timezone: str | None = None) -> str:
    """HH:MM of `moment`, on the store's clock when `timezone` is given (else as it is)."""
    return report_i18n.format_time(_local(moment, timezone))


def fmt_datetime(moment: datetime, timezone: str | None = None) -> str:
    return report_i18n.format_datetime(_local(moment, timezone), current_lang())
