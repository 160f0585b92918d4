"""Finding the team a user means: exact names first, then near misses, then keywords."""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.text import fold
from storage.models import Team

# Scores are rapidfuzz's 0-100 similarity; below this a guess is noise.
NEAR_MISS_CUTOFF = 70
MAX_SUGGESTIONS = 3


@dataclass
class TeamMatch:
    team: Team | None = None
    suggestions: list[Team] = field(default_factory=list)


def _names(team: Team) -> list[str]:
    return [fold(team.slug), fold(team.name), *(fold(alias) for alias in team.aliases)]


def resolve(token: str, teams: list[Team]) -> TeamMatch:
    """'@facturacion', 'Facturación', 'billing' -> the team; '@factura' -> suggestions."""
    wanted = fold(token.lstrip("@")).replace(" ", "")
    if not wanted:
        return TeamMatch()
    for team in teams:
        if wanted in (name.replace(" ", "") for name in _names(team)):
            return TeamMatch(team=team)
    choices: dict[tuple[int, int], str] = {}
    for index, team in enumerate(teams):
        for position, name in enumerate(_names(team)):
            choices[(index, position)] = name
    scored: dict[int, float] = {}
    for _name, score, key in process.extract(
        wanted, choices, scorer=fuzz.WRatio, limit=None, score_cutoff=NEAR_MISS_CUTOFF
    ):
        index = key[0]
        scored[index] = max(scored.get(index, 0), score)
    ranked = sorted(scored, key=lambda index: (-scored[index], teams[index].name))
    return TeamMatch(suggestions=[teams[index] for index in ranked[:MAX_SUGGESTIONS]])


def suggest_by_keywords(text: str, teams: list[Team]) -> list[Team]:
    """Teams whose routing keywords appear in the text, most hits first."""
    words = set(fold(text).replace(",", " ").replace(".", " ").split())
    folded = fold(text)
    hits: list[tuple[int, Team]] = []
    for team in teams:
        count = 0
        for keyword in team.keywords:
            key = fold(keyword)
            # Multi-word keywords match as phrases; single words as word prefixes
            # so "facturas" matches the keyword "factura".
            if " " in key:
                count += key in folded
            else:
                count += any(word.startswith(key) for word in words)
        if count:
            hits.append((count, team))
    hits.sort(key=lambda pair: (-pair[0], pair[1].name))
    return [team for _count, team in hits[:MAX_SUGGESTIONS]]
