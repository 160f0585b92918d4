"""Finding the team a user means (bot/teams/routing.py), on the demo organisation's teams.

Pure functions: the teams are built in memory from examples/demo-org.toml, no database.
"""

from __future__ import annotations

import pytest

from bot.org.spec import load_org
from bot.teams.routing import MAX_SUGGESTIONS, resolve, suggest_by_keywords
from storage.models import Team
from tests.harness.support import DEMO_ORG


def demo_teams() -> list[Team]:
    spec = load_org(DEMO_ORG)
    return [
        Team(id=number, slug=slug, name=team.name, aliases=team.aliases, keywords=team.keywords)
        for number, (slug, team) in enumerate(spec.teams.items(), start=1)
    ]


@pytest.fixture(scope="module")
def teams() -> list[Team]:
    return demo_teams()


def slugs(found: list[Team]) -> list[str]:
    return [team.slug for team in found]


# ---------------------------------------------------------------- exact names


@pytest.mark.parametrize("token", ["facturacion", "@facturacion", "@FACTURACION", "@facturacion "])
def test_resolve_finds_a_team_by_its_slug(teams, token):
    match = resolve(token, teams)
    assert match.team is not None and match.team.slug == "facturacion"
    assert match.suggestions == []


@pytest.mark.parametrize(
    ("token", "slug"),
    [("@billing", "facturacion"), ("@it", "sistemas"), ("@hr", "rrhh"), ("sales", "ventas"),
     ("@recursos-humanos", "rrhh"), ("juridico", "legal")],
)
def test_resolve_finds_a_team_by_an_alias(teams, token, slug):
    match = resolve(token, teams)
    assert match.team is not None and match.team.slug == slug


@pytest.mark.parametrize("token", ["Facturación", "facturacion", "FACTURACIÓN", "@Facturación", "FaCtUrAcIoN"])
def test_resolve_matches_the_display_name_ignoring_accents_and_case(teams, token):
    match = resolve(token, teams)
    assert match.team is not None and match.team.slug == "facturacion"


def test_resolve_ignores_spaces_inside_a_name(teams):
    spaced = [Team(id=1, slug="atencion-cliente", name="Atención al Cliente")]
    match = resolve("atencion al cliente", spaced)
    assert match.team is not None and match.team.slug == "atencion-cliente"


# ---------------------------------------------------------------- near misses


@pytest.mark.parametrize(
    ("token", "slug"),
    [("@factura", "facturacion"), ("@sistema", "sistemas"), ("@facturasion", "facturacion"),
     ("@soport", "soporte"), ("@legl", "legal"), ("@ventaz", "ventas")],
)
def test_a_near_miss_is_not_a_match_but_suggests_the_team(teams, token, slug):
    match = resolve(token, teams)
    assert match.team is None
    assert match.suggestions, f"{token} suggested nothing"
    assert match.suggestions[0].slug == slug


def test_near_miss_suggestions_are_capped(teams):
    for token in ("@s", "@i", "@e", "@a"):
        assert len(resolve(token, teams).suggestions) <= MAX_SUGGESTIONS


@pytest.mark.parametrize("token", ["@xyzzy", "@qwerty", "@zzzz", "contabilidad-de-marte"])
def test_nonsense_matches_nothing_and_suggests_nothing(teams, token):
    match = resolve(token, teams)
    assert match.team is None
    assert match.suggestions == []


@pytest.mark.parametrize("token", ["", "@", "   ", "@ "])
def test_an_empty_name_matches_nothing(teams, token):
    match = resolve(token, teams)
    assert match.team is None and match.suggestions == []


def test_resolve_with_no_teams_at_all():
    match = resolve("@facturacion", [])
    assert match.team is None and match.suggestions == []


# ---------------------------------------------------------------- keywords


def test_keywords_suggest_the_team_whose_words_appear(teams):
    assert slugs(suggest_by_keywords("necesito un abono para #ACME", teams)) == ["facturacion"]
    assert slugs(suggest_by_keywords("revisar el NDA de ACME", teams)) == ["legal"]


def test_keywords_match_ignoring_case_and_accents(teams):
    assert slugs(suggest_by_keywords("Mi NOMINA de octubre está mal", teams)) == ["rrhh"]
    assert slugs(suggest_by_keywords("se me ha roto el PORTATIL", teams)) == ["sistemas"]


def test_a_keyword_matches_the_start_of_a_longer_word(teams):
    # "facturas" contains the keyword "factura"
    assert slugs(suggest_by_keywords("tengo facturas pendientes", teams)) == ["facturacion"]


def test_keywords_match_next_to_punctuation(teams):
    assert slugs(suggest_by_keywords("no puedo entrar al correo, olvidé la contraseña.", teams)) == ["sistemas"]


def test_multi_word_keywords_match_as_phrases(teams):
    # "la VPN no funciona": "vpn" is Sistemas', "no funciona" is Soporte's.
    found = slugs(suggest_by_keywords("la VPN no funciona", teams))
    assert found[0] == "sistemas"
    assert "soporte" in found
    # The words of a phrase apart do not count.
    assert "soporte" not in slugs(suggest_by_keywords("no sé si funciona la VPN", teams))


def test_the_team_with_most_keyword_hits_comes_first(teams):
    # Two Sistemas words (vpn, contraseña) against one Soporte phrase (no funciona).
    found = slugs(suggest_by_keywords("la vpn no funciona desde que cambié la contraseña", teams))
    assert found[0] == "sistemas"
    assert found.index("sistemas") < found.index("soporte")


def test_keyword_suggestions_are_capped(teams):
    found = suggest_by_keywords("contrato cliente factura vpn nómina nda", teams)
    assert 0 < len(found) <= MAX_SUGGESTIONS


def test_text_without_keywords_suggests_nothing(teams):
    assert suggest_by_keywords("hola, ¿qué tal?", teams) == []
    assert suggest_by_keywords("", teams) == []
