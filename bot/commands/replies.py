"""Building replies: lists, cards and choice prompts shown to the person who asked."""

from __future__ import annotations

from bot.i18n import t
from bot.messages import Action, Message, Reply
from storage.models import Team


def team_choices(locale: str | None, text: str, teams: list[Team], draft_id: str) -> Reply:
    """A question with one button per team; the draft keeps the rest of the request."""
    return Reply(
        message=Message(
            text=text,
            actions=[
                Action(id="route.pick", label=f"@{team.slug} · {team.name}", value=f"{draft_id}:{team.slug}")
                for team in teams
            ],
        )
    )


def did_you_mean(locale: str | None, token: str, suggestions: list[Team]) -> str:
    names = [f"@{team.slug}" for team in suggestions]
    choices = names[0] if len(names) == 1 else ", ".join(names[:-1]) + t(locale, "reply.or") + names[-1]
    return t(locale, "reply.did_you_mean", team=token, choices=choices)


def duration(locale: str | None, minutes: int) -> str:
    if minutes % 60 == 0:
        return t(locale, "duration.hours", n=minutes // 60)
    if minutes > 60:
        return t(locale, "duration.hours", n=f"{minutes // 60}:{minutes % 60:02d}")
    return t(locale, "duration.minutes", n=minutes)


def listing(title: str, lines: list[str]) -> Reply:
    return Reply(message=Message(title=title, text="\n".join(lines)))
