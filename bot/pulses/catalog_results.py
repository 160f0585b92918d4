"""The sentences of a pulse's results (bot.pulses.results_text) and of their export."""

from __future__ import annotations

RESULTS_CATALOG: dict[str, dict[str, str]] = {
    "pulse.results.title": {
        "es": "{pulse} · ronda {number} · {question}",
        "en": "{pulse} · round {number} · {question}",
    },
    "pulse.results.no_rounds": {
        "es": "{pulse} aún no ha salido: sus resultados se verán cuando cierre su primera ronda.",
        "en": "{pulse} has not gone out yet: its results will show once its first round closes.",
    },
    "pulse.results.no_round": {
        "es": "{pulse} no tiene ronda {number}. Sus rondas van de la 1 a la {last}.",
        "en": "{pulse} has no round {number}. Its rounds go from 1 to {last}.",
    },
    "pulse.results.below": {
        "es": "{count} de {needed} respuestas necesarias",
        "en": "{count} of {needed} answers needed",
    },
    "pulse.results.below_note": {
        "es": "Los resultados se muestran a partir de {needed} respuestas, para que nadie pueda deducir una.",
        "en": "Results show from {needed} answers on, so nobody can work out anyone's answer.",
    },
    "pulse.results.open": {
        "es": "Ronda abierta hasta {closes}: han respondido {count} de {audience} personas.\n"
              "Los resultados se verán al cerrarse la ronda, no antes: unos resultados que cambian con cada "
              "respuesta dejarían deducir la de cada cual.",
        "en": "Round open until {closes}: {count} of {audience} people have answered.\n"
              "Results show once the round closes, not before: results that moved with every answer "
              "would give away each one.",
    },
    "pulse.results.rate": {
        "es": "*Respuestas:* {count} de {audience} ({share})",
        "en": "*Answers:* {count} of {audience} ({share})",
    },
    "pulse.results.count": {
        "es": "*Respuestas:* {count}",
        "en": "*Answers:* {count}",
    },
    "pulse.results.average": {
        "es": "Media {value} de 5 · {count} respuestas",
        "en": "Average {value} out of 5 · {count} answers",
    },
    "pulse.results.enps": {
        "es": "eNPS {value} · promotores {promoters}, pasivos {passives}, detractores {detractors} · {count} respuestas",
        "en": "eNPS {value} · promoters {promoters}, passives {passives}, detractors {detractors} · {count} answers",
    },
    "pulse.results.trend": {"es": "Tendencia: {line}", "en": "Trend: {line}"},
    "pulse.results.by_team": {"es": "Por equipo de quien responde:", "en": "By the respondents' team:"},
    "pulse.results.hidden": {"es": "— (menos de {needed})", "en": "— (fewer than {needed})"},
    "pulse.results.no_team": {"es": "Sin equipo", "en": "No team"},
    "pulse.results.texts": {"es": "Respuestas, en orden aleatorio:", "en": "Answers, in random order:"},
    "pulse.results.no_texts": {"es": "Nadie escribió nada.", "en": "Nobody wrote anything."},
    "pulse.results.comments": {"es": "*Comentarios*, en orden aleatorio:", "en": "*Comments*, in random order:"},
    "pulse.results.more": {"es": "…y {count} más", "en": "…and {count} more"},
    "pulse.results.team_answer": {"es": "La respuesta de {team}", "en": "The answer from {team}"},
    "pulse.results.footer": {
        "es": "Anónimo: nada se muestra con menos de {needed} respuestas; comentarios sin fecha y en orden aleatorio.",
        "en": "Anonymous: nothing shows under {needed} answers; comments undated and in random order.",
    },
    "pulse.results.figures.requests": {
        "es": "Peticiones a {team} en el periodo", "en": "Requests to {team} in the period",
    },
    "pulse.results.figures.first_response": {
        "es": "Primera respuesta (mediana)", "en": "First response (median)",
    },
    "pulse.results.figures.slas": {"es": "SLA cumplidos", "en": "SLAs met"},
    "pulse.results.figures.slas_value": {"es": "{share} de {count}", "en": "{share} of {count}"},
    "pulse.results.figures.rating": {"es": "Valoración media", "en": "Average rating"},
    "pulse.results.figures.rating_value": {
        "es": "{value} de 5 ({count} valoraciones)", "en": "{value} out of 5 ({count} ratings)",
    },
    "pulse.results.figures.none": {"es": "—", "en": "—"},
    "pulse.results.figures.period": {
        "es": "Lo que pasó con las peticiones a {team} del {start} al {end}, junto a lo que se dijo.",
        "en": "What happened to requests to {team} from {start} to {end}, next to what was said.",
    },
    "pulse.results.export.written": {"es": "{rows} filas en {path}", "en": "{rows} rows in {path}"},
    "pulse.results.export.no_round": {"es": "{pulse} no tiene ronda {number}.", "en": "{pulse} has no round {number}."},
}
