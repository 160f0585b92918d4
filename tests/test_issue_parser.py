"""The customer-issue command parser: every form, both languages, and no input that breaks it."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands.grammar import ERROR_CODES, ParseError
from bot.customers.commands import CustomerCommand, CustomerList, CustomerNew, CustomerView
from bot.domains import REGISTRY
from bot.issues.commands.parser import (
    IssueAdd,
    IssueClose,
    IssueCommand,
    IssueFollow,
    IssueHelp,
    IssueList,
    IssueMonitor,
    IssueNew,
    IssueReassign,
    IssueReopen,
    IssueRemove,
    IssueSeverity,
    IssueUnfollow,
    IssueView,
    StatusPost,
)
from bot.limits import MAX_TEXT, MAX_TITLE

parse, parse_line, names_a_command = REGISTRY.parse, REGISTRY.parse_line, REGISTRY.names_a_command

TODAY = date(2026, 11, 25)


def issue(text: str, locale: str = "es"):  # noqa: ANN201
    return parse("/incidencia", text, TODAY, locale)


# --- commands and aliases -----------------------------------------------------


@pytest.mark.parametrize(
    "command", ["/incidencia", "incidencia", "/INCIDENCIA", "/issue", "Incident", " /issue "]
)
def test_issue_alone_is_help(command: str) -> None:
    assert parse(command, "", TODAY) == IssueHelp()
    assert parse(command, "  \n\t ", TODAY, "en") == IssueHelp()


@pytest.mark.parametrize("command", ["/incidencias", "incidencias", "/issues", "/Incidents"])
def test_issue_list(command: str) -> None:
    assert parse(command, "", TODAY) == IssueList(None)
    assert parse(command, "#ACME", TODAY) == IssueList("ACME")
    assert parse(command, "ACME", TODAY) == IssueList("ACME")
    assert parse(command, "  Banco   Sol ", TODAY) == IssueList("Banco Sol")
    assert parse(command, " # ", TODAY) == IssueList(None)


@pytest.mark.parametrize("command", ["/estado", "estado", "/status", "/STATUS"])
def test_status_post(command: str) -> None:
    assert parse(command, "INC-7 desplegado el parche", TODAY) == StatusPost(7, "desplegado el parche")


def test_status_keeps_line_breaks_and_squeezes_spaces() -> None:
    text = "INC-7   primera   línea\n\n\n\nsegunda\tlínea\r\n- punto "
    assert parse("/estado", text, TODAY) == StatusPost(7, "primera línea\n\nsegunda línea\n- punto")


@pytest.mark.parametrize("command", ["/cliente", "/customer", "/clientes", "/customers", "cliente"])
def test_customer_list_and_view(command: str) -> None:
    assert parse(command, "", TODAY) == CustomerList()
    assert parse(command, " # ", TODAY) == CustomerList()
    assert parse(command, "ACME", TODAY) == CustomerView("ACME")
    assert parse(command, "#ACME", TODAY) == CustomerView("ACME")
    assert parse(command, "  Banco   Sol ", TODAY) == CustomerView("Banco Sol")
    assert parse(command, "#Banco Sol", TODAY) == CustomerView("Banco Sol")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("nuevo #ACME ACME Corporation S.A.", CustomerNew("ACME", "ACME Corporation S.A.")),
     ("NEW #Acme-Corp", CustomerNew("Acme-Corp", "Acme-Corp")),
     ("Nuevo #ACME,   ACME   Corp ", CustomerNew("ACME", "ACME Corp")),
     # Without "#" it is a name that happens to start with "new".
     ("New Relic", CustomerView("New Relic")), ("nuevo #12", CustomerView("nuevo #12"))],
)  # fmt: skip
def test_customer_new(text: str, expected: object) -> None:
    assert parse("/cliente", text, TODAY) == expected


def test_customer_new_without_a_slug_names_the_subcommand_in_the_locale() -> None:
    assert parse("/cliente", "nuevo", TODAY) == ParseError("missing_argument", "nuevo")
    assert parse("/customer", "new", TODAY, "en") == ParseError("missing_argument", "new")


def test_customer_name_too_long() -> None:
    name = "x" * (MAX_TITLE + 1)
    assert parse("/cliente", f"nuevo #ACME {name}", TODAY) == ParseError("too_long", f"{MAX_TITLE + 1}/{MAX_TITLE}")


# --- /incidencia subcommands --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("ayuda", IssueHelp()), ("HELP", IssueHelp()), ("¿ayuda?", IssueHelp()),
     ("ver INC-7", IssueView(7)), ("view inc7", IssueView(7)), ("show #7", IssueView(7)),
     ("ver 7", IssueView(7)), ("Ver INC–7", IssueView(7)), ("ver INC—7.", IssueView(7)),
     ("INC-7", IssueView(7)), ("#7", IssueView(7)), ("7", IssueView(7)),
     ("cerrar INC-7", IssueClose(7, None)), ("close 7 fixed in prod", IssueClose(7, "fixed in prod")),
     ("CERRAR inc-7   era   DNS\n\n\n\ny el TTL ", IssueClose(7, "era DNS\n\ny el TTL")),
     ("seguir INC-7", IssueFollow(7)), ("follow 7", IssueFollow(7)),
     ("dejar INC-7", IssueUnfollow(7)), ("dejar de seguir INC-7", IssueUnfollow(7)),
     ("Dejar De Seguir inc7", IssueUnfollow(7)), ("unfollow 7", IssueUnfollow(7)),
     ("añadir INC-7 @facturacion", IssueAdd(7, ("facturacion",))),
     ("AÑADIR INC-7 @ana", IssueAdd(7, ("ana",))), ("anadir 7 @ana", IssueAdd(7, ("ana",))),
     ("agregar 7 @ana", IssueAdd(7, ("ana",))), ("add 7 luis@x.com", IssueAdd(7, ("luis@x.com",))),
     ("quitar INC-7 @facturacion", IssueRemove(7, ("facturacion",))),
     ("remove 7 @ana luis@x.com", IssueRemove(7, ("ana", "luis@x.com"))),
     ("monitorizar INC-7", IssueMonitor(7, None)),
     ("vigilar 7 por si vuelve", IssueMonitor(7, "por si vuelve")),
     ("monitor 7 watch for a week", IssueMonitor(7, "watch for a week")),
     ("reabrir INC-7", IssueReopen(7)), ("reopen 7", IssueReopen(7)),
     ("severidad INC-7 sev1", IssueSeverity(7, "sev1")), ("sev 7 SEV-2", IssueSeverity(7, "sev2")),
     ("severity 7 Sev_3.", IssueSeverity(7, "sev3")),
     # Extra words after what a subcommand reads are harmless.
     ("severidad 7 sev4 ya no es grave", IssueSeverity(7, "sev4")),
     ("ver INC-7 ahora", IssueView(7)), ("seguir 7 por favor", IssueFollow(7))],
)  # fmt: skip
def test_issue_subcommands_in_both_languages(text: str, expected: IssueCommand) -> None:
    assert issue(text) == expected
    assert issue(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "es", "en"),
    [("nueva", "nueva", "new"), ("new", "nueva", "new"), ("ver", "ver", "view"),
     ("cerrar", "cerrar", "close"), ("close", "cerrar", "close"), ("seguir", "seguir", "follow"),
     ("dejar", "dejar", "unfollow"), ("dejar de seguir", "dejar", "unfollow"),
     ("añadir INC-7", "añadir", "add"), ("add 7 @ , ;", "añadir", "add"), ("quitar 7", "quitar", "remove"),
     ("vigilar", "monitorizar", "monitor"), ("reabrir", "reabrir", "reopen"),
     ("severidad INC-7", "severidad", "severity"), ("sev", "severidad", "severity")],
)  # fmt: skip
def test_missing_arguments_name_the_subcommand_in_the_locale(text: str, es: str, en: str) -> None:
    assert issue(text) == ParseError("missing_argument", es)
    assert issue(text, "en-US") == ParseError("missing_argument", en)


# --- issue ids ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "issue_id"),
    [("INC-7", 7), ("inc7", 7), ("Inc-7", 7), ("INC–7", 7), ("INC—7", 7), ("#7", 7), ("7", 7),
     ("INC-7,", 7), ("ＩＮＣ－７", 7), ("INC-0007", 7), ("2147483647", 2**31 - 1)],
)  # fmt: skip
def test_issue_id_forms(token: str, issue_id: int) -> None:
    assert issue(f"cerrar {token}") == IssueClose(issue_id, None)


@pytest.mark.parametrize(
    "token", ["INC-x", "0", "INC-0", "2147483648", "INC-99999999999", "PED-7", "INC--7", "#-7", "INC7a", "٧"]
)  # fmt: skip
def test_bad_issue_ids(token: str) -> None:
    assert issue(f"cerrar {token} nota") == ParseError("bad_issue_id", token)
    assert parse("/estado", f"{token} texto", TODAY) == ParseError("bad_issue_id", token)


def test_unknown_subcommand_and_lone_ids() -> None:
    assert issue("borrar INC-7") == ParseError("unknown_command", "borrar")
    assert issue("INC-7 algo") == ParseError("unknown_command", "INC-7")
    assert issue("#ACME") == ParseError("unknown_command", "#ACME")
    assert issue("INC-0") == ParseError("bad_issue_id", "INC-0")
    assert issue("99999999999") == ParseError("bad_issue_id", "99999999999")


# --- reassigning, and help one word away ----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("reasignar INC-1 @soporte", IssueReassign(1, "soporte", None)),
     ("reassign 1 facturacion it is an invoicing bug", IssueReassign(1, "facturacion", "it is an invoicing bug")),
     ("REASIGNAR inc1 @facturacion,   es   de facturas\n\n\n\nno nuestro",
      IssueReassign(1, "facturacion", "es de facturas\n\nno nuestro"))],
)  # fmt: skip
def test_reassign(text: str, expected: IssueReassign) -> None:
    assert issue(text) == expected
    assert issue(text, "en") == expected


def test_reassign_errors() -> None:
    assert issue("reasignar INC-1") == ParseError("missing_argument", "reasignar")
    assert issue("reassign 1", "en") == ParseError("missing_argument", "reassign")
    assert issue("reasignar @soporte") == ParseError("bad_issue_id", "@soporte")
    assert issue("reasignar INC-1 @@") == ParseError("bad_team", "@@")
    assert issue("reasignar INC-1 @soporte " + "x" * (MAX_TEXT + 1)) == ParseError(
        "too_long", f"{MAX_TEXT + 1}/{MAX_TEXT}")


def test_help_is_one_word_after_every_command() -> None:
    # "estado ayuda" on Teams names the command, so it never becomes a request.
    assert names_a_command("estado ayuda") and names_a_command("status help")
    for word in ("/incidencia", "/incidencias", "/estado", "/cliente", "/equipos", "/equipo", "/pedir", "/pulso"):
        command = REGISTRY.command(word)
        assert command is not None and (command.help_from or "ayuda" in command.verbs.get("es", ())), word


# --- targets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "targets"),
    [("@facturacion @ana.garcia luis@x.com", ("facturacion", "ana.garcia", "luis@x.com")),
     ("@ana, @luis; y luis@x.com.", ("ana", "luis", "y", "luis@x.com")),
     ("@ana,@luis", ("ana", "luis")), ("ana!", ("ana",)), ("@ana @ana", ("ana",)),
     ("@@ana", ("@ana",)), ("@ @ana", ("ana",)), ("Ana.García?", ("Ana.García",))],
)  # fmt: skip
def test_targets(text: str, targets: tuple[str, ...]) -> None:
    assert issue(f"añadir INC-7 {text}") == IssueAdd(7, targets)
    assert issue(f"quitar INC-7 {text}") == IssueRemove(7, targets)


# --- new issues ---------------------------------------------------------------


def test_new_issue_with_every_part() -> None:
    assert issue("nueva #ACME sev2 la API devuelve 500 @soporte") == IssueNew(
        customer="ACME", severity="sev2", title="la API devuelve 500", team="soporte"
    )


def test_new_issue_parts_anywhere_first_of_each_wins() -> None:
    result = issue("new  the API  @soporte fails for #Acme-Corp, SEV-1 (see #12, #OTHER) @legal sev3")
    title = "the API fails for (see #12, #OTHER) @legal sev3"
    assert result == IssueNew("Acme-Corp", "sev1", title, "soporte")


def test_new_issue_title_is_one_line() -> None:
    result = issue("nueva #ACME la API\n\nfalla\ten prod")
    assert result == IssueNew("ACME", None, "la API falla en prod", None)


@pytest.mark.parametrize(
    ("token", "severity"),
    [("sev1", "sev1"), ("SEV2", "sev2"), ("Sev-3", "sev3"), ("sev_4", "sev4"), ("sev–2", "sev2"),
     ("sev2.", "sev2"), ("ＳＥＶ２", "sev2")],
)  # fmt: skip
def test_severity_forms(token: str, severity: str) -> None:
    assert issue(f"nueva #ACME {token} caída").severity == severity
    assert issue(f"severidad INC-7 {token}") == IssueSeverity(7, severity)


def test_severity_words_that_are_not_one_token_stay_in_the_title() -> None:
    assert issue("nueva #ACME Sev 2 caída") == IssueNew("ACME", None, "Sev 2 caída", None)
    assert issue("nueva #ACME several sevx errors") == IssueNew("ACME", None, "several sevx errors", None)


@pytest.mark.parametrize("token", ["sev0", "sev9", "SEV-5", "sev12", "sev01"])
def test_bad_severity(token: str) -> None:
    assert issue(f"nueva #ACME {token} caída") == ParseError("bad_severity", token)
    assert issue(f"severidad INC-7 {token}") == ParseError("bad_severity", token)


@pytest.mark.parametrize("token", ["2", "sev", "alta", "@sev2"])
def test_severity_subcommand_needs_a_severity_token(token: str) -> None:
    assert issue(f"severidad INC-7 {token}") == ParseError("bad_severity", token)


@pytest.mark.parametrize("text", ["nueva la API falla", "nueva #12 la API falla @soporte", "new # sev1 x"])
def test_new_issue_without_customer(text: str) -> None:
    assert issue(text) == ParseError("missing_customer")


@pytest.mark.parametrize("text", ["nueva #ACME", "nueva #ACME sev1 @soporte", "new  #ACME,\n sev2 "])
def test_new_issue_without_title(text: str) -> None:
    assert issue(text) == ParseError("empty_title")


def test_title_too_long() -> None:
    assert issue("nueva #ACME " + "x" * MAX_TITLE).title == "x" * MAX_TITLE
    assert issue("nueva #ACME " + "x" * (MAX_TITLE + 1)) == ParseError("too_long", f"{MAX_TITLE + 1}/{MAX_TITLE}")


# --- status and notes ---------------------------------------------------------


def test_status_errors() -> None:
    assert parse("/estado", "", TODAY) == ParseError("missing_argument", "estado")
    assert parse("/status", " \n ", TODAY, "en") == ParseError("missing_argument", "status")
    assert parse("/estado", "INC-7", TODAY) == ParseError("empty_status")
    assert parse("/estado", "INC-7 \n\t ", TODAY) == ParseError("empty_status")
    assert parse("/estado", "la API va bien", TODAY) == ParseError("bad_issue_id", "la")


def test_long_status_and_notes_are_too_long() -> None:
    long = "a" * (MAX_TEXT + 1)
    assert parse("/estado", "INC-7 " + "a" * MAX_TEXT, TODAY) == StatusPost(7, "a" * MAX_TEXT)
    assert parse("/estado", "INC-7 " + long, TODAY) == ParseError("too_long", f"{MAX_TEXT + 1}/{MAX_TEXT}")
    assert issue("cerrar INC-7 " + long) == ParseError("too_long", f"{MAX_TEXT + 1}/{MAX_TEXT}")
    assert issue("vigilar INC-7 " + long) == ParseError("too_long", f"{MAX_TEXT + 1}/{MAX_TEXT}")


def test_control_characters_are_dropped() -> None:
    assert parse("/estado", "INC-7 hola\x00 mundo\x07\r\nadiós", TODAY) == StatusPost(7, "hola mundo\nadiós")


# --- whole lines (Teams, console) ---------------------------------------------


def test_parse_line_and_names_a_command() -> None:
    assert parse_line("incidencia ver INC-7", TODAY) == IssueView(7)
    assert parse_line("/issue close INC-7 done", TODAY, "en") == IssueClose(7, "done")
    assert parse_line("Estado INC-7 línea\notra", TODAY) == StatusPost(7, "línea\notra")
    assert parse_line("incidencias #ACME", TODAY) == IssueList("ACME")
    assert parse_line("clientes", TODAY) == CustomerList()
    for line in ("estado INC-7 x", "incidencia", "/Incidencias", "STATUS 7 ok", "cliente ACME", "customers"):
        assert names_a_command(line), line
    assert not names_a_command("incidente en la API")


def test_everyday_words_start_requests_unless_they_name_an_issue() -> None:
    # Teams reads a line that names no command as a new request.
    assert names_a_command("estado")
    assert names_a_command("estado INC-7 escalado a @sistemas")
    assert names_a_command("status #7 waiting on @it")
    assert not names_a_command("estado de la factura F-12 @facturacion")
    assert not names_a_command("status of the VPN @sistemas")
    assert not names_a_command("cliente ACME no puede facturar @facturacion")
    assert names_a_command("cliente ACME")


def test_commands_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        IssueView(1).issue_id = 2  # type: ignore[misc]


# --- nothing breaks it --------------------------------------------------------

COMMANDS = ["/incidencia", "/incidencias", "/estado", "/cliente", "/clientes"]
WORDS = [
    "INC-7", "inc7", "INC–7", "#7", "7", "0", "99999999999", "#ACME", "#", "#12", "@soporte", "@",
    "ana@x.com", "sev1", "SEV-2", "sev9", "sev", "sev_0", "nueva", "new", "nuevo", "ver", "cerrar",
    "seguir", "dejar", "de", "añadir", "AÑADIR", "quitar", "vigilar", "reabrir", "severidad", "ayuda",
    "reasignar", "reassign",
    ",", "\n", "¿?", "ＩＮＣ－７",
]  # fmt: skip
texts = st.one_of(
    st.text(),
    # Long texts, cheaply: a short piece repeated up to ~5000 characters.
    st.tuples(st.text(min_size=1, max_size=10), st.integers(0, 600)).map(lambda p: p[0] * p[1]),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=5)), max_size=20).map(" ".join),
)
nothing_breaks = settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])


def assert_result(result: object) -> None:
    assert isinstance(result, IssueCommand | CustomerCommand | ParseError)
    assert dataclasses.is_dataclass(result)
    if isinstance(result, ParseError):
        assert result.code in ERROR_CODES
        return
    if hasattr(result, "issue_id"):
        assert 1 <= result.issue_id <= 2**31 - 1
    if isinstance(result, IssueNew):
        assert result.customer and result.title and len(result.title) <= MAX_TITLE
        assert result.severity in (None, "sev1", "sev2", "sev3", "sev4")
        assert "\n" not in result.title
    if isinstance(result, IssueSeverity):
        assert result.severity in ("sev1", "sev2", "sev3", "sev4")
    if isinstance(result, IssueAdd | IssueRemove):
        assert result.targets and all(result.targets)
    if isinstance(result, IssueReassign):
        assert result.team and (result.reason is None or 0 < len(result.reason) <= MAX_TEXT)
    if isinstance(result, StatusPost):
        assert result.text and len(result.text) <= MAX_TEXT
    if isinstance(result, IssueClose | IssueMonitor):
        assert result.note is None or 0 < len(result.note) <= MAX_TEXT
    if isinstance(result, CustomerView | CustomerNew):
        assert all(dataclasses.astuple(result))


@nothing_breaks
@given(command=st.sampled_from(COMMANDS), text=texts, locale=st.sampled_from(["es", "en", "en-GB", ""]))
def test_issue_commands_never_raise(command: str, text: str, locale: str) -> None:
    assert_result(parse(command, text, TODAY, locale))


@nothing_breaks
@given(command=st.sampled_from(COMMANDS), line=texts)
def test_parse_line_never_raises(command: str, line: str) -> None:
    assert_result(parse_line(f"{command.lstrip('/')} {line}", TODAY))
