"""A round's results as a neutral message, in the reader's language.

Only what bot.pulses.results let through is drawn here; this module decides
how it reads, never what may show. It keeps within chat limits: the text
stays under TEXT_BUDGET characters (long lists end in "…y N más"), each
comment and the team's answer are cut to a readable length.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import format_day, format_duration, format_number, format_share, format_signed, format_when, t
from bot.messages import Fact, Message
from bot.pulses.figures import TeamFigures
from bot.pulses.results import GroupFigure, QuestionResult, RoundResults, TrendPoint
from bot.pulses.scores import DETRACTORS, PROMOTERS, Scores
from bot.pulses.states import ENPS, display_id
from bot.text import shorten

TEXT_BUDGET = 2900  # under Slack's 3,000 per text block, with room for the renderer's escapes
BAR_CELLS = 10  # the longest bar, in characters
COMMENT_CHARS = 300
ANSWER_CHARS = 1000  # the team's answer, as a fact
QUESTION_CHARS = 150
TITLE_QUESTION_CHARS = 80
GROUPS_SHOWN = 12
_EIGHTHS = " ▏▎▍▌▋▊▉"
PASSIVES = range(7, 9)


def render(results: RoundResults, locale: str, tz: str, *,
           subject_name: str | None = None, figures: TeamFigures | None = None) -> Message:
    title = _title(results, locale)
    needed = results.threshold
    if results.open:
        closes = format_when(results.round.closes_at, locale, tz) if results.round.closes_at else "—"
        return Message(title=title, text=t(locale, "pulse.results.open", closes=closes, count=results.respondents,
                                           audience=results.audience))
    if not results.shown:
        # The honest counter and nothing else: no rate, no trend, no team figures.
        return Message(title=title, text=t(locale, "pulse.results.below", count=results.respondents, needed=needed),
                       context=t(locale, "pulse.results.below_note", needed=needed))
    parts = [_rate(results, locale)]
    parts += [_question(q, results, locale) for q in results.questions]
    text = "\n\n".join(parts)
    if results.comments:
        head = t(locale, "pulse.results.comments")
        text += "\n\n" + head + "\n" + fit([shorten(c, COMMENT_CHARS) for c in results.comments], locale,
                                            TEXT_BUDGET - len(text) - len(head) - 3)
    fields = _figures(figures, subject_name or "", locale) if figures else []
    if results.round.team_answer:
        fields.append(Fact(label=t(locale, "pulse.results.team_answer", team=subject_name or ""),
                           value=_cut(results.round.team_answer, ANSWER_CHARS)))
    context = t(locale, "pulse.results.footer", needed=needed)
    if figures:
        context += "\n" + t(locale, "pulse.results.figures.period", team=subject_name or "",
                            start=format_day(_local_day(figures.start, tz), locale),
                            end=format_day(_local_day(figures.end, tz), locale))
    return Message(title=title, text=text, fields=fields, context=context)


def _title(results: RoundResults, locale: str) -> str:
    questions = results.round.questions or results.pulse.questions
    question = shorten(questions[0].get("text", ""), TITLE_QUESTION_CHARS) if questions else ""
    return t(locale, "pulse.results.title", pulse=display_id(results.pulse.id), number=results.round.number,
             question=question).rstrip(" ·")


def _rate(results: RoundResults, locale: str) -> str:
    count = format_number(results.respondents, locale)
    if results.rate is None:
        return t(locale, "pulse.results.count", count=count)
    return t(locale, "pulse.results.rate", count=count, audience=format_number(results.audience, locale),
             share=format_share(min(results.rate, 1.0), locale))


def _question(q: QuestionResult, results: RoundResults, locale: str) -> str:
    lines = [f"*{shorten(q.text, QUESTION_CHARS)}*"]
    if not q.shown:
        lines.append(t(locale, "pulse.results.below", count=q.answers, needed=results.threshold))
    elif q.scores is not None:
        lines.append(_summary(q.scores, locale))
        lines += bars(q.scores, locale)
    else:
        lines.append(t(locale, "pulse.results.texts") if q.texts else t(locale, "pulse.results.no_texts"))
        # Text answers share the budget with the comments: a fair part of it, not all.
        lines.append(fit([shorten(x, COMMENT_CHARS) for x in q.texts], locale, TEXT_BUDGET // 4))
    if len(q.trend) > 1:
        lines.append(t(locale, "pulse.results.trend", line=trend_line(q.trend, q.kind, locale)))
    if q.groups:
        lines.append(t(locale, "pulse.results.by_team"))
        lines += _groups(q.groups, q.kind, results.threshold, locale)
    return "\n".join(line for line in lines if line)


def _summary(scores: Scores, locale: str) -> str:
    count = format_number(scores.answers, locale)
    if scores.kind == ENPS:
        return t(locale, "pulse.results.enps", value=figure(scores.enps, ENPS, locale), count=count,
                 promoters=format_share(scores.share(PROMOTERS), locale),
                 passives=format_share(scores.share(PASSIVES), locale),
                 detractors=format_share(scores.share(DETRACTORS), locale))
    return t(locale, "pulse.results.average", value=figure(scores.average, scores.kind, locale), count=count)


def figure(value: float | None, kind: str, locale: str) -> str:
    if value is None:
        return "—"
    return format_signed(value, locale) if kind == ENPS else format_number(value, locale, digits=1)


def bars(scores: Scores, locale: str) -> list[str]:
    """One line per score, highest first: '5 ██████████ 12', bars scaled to the largest count."""
    top = max(scores.counts.values(), default=0)
    width = len(str(max(scores.counts)))
    return [" ".join(part for part in (f"{score:>{width}}", bar(n, top), format_number(n, locale)) if part)
            for score, n in sorted(scores.counts.items(), reverse=True)]


def bar(n: int, top: int, cells: int = BAR_CELLS) -> str:
    """n out of top as Unicode blocks in eighths of a cell; any answer shows at least a sliver."""
    if n <= 0 or top <= 0:
        return ""
    eighths = max(1, round(8 * cells * n / top))
    return "█" * (eighths // 8) + _EIGHTHS[eighths % 8].strip()


def trend_line(points: list[TrendPoint], kind: str, locale: str) -> str:
    return " → ".join(figure(p.value, kind, locale) for p in points)


def _groups(groups: list[GroupFigure], kind: str, needed: int, locale: str) -> list[str]:
    lines = []
    for group in groups[:GROUPS_SHOWN]:
        name = group.name or t(locale, "pulse.results.no_team")
        if group.answers is None:
            lines.append(f"• {name}: {t(locale, 'pulse.results.hidden', needed=needed)}")
        else:
            lines.append(f"• {name}: {figure(group.value, kind, locale)} ({format_number(group.answers, locale)})")
    if len(groups) > GROUPS_SHOWN:
        lines.append(t(locale, "pulse.results.more", count=len(groups) - GROUPS_SHOWN))
    return lines


def fit(items: list[str], locale: str, budget: int) -> str:
    """A bulleted list within `budget` characters, ending in '…y N más' when some did not fit."""
    lines: list[str] = []
    used = 0
    for i, item in enumerate(items):
        line = f"• {item}"
        rest = len(items) - i - 1
        more = len(t(locale, "pulse.results.more", count=len(items))) + 1 if rest else 0
        if used + len(line) + 1 + more > budget:
            lines.append(t(locale, "pulse.results.more", count=len(items) - i))
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def _figures(figures: TeamFigures, team: str, locale: str) -> list[Fact]:
    none = t(locale, "pulse.results.figures.none")
    first = format_duration(figures.median_first_response, locale) if figures.median_first_response else none
    slas = (t(locale, "pulse.results.figures.slas_value", share=format_share(figures.sla_share, locale),
              count=format_number(figures.slas, locale)) if figures.sla_share is not None else none)
    rating = (t(locale, "pulse.results.figures.rating_value", value=format_number(figures.average_rating, locale, digits=1),
                count=format_number(figures.ratings, locale)) if figures.average_rating is not None else none)
    return [
        Fact(label=t(locale, "pulse.results.figures.requests", team=team), value=format_number(figures.requests, locale)),
        Fact(label=t(locale, "pulse.results.figures.first_response"), value=first),
        Fact(label=t(locale, "pulse.results.figures.slas"), value=slas),
        Fact(label=t(locale, "pulse.results.figures.rating"), value=rating),
    ]


def _cut(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _local_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()
