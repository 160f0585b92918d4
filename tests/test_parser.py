"""The text command parser: every form, both languages, and no input that breaks it."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.commands.dates import parse_due, parse_due_field
from bot.commands.due_phrases import DueReading, read_due
from bot.commands.grammar import ERROR_CODES, ParseError
from bot.customers.commands import CustomerCommand
from bot.domains import REGISTRY
from bot.issues.commands.parser import IssueCommand
from bot.limits import MAX_TEXT
from bot.requests.commands.parser import (
    Assign,
    AskInfo,
    Claim,
    Command,
    Comment,
    Help,
    Language,
    Mine,
    NewRequest,
    OpenForm,
    Queue,
    Rate,
    Reassign,
    Reject,
    Reopen,
    Resolve,
    View,
    Withdraw,
)
from bot.teams.commands import ListTeams, ShowTeam
from bot.i18n import t
from bot.text import fold, fold_map

parse, parse_line = REGISTRY.parse, REGISTRY.parse_line

WEDNESDAY = date(2026, 11, 25)
FRIDAY = date(2026, 11, 27)


def pedir(text: str, today: date = WEDNESDAY, locale: str = "es"):  # noqa: ANN201
    return parse("/pedir", text, today, locale)


# --- fold ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [("Mañana", "manana"), ("MIÉRCOLES", "miercoles"), ("Sábado", "sabado"),
     ("ｐｅｄｉｒ", "pedir"), ("man\u0303ana", "manana"), ("Straße", "strasse")],
)  # fmt: skip
def test_fold_strips_case_and_accents(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize("raw", ["Ñandú ÁRBOL", "Straße Ñ", "man\u0303ana É", "ｐｅｄｉｒ ﬁn", "İstanbul"])
def test_fold_map_indexes_every_folded_character(raw: str) -> None:
    """Folding the whole text (one translate when it can) is folding each character."""
    folded, index = fold_map(raw)
    expected = [(c, i) for i, ch in enumerate(raw) for c in fold(ch)]
    assert (folded, index) == ("".join(c for c, _ in expected), [i for _, i in expected])


# --- commands and aliases -----------------------------------------------------


@pytest.mark.parametrize("command", ["/pedir", "pedir", "/PEDIR", "/request", "Request", " /pedir "])
def test_empty_text_opens_the_form(command: str) -> None:
    assert parse(command, "", WEDNESDAY) == OpenForm()
    assert parse(command, "  \n\t ", WEDNESDAY) == OpenForm()


def test_unknown_command_names_it() -> None:
    assert parse("/pedido", "x", WEDNESDAY) == ParseError("unknown_command", "/pedido")


@pytest.mark.parametrize("command", ["/equipos", "equipos", "/teams", "/EQUIPOS"])
def test_list_teams(command: str) -> None:
    assert parse(command, "", WEDNESDAY) == ListTeams()


@pytest.mark.parametrize(
    ("command", "text", "team"),
    [("/equipo", "@facturacion", "facturacion"), ("/team", "soporte", "soporte"),
     ("/equipo", "  recursos   humanos ", "recursos humanos"), ("/equipos", "@legal", "legal")],
)  # fmt: skip
def test_show_team(command: str, text: str, team: str) -> None:
    assert parse(command, text, WEDNESDAY) == ShowTeam(team)


def test_show_team_without_a_name_names_the_command_in_the_locale() -> None:
    assert parse("/equipo", "", WEDNESDAY) == ParseError("missing_argument", "equipo")
    assert parse("/team", " @ ", WEDNESDAY, "en") == ParseError("missing_argument", "team")


# --- subcommands --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("mis", Mine()), ("MINE", Mine()), ("my", Mine()), ("ayuda", Help()), ("Help", Help()),
     ("¿ayuda?", Help()), ("cola", Queue()), ("queue @facturacion", Queue("facturacion")),
     ("cola soporte", Queue("soporte")),
     ("ver PED-12", View(12)), ("view ped-12", View(12)), ("show ped12", View(12)),
     ("ver 12", View(12)), ("Ver PED–12", View(12)),
     ("tomar PED-3", Claim(3)), ("claim 3", Claim(3)), ("reabrir PED-3", Reopen(3)),
     ("reopen ped3", Reopen(3)),
     ("asignar PED-3 @ana", Assign(3, "ana")), ("assign 3 ana@acme.com", Assign(3, "ana@acme.com")),
     ("asignar PED-3 @ana.perez, que sabe de esto", Assign(3, "ana.perez", "que sabe de esto")),
     ("info PED-3 ¿De qué mes es la factura?", AskInfo(3, "¿De qué mes es la factura?")),
     ("preguntar 3 ¿cuál?", AskInfo(3, "¿cuál?")), ("ask 3 which month?", AskInfo(3, "which month?")),
     ("resolver PED-3", Resolve(3)), ("resolve 3 fixed in prod", Resolve(3, "fixed in prod")),
     ("rechazar PED-3 no es nuestro", Reject(3, "no es nuestro")),
     ("reject 3 duplicate", Reject(3, "duplicate")),
     ("reasignar PED-3 @legal es un contrato", Reassign(3, "legal", "es un contrato")),
     ("reassign 3 legal it is a contract", Reassign(3, "legal", "it is a contract")),
     ("comentar PED-3 lo miro mañana", Comment(3, "lo miro mañana")),
     ("responder 3 ya está", Comment(3, "ya está")), ("comment 3 ok", Comment(3, "ok")),
     ("reply 3 done", Comment(3, "done")),
     ("valorar PED-3 5", Rate(3, 5)), ("rate 3 4/5 quick and kind", Rate(3, 4, "quick and kind")),
     ("RESOLVER ped-3   línea uno\n\n\n\nlínea dos  ", Resolve(3, "línea uno\n\nlínea dos"))],
)  # fmt: skip
def test_subcommands_in_both_languages(text: str, expected: Command) -> None:
    assert pedir(text) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [("tomar", ParseError("missing_request_id", "tomar")), ("Claim", ParseError("missing_request_id", "Claim")),
     ("ver", ParseError("missing_request_id", "ver")),
     ("asignar PED-3", ParseError("missing_assignee", "asignar PED-3")),
     ("info ped16", ParseError("missing_question", "info PED-16")),
     ("preguntar 3", ParseError("missing_question", "preguntar PED-3")),
     ("rechazar 3", ParseError("missing_reason", "rechazar PED-3")),
     ("reasignar 3 @legal", ParseError("missing_reason", "reasignar PED-3 @legal")),
     ("reasignar 3", ParseError("missing_team_and_reason", "reasignar PED-3")),
     ("comentar 3", ParseError("missing_comment", "comentar PED-3")),
     ("valorar 3", ParseError("missing_rating", "valorar PED-3")),
     ("rate 3", ParseError("missing_rating", "rate PED-3"))],
)  # fmt: skip
def test_a_missing_part_is_named_with_what_was_typed(text: str, error: ParseError) -> None:
    # The word the user typed, not a synonym they never wrote ("info", not "preguntar").
    assert pedir(text) == error
    assert pedir(text, locale="en-US") == error


@pytest.mark.parametrize(
    ("text", "expected"),
    [("info PED-16", "Falta la pregunta para el solicitante. Por ejemplo: /pedir info PED-16 ¿De qué mes es la factura?"),
     ("rechazar PED-16", "Falta el motivo. Por ejemplo: /pedir rechazar PED-16 no es de nuestro equipo"),
     ("reasignar PED-16", "Falta el equipo al que pasarlo y el motivo. Por ejemplo: /pedir reasignar PED-16 @legal es un contrato"),
     ("asignar PED-16", "Falta a quién asignarlo. Por ejemplo: /pedir asignar PED-16 @ana.garcia (o su email)"),
     ("tomar", "Falta el número del pedido. Por ejemplo: /pedir tomar PED-12")],
)  # fmt: skip
def test_a_missing_part_reads_as_what_to_type(text: str, expected: str) -> None:
    error = pedir(text).as_user_error()
    assert t("es", error.key, **error.values) == expected
    english = pedir("ask 16").as_user_error()
    assert t("en", english.key, **english.values).startswith(
        "The question for the requester is missing. For example: /pedir ask PED-16 ")


@pytest.mark.parametrize(
    ("text", "error"),
    [("ver PED-x", ParseError("bad_request_id", "PED-x")), ("tomar 0", ParseError("bad_request_id", "0")),
     ("tomar PED-99999999999", ParseError("bad_request_id", "PED-99999999999")),
     ("ver #12", ParseError("bad_request_id", "#12")),
     ("resolver la VPN", ParseError("bad_request_id", "la")),
     ("valorar 3 0", ParseError("bad_rating", "0")), ("rate 3 6", ParseError("bad_rating", "6")),
     ("rate 3 good", ParseError("bad_rating", "good")), ("asignar 3 ana", ParseError("bad_assignee", "ana")),
     ("reasignar 3 @@ motivo", ParseError("bad_team", "@@")), ("cola @", ParseError("bad_team", "@"))],
)  # fmt: skip
def test_bad_arguments(text: str, error: ParseError) -> None:
    assert pedir(text) == error


def test_a_subcommand_word_starting_a_request_is_a_request() -> None:
    # Only when an id is missing but a team is named: a typo'd id stays an error.
    assert pedir("resolver la VPN @it") == NewRequest("it", "resolver la VPN")
    assert pedir("ayuda con el excel @it") == NewRequest("it", "ayuda con el excel")
    assert pedir("mis facturas no llegan @facturacion") == NewRequest("facturacion", "mis facturas no llegan")
    assert pedir("cola de impresión rota @it") == NewRequest("it", "cola de impresión rota")
    assert pedir("tomar PED-x @it") == ParseError("bad_request_id", "PED-x")


def test_long_free_text_is_too_long() -> None:
    assert pedir("comentar 3 " + "a" * (MAX_TEXT + 1)) == ParseError("too_long", str(MAX_TEXT + 1))
    assert pedir("comentar 3 " + "a" * MAX_TEXT) == Comment(3, "a" * MAX_TEXT)


# --- new requests -------------------------------------------------------------


def test_new_request_with_every_flag() -> None:
    result = pedir("@facturacion corregir la factura de #ACME !urgente para:2026-12-01")
    assert result == NewRequest(
        team="facturacion", description="corregir la factura de #ACME", customer="ACME",
        priority="urgent", due=date(2026, 12, 1), due_phrase=None,
    )  # fmt: skip


def test_new_request_in_english() -> None:
    assert pedir("@it !HIGH replace the laptop for #Acme-Corp due:friday", locale="en") == NewRequest(
        "it", "replace the laptop for #Acme-Corp", "Acme-Corp", "high", FRIDAY
    )


def test_team_mention_in_the_middle_and_later_mentions_stay() -> None:
    result = pedir("Hola @soporte, ¿podéis dar acceso a @ana.perez? Gracias")
    # Later mentions stay in the text; the handler warns if one is a team.
    assert result == NewRequest("soporte", "Hola ¿podéis dar acceso a @ana.perez? Gracias",
                                other_mentions=("ana.perez",))
    assert pedir("escribid a ana@acme.com @rrhh").team == "rrhh"


def test_no_team_is_none_for_the_caller_to_ask() -> None:
    assert pedir("necesito un portátil") == NewRequest(None, "necesito un portátil")


@pytest.mark.parametrize(
    ("flag", "priority"),
    [("!urgente", "urgent"), ("!URGENT", "urgent"), ("!alta", "high"), ("!high", "high"),
     ("!normal", "normal"), ("!baja", "low"), ("!low", "low"), ("!baja.", "low")],
)  # fmt: skip
def test_priorities_are_canonical_and_removed(flag: str, priority: str) -> None:
    assert pedir(f"@it cambiar {flag} el teclado") == NewRequest("it", "cambiar el teclado", priority=priority)


def test_last_priority_wins_and_unknown_bangs_stay() -> None:
    assert pedir("@it !baja algo !alta ya!").priority == "high"
    assert pedir("@it !foo ya").description == "!foo ya"


def test_customer_stays_in_text_first_wins_and_needs_a_letter() -> None:
    result = pedir("@ventas revisar #Café.Ñandú y #OTRO (ver #12)")
    assert result.customer == "Café.Ñandú"
    assert result.description == "revisar #Café.Ñandú y #OTRO (ver #12)"
    assert pedir("@it falla el ticket #12").customer is None
    assert pedir("@it migrar de C# a Go").customer is None


def test_new_lines_are_kept_spaces_squeezed() -> None:
    result = pedir("@it   primera   línea !alta\n\n\n\nsegunda\tlínea ")
    assert result.description == "primera línea\n\nsegunda línea"


def test_control_characters_are_dropped() -> None:
    assert pedir("@it hola\x00 mundo\x07\r\nadiós").description == "hola mundo\nadiós"


@pytest.mark.parametrize(
    "text", ["@facturacion", "@it !alta para:viernes", "  !urgente  ", "@a"]
)  # fmt: skip
def test_nothing_left_is_empty_description(text: str) -> None:
    assert pedir(text) == ParseError("empty_description")


def test_description_too_long() -> None:
    assert pedir("@it " + "x" * (MAX_TEXT + 1)) == ParseError("too_long", str(MAX_TEXT + 1))
    assert pedir("@it " + "x" * MAX_TEXT + " !alta").priority == "high"


# --- due dates in requests ----------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "due"),
    [("para:2026-12-01", date(2026, 12, 1)), ("due:2026-12-01", date(2026, 12, 1)),
     ("PARA:viernes", FRIDAY), ("due:Friday", FRIDAY), ("para:mañana", date(2026, 11, 26)),
     ("due:tomorrow", date(2026, 11, 26)), ("para:hoy", WEDNESDAY), ("due:today", WEDNESDAY),
     ("para:1/12", date(2026, 12, 1)), ("para:01/12/2026", date(2026, 12, 1)),
     ("para: viernes", FRIDAY), ("para:pasado mañana", date(2026, 11, 27)),
     ("para: pasado mañana", date(2026, 11, 27)), ("para:pasado_manana", date(2026, 11, 27)),
     ("para:viernes.", FRIDAY)],
)  # fmt: skip
def test_due_flags_are_removed(flag: str, due: date) -> None:
    assert pedir(f"@it cambiar el teclado {flag}") == NewRequest("it", "cambiar el teclado", due=due)


@pytest.mark.parametrize(
    ("text", "error"),
    [("@it x para:2027-02-29", ParseError("bad_date", "2027-02-29")),
     ("@it x para:juernes", ParseError("bad_date", "juernes")),
     ("@it x due:31/04/2027", ParseError("bad_date", "31/04/2027")),
     ("@it x para:2026-11-24", ParseError("past_date", "2026-11-24")),
     ("@it x due:01/01/2026", ParseError("past_date", "01/01/2026")),
     ("@it x para:24/11", ParseError("past_date", "24/11"))],
)  # fmt: skip
def test_bad_and_past_due_flags(text: str, error: ParseError) -> None:
    assert pedir(text) == error


def test_a_bare_para_colon_without_a_date_is_prose() -> None:
    assert pedir("@it nota para: Juan") == NewRequest("it", "nota para: Juan")


@pytest.mark.parametrize(
    ("text", "due", "phrase"),
    [("revisar el contrato antes del viernes", FRIDAY, "antes del viernes"),
     ("revisar el contrato para el Viernes", FRIDAY, "para el Viernes"),
     ("lo necesito para mañana, gracias", date(2026, 11, 26), "para mañana"),
     ("lo necesito PARA MAÑANA", date(2026, 11, 26), "PARA MAÑANA"),
     ("informe para pasado mañana", date(2026, 11, 27), "para pasado mañana"),
     ("cierre hasta el 15/12", date(2026, 12, 15), "hasta el 15/12"),
     ("need it by friday please", FRIDAY, "by friday"),
     ("need it before Friday", FRIDAY, "before Friday"),
     ("need it by tomorrow", date(2026, 11, 26), "by tomorrow"),
     ("para el sábado o antes del sabado", date(2026, 11, 28), "para el sábado")],
)  # fmt: skip
def test_due_phrases_set_due_and_stay_in_text(text: str, due: date, phrase: str) -> None:
    assert pedir(f"@legal {text}") == NewRequest("legal", text, due=due, due_phrase=phrase)


@pytest.mark.parametrize(
    ("text", "due", "phrase"),
    [("cerrar el trimestre antes del 15 de diciembre", date(2026, 12, 15), "antes del 15 de diciembre"),
     ("Cierre ANTES DEL 15 DIC. por favor", date(2026, 12, 15), "ANTES DEL 15 DIC."),
     ("firmar para el 3/1", date(2027, 1, 3), "para el 3/1"),
     ("firmar para el 3 de enero de 2027", date(2027, 1, 3), "para el 3 de enero de 2027"),
     ("sign it by Dec 15", date(2026, 12, 15), "by Dec 15"),
     ("sign it by December 15th, 2027", date(2027, 12, 15), "by December 15th, 2027"),
     ("sign it by the 15th of December", date(2026, 12, 15), "by the 15th of December"),
     ("sign it by next Friday", FRIDAY, "by next Friday"),
     ("firmar para el próximo viernes", FRIDAY, "para el próximo viernes"),
     ("firmar para el viernes que viene", FRIDAY, "para el viernes que viene"),
     ("lo necesito en 2 semanas", date(2026, 12, 9), "en 2 semanas"),
     ("lo necesito dentro de tres días", date(2026, 11, 28), "dentro de tres días"),
     ("need it in a month", date(2026, 12, 25), "in a month"),
     ("need it within 10 days", date(2026, 12, 5), "within 10 days"),
     ("pagar antes del 15", date(2026, 12, 15), "antes del 15"),
     ("pagar antes del día 30", date(2026, 11, 30), "antes del día 30"),
     ("pay by the 1st", date(2026, 12, 1), "by the 1st"),
     ("a más tardar el 2 de enero", date(2027, 1, 2), "a más tardar el 2 de enero")],
)  # fmt: skip
def test_common_date_phrases_in_both_languages(text: str, due: date, phrase: str) -> None:
    result = pedir(f"@legal {text}")
    assert (result.due, result.due_phrase, result.unread_due) == (due, phrase, None)
    assert result.description == text  # the phrase stays where it was written


@pytest.mark.parametrize(
    ("text", "unread", "past"),
    [("cerrar antes del 31 de febrero", "antes del 31 de febrero", False),
     ("cerrar para el 15 de dicembre", "para el 15 de dicembre", False),
     ("cerrar para el juernes", "para el juernes", False),
     ("cerrar hasta el 45/13", "hasta el 45/13", False),
     ("close by 2027-13-01", "by 2027-13-01", False),
     ("close by Febuary 30", "by Febuary 30", False),
     ("era para el 01/01/2020", "para el 01/01/2020", True),
     ("pagar antes del 24/11", "antes del 24/11", True)],
)  # fmt: skip
def test_a_date_phrase_that_gives_no_date_is_reported(text: str, unread: str, past: bool) -> None:
    result = pedir(f"@legal {text}")
    assert (result.due, result.due_phrase) == (None, None)
    assert (result.unread_due, result.unread_due_past) == (unread, past)


def test_a_readable_phrase_wins_over_an_unreadable_one() -> None:
    assert read_due("para mañana, no antes del 31 de febrero", WEDNESDAY) == DueReading(
        due=date(2026, 11, 26), phrase="para mañana")
    # An explicit "para:" wins, and nothing is reported about the text.
    result = pedir("@legal firmar antes del 31 de febrero para:viernes")
    assert (result.due, result.unread_due) == (FRIDAY, None)


def test_explicit_flag_wins_over_a_phrase() -> None:
    result = pedir("@legal firmar antes del viernes para:2026-12-10")
    assert result == NewRequest("legal", "firmar antes del viernes", due=date(2026, 12, 10))


def test_phrases_that_are_not_deadlines_are_ignored() -> None:
    for text in ("preparar informe para el cliente", "para mañanas tranquilas", "reunión el viernes",
                 "standby monday", "para 15 personas", "para el 2 de los clientes", "hasta luego",
                 "it may fail", "reunión mañana"):  # fmt: skip
        result = pedir(f"@it {text}")
        assert (result.due, result.due_phrase, result.unread_due) == (None, None, None), text


def test_phrase_span_survives_decomposed_accents() -> None:
    text = "para man\u0303ana"  # "ñ" typed as "n" + combining tilde
    assert read_due(f"hazlo {text} ya", WEDNESDAY) == DueReading(due=date(2026, 11, 26), phrase=text)


# --- parse_due ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "today", "expected"),
    [("2026-12-01", WEDNESDAY, date(2026, 12, 1)), ("1/12/2026", WEDNESDAY, date(2026, 12, 1)),
     ("01/12", WEDNESDAY, date(2026, 12, 1)), ("25/11", WEDNESDAY, WEDNESDAY),
     # No year: the nearest such day, so it wraps to next year, or back to
     # last year's, which the parser then reports as past.
     ("05/01", date(2026, 12, 28), date(2027, 1, 5)), ("01/03", WEDNESDAY, date(2027, 3, 1)),
     ("24/11", WEDNESDAY, date(2026, 11, 24)), ("28/12", date(2027, 1, 2), date(2026, 12, 28)),
     ("lunes", date(2026, 12, 28), date(2027, 1, 4)), ("mañana", date(2026, 12, 31), date(2027, 1, 1)),
     ("jueves", WEDNESDAY, date(2026, 11, 26)), ("miércoles", WEDNESDAY, date(2026, 12, 2)),
     ("miercoles", WEDNESDAY, date(2026, 12, 2)), ("Sábado", WEDNESDAY, date(2026, 11, 28)),
     ("sabado", WEDNESDAY, date(2026, 11, 28)), ("domingo", WEDNESDAY, date(2026, 11, 29)),
     ("monday", WEDNESDAY, date(2026, 11, 30)), ("SUNDAY", WEDNESDAY, date(2026, 11, 29)),
     # On a Friday, "viernes" is next week's: today would be "hoy".
     ("viernes", FRIDAY, date(2026, 12, 4)), ("friday", FRIDAY, date(2026, 12, 4)),
     ("hoy", FRIDAY, FRIDAY), ("today", FRIDAY, FRIDAY), ("manana", FRIDAY, date(2026, 11, 28)),
     ("tomorrow", FRIDAY, date(2026, 11, 28)), ("pasado mañana", FRIDAY, date(2026, 11, 29)),
     ("day after tomorrow", FRIDAY, date(2026, 11, 29)),
     ("29/02/2028", WEDNESDAY, date(2028, 2, 29)), ("29/02", date(2027, 3, 1), date(2028, 2, 29)),
     ("2026-11-24", WEDNESDAY, date(2026, 11, 24)),  # past dates are the caller's call
     ("15 de diciembre", WEDNESDAY, date(2026, 12, 15)), ("15 dic 2027", WEDNESDAY, date(2027, 12, 15)),
     ("Dec 15", WEDNESDAY, date(2026, 12, 15)), ("el viernes", WEDNESDAY, FRIDAY),
     ("next Friday", WEDNESDAY, FRIDAY), ("el próximo lunes", WEDNESDAY, date(2026, 11, 30)),
     ("este viernes", FRIDAY, FRIDAY), ("en 2 semanas", WEDNESDAY, date(2026, 12, 9)),
     ("in 1 month", date(2027, 1, 31), date(2027, 2, 28)), ("el día 3", WEDNESDAY, date(2026, 12, 3)),
     ("día 31", date(2027, 2, 1), date(2027, 3, 31))],
)  # fmt: skip
def test_parse_due(value: str, today: date, expected: date) -> None:
    assert parse_due(value, today) == expected


@pytest.mark.parametrize(
    "value",
    ["", "2027-02-29", "29/02/2027", "29/02", "31/04", "2026-13-01", "0000-01-01", "32/1",
     "juernes", "12/12/26", "١٢/١٢", "mañana mañana", "31 de febrero", "en 9999 semanas", "el"],
)  # fmt: skip
def test_parse_due_rejects(value: str) -> None:
    assert parse_due(value, WEDNESDAY) is None


def test_the_form_field_takes_a_date_after_para() -> None:
    # The hint for the flag is "para:2027-01-10": typed into the date field, it is still a date.
    for value in ("para:2027-01-10", "para: 2027-01-10", "PARA 2027-01-10", "due:2027-01-10", "2027-01-10"):
        assert parse_due_field(value, WEDNESDAY) == date(2027, 1, 10), value
    assert parse_due_field("para:nunca", WEDNESDAY) is None


def test_parse_due_at_the_end_of_time() -> None:
    assert parse_due("mañana", date.max) is None
    assert parse_due("hoy", date.max) == date.max


# --- parse_line ---------------------------------------------------------------


def test_parse_line() -> None:
    assert parse_line("/pedir @facturacion hola", WEDNESDAY) == NewRequest("facturacion", "hola")
    assert parse_line("pedir ayuda", WEDNESDAY) == Help()
    assert parse_line("  Request  view PED-4", WEDNESDAY) == View(4)
    assert parse_line("/pedir\n@it línea\notra", WEDNESDAY) == NewRequest("it", "línea\notra")
    assert parse_line("/equipos", WEDNESDAY) == ListTeams()
    assert parse_line("/team", WEDNESDAY, "en") == ParseError("missing_argument", "team")
    assert parse_line("/pedir", WEDNESDAY) == OpenForm()
    assert parse_line("hola bot", WEDNESDAY) == ParseError("unknown_command", "hola")
    assert parse_line(" \x00 ", WEDNESDAY) == ParseError("unknown_command", "")


def test_commands_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        View(1).request_id = 2  # type: ignore[misc]


# --- nothing breaks it --------------------------------------------------------

WORDS = [
    "@it", "@", "#ACME", "#", "!alta", "!urgent", "para:", "due:", "para:viernes", "para:xx",
    "mañana", "pasado", "antes", "del", "by", "friday", "PED-3", "ped", "0", "5", "99999999999",
    "ver", "tomar", "asignar", "info", "resolver", "rechazar", "reasignar", "reabrir", "comentar",
    "valorar", "cola", "mis", "ayuda", "ana@acme.com", "/pedir", "pedir", "equipo", "\n", "29/02",
]  # fmt: skip
texts = st.one_of(
    st.text(),
    # Long texts, cheaply: a short piece repeated up to ~5000 characters.
    st.tuples(st.text(min_size=1, max_size=10), st.integers(0, 600)).map(lambda p: p[0] * p[1]),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=5)), max_size=20).map(" ".join),
)
nothing_breaks = settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])


def assert_result(result: object) -> None:
    # A whole line may name an issue command too ("incidencia …").
    assert isinstance(result, Command | ListTeams | ShowTeam | IssueCommand | CustomerCommand | ParseError)
    if isinstance(result, ParseError):
        assert result.code in ERROR_CODES
    if isinstance(result, NewRequest):
        assert result.description and len(result.description) <= MAX_TEXT
        assert result.priority in ("urgent", "high", "normal", "low")


@nothing_breaks
@given(text=texts, today=st.dates(), locale=st.sampled_from(["es", "en", "en-GB", ""]))
def test_pedir_never_raises(text: str, today: date, locale: str) -> None:
    assert_result(parse("/pedir", text, today, locale))


@nothing_breaks
@given(line=texts, today=st.dates())
def test_parse_line_never_raises(line: str, today: date) -> None:
    assert_result(parse_line(line, today))
    assert_result(parse_line("pedir " + line, today))
    assert_result(parse_line("/equipo " + line, today))


@nothing_breaks
@given(value=st.text(), today=st.dates())
def test_dates_never_raise(value: str, today: date) -> None:
    due = parse_due(value, today)
    assert due is None or isinstance(due, date)
    found = read_due(value, today)
    if found.due is not None:
        assert found.due >= today and found.phrase in value
    assert found.unread is None or found.unread in value


# --- commands people reach for first ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("cancelar PED-15", Withdraw(15)), ("cancel 15", Withdraw(15)), ("retirar ped15 ya no hace falta",
     Withdraw(15, "ya no hace falta")), ("withdraw PED-15 duplicate of PED-14", Withdraw(15, "duplicate of PED-14")),
     ("anular PED-15   lo hizo   Sara\n\n\n\nsola", Withdraw(15, "lo hizo Sara\n\nsola"))],
)  # fmt: skip
def test_withdraw_in_both_languages(text: str, expected: Withdraw) -> None:
    assert pedir(text) == expected


def test_withdraw_needs_the_request_and_is_no_request_itself() -> None:
    assert pedir("cancelar") == ParseError("missing_request_id", "cancelar")
    assert pedir("cancel", locale="en") == ParseError("missing_request_id", "cancel")
    assert pedir("cancelar la reunión") == ParseError("bad_request_id", "la")
    # With a team named and no id, it is a request that starts with the word.
    assert pedir("cancelar la reunión del lunes @rrhh") == NewRequest("rrhh", "cancelar la reunión del lunes")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("idioma", Language(None)), ("idioma en", Language("en")), ("idioma ES", Language("es")),
     ("language english", Language("en")), ("idioma inglés", Language("en")), ("idioma español", Language("es")),
     ("Language Spanish", Language("es")), ("idioma en, gracias", Language("en")),
     ("idioma francés", ParseError("bad_language", "francés")),
     # A request about a language, to a team or in more words, stays a request.
     ("idioma del contrato en inglés @legal", NewRequest("legal", "idioma del contrato en inglés")),
     ("idioma del contrato", NewRequest(None, "idioma del contrato"))],
)  # fmt: skip
def test_language(text: str, expected: object) -> None:
    assert pedir(text) == expected


@pytest.mark.parametrize(
    "text", ["cancelr PED-15", "borrar PED-15 por favor", "cerrar INC-3", "idoma", "hola", "¿qué?",
             "revisar PED-15 @facturacion urgente", "anula 15", "portátil"],
)  # fmt: skip
def test_an_unknown_first_word_with_an_id_or_alone_is_no_request(text: str) -> None:
    assert pedir(text) == ParseError("unknown_command", text.split()[0])


def test_everyday_sentences_are_still_requests() -> None:
    assert pedir("necesito un portátil") == NewRequest(None, "necesito un portátil")
    assert pedir("llamar 3 veces a ACME @ventas") == NewRequest("ventas", "llamar 3 veces a ACME")
    assert pedir("!urgente") == ParseError("empty_description")  # a flag is no word
    assert pedir("@it") == ParseError("empty_description")


def test_an_id_alone_shows_the_request() -> None:
    assert pedir("PED-12") == View(12)
    assert pedir("12") == View(12)


VERB_LIKE = st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéíóúñ", min_size=1, max_size=12)
REF = st.tuples(st.sampled_from(["PED-", "ped", "INC-", "inc", "PED–", "Inc-"]), st.integers(1, 10**6)).map(
    lambda p: f"{p[0]}{p[1]}")


@nothing_breaks
@given(verb=VERB_LIKE, ref=REF, rest=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=8))
def test_no_text_starting_with_an_unknown_verb_and_an_id_creates_a_request(verb: str, ref: str, rest: list[str]) -> None:
    unknown = ParseError("unknown_command", verb)
    assume(pedir(verb) == unknown)  # "mis", "ayuda", "cancelar"… are commands of their own
    text = " ".join([verb, ref, *rest])
    for locale in ("es", "en"):
        assert pedir(text, locale=locale) == unknown, text
        assert parse_line(f"pedir {text}", WEDNESDAY, locale) == unknown, text
