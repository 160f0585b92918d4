"""Find churn-risk phrases in free text.

Signals live in `signals/<lang>.toml` inside this package. Each signal has an
`id`, a `severity` (1-3), an `action` key and a list of `patterns` in the
phrase language of `bot.churn.phrases` (whole words, case and accents folded,
`word*` prefixes, `(a|b)` alternatives, `..N` gaps).

A hit is dropped when a negation reaches it (`bot.churn.scope`): "no queremos
cancelar el contrato" and "there is no formal complaint" do not fire, while
"si no se arregla, se van con otro proveedor" does. Negation *inside* a
pattern is part of the phrase ("no renov*" is a signal in itself).

Each file also has `guard` entries: phrases that mark a sentence as not about
this customer's intent now, so no hit in that sentence counts. Our own staff's
mood ("nuestro equipo está harto del CRM"), hypotheticals and training talk
("si un cliente quisiera cancelar ..."), problems solved or in the past ("hace
un año estaban a punto de irse, pero ahora ..."). A guard that is itself
negated or conditional ("si no está resuelto ...") guards nothing.

Named competitors come from the organisation file: `detect(text,
competitors=[...])` raises a `competitor` hit on a mention of one, unless
negated, guarded or vetoed like any other phrase.

Then the classifier (`bot.churn.model`, trained by bench/churn_train.py)
reads each sentence in the model of its language: it keeps a pattern hit
unless it gives the sentence under VETO, and raises a sentence no pattern
matched when it gives it at least its threshold, naming the signal it scores
highest and the words that weighed most; never a sentence a guard covers or
where a pattern was cancelled by a negation (the look-alike filters speak
there). It reads a named competitor as the word RIVAL, so it judges the
mention by what surrounds it ("they are trialling RIVAL" against "our own
helpdesk runs on RIVAL").

Stdlib only but for the stemmer (PyStemmer, C), on purpose: this runs on every
status update (target under 2 ms for 1,000 characters, bench/churn_scan.py).
A pattern is only tried where the text has a word it can start with
(`bot.churn.index`); the classifier costs a few dictionary look-ups per word.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

from bot.churn.features import RIVAL, Word, words
from bot.churn.index import WordIndex
from bot.churn.model import Model, languages_of, load_models
from bot.churn.phrases import compile_pattern
from bot.churn.scope import doubted, negated, sentence_of, sentence_starts
from bot.text import fold, fold_map, original_span

KNOWN_SIGNALS = frozenset(
    {
        "cancel",
        "competitor",
        "anger",
        "complaint",
        "refund",
        "legal",
        "repeated_failure",
        "escalation",
        "price",
        "payment",
        "value",
        "downgrade",
        "disengagement",
        "review",
    }
)
ACTIONS = frozenset({"call_today", "involve_lead", "consider_compensation"})
GUARD_KINDS = frozenset({"ours", "hypothetical", "resolved", "won"})
LANGUAGES = ("es", "en")
COMPETITOR = "competitor"
# A pattern hit in a sentence the classifier gives less than VETO is a look-alike: silent; a
# named competitor, under VETO_NAMED. Holding out one writer at a time (bench/churn_train.py,
# detector F1 at the chosen thresholds, es / en): pattern veto 0.2: 0.829 / 0.831; 0.3: 0.833
# / 0.837; 0.5: 0.836 / 0.840. 0.2, because the plain threats the blind writers hardly wrote
# ("If it is not fixed, they will cancel the contract": the model gives it 0.31) must stand.
# A named competitor under 0.3: most mentions in the sets are harmless ("we use Zendesk
# internally", "they moved from Freshdesk to us"); at 0.1, detector F1 fell by about 0.02.
VETO = 0.2
VETO_NAMED = 0.3
# The classifier reads sentences of at least this many words; shorter ones (an issue title
# "Login fails", "Quieren cancelar el contrato") are left to the patterns: few features, so its
# verdict swings on one word. Held out by writer, 4, 5, 6 and 7 words gave the same F1 (+-0.003);
# at 6, plain short threats the writers hardly wrote are not vetoed.
MIN_WORDS = 6
# Where the classifier cuts a text into the sentences it reads.
MODEL_BREAK = re.compile(r"[.!?](?=\s|$)|\n")


@dataclass(frozen=True)
class Signal:
    id: str
    language: str
    severity: int
    action: str
    patterns: tuple[str, ...]
    regexes: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Guard:
    kind: str
    language: str
    patterns: tuple[str, ...]
    regexes: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Hit:
    signal_id: str
    phrase: str  # as written in the text, accents and case intact
    start: int  # offsets into the original text: text[start:end] == phrase
    end: int
    severity: int
    action: str


@dataclass(frozen=True)
class Rules:
    signals: tuple[Signal, ...]
    guards: tuple[Guard, ...] = ()

    @cached_property
    def index(self) -> WordIndex[Signal | Guard]:
        return WordIndex((rule, pattern, regex) for rule in (*self.signals, *self.guards)
                         for pattern, regex in zip(rule.patterns, rule.regexes))


# --- loading ------------------------------------------------------------------


def _compiled(where: str, patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    if not patterns:
        raise ValueError(f"{where}: no patterns")
    try:
        return tuple(compile_pattern(p) for p in patterns)
    except (ValueError, re.error) as e:
        raise ValueError(f"{where}: {e}") from e


def parse_rules(language: str, raw: dict) -> Rules:
    """Signals and guards from one parsed TOML table (as in `signals/<lang>.toml`)."""
    signals = []
    for entry in raw.get("signal", []):
        sid, sev, action = entry.get("id"), entry.get("severity"), entry.get("action")
        where = f"signals/{language}.toml, signal {sid!r}"
        if sid not in KNOWN_SIGNALS:
            raise ValueError(f"{where}: unknown signal id")
        if not isinstance(sev, int) or not 1 <= sev <= 3:
            raise ValueError(f"{where}: severity must be 1, 2 or 3")
        if action not in ACTIONS:
            raise ValueError(f"{where}: unknown action {action!r}")
        patterns = tuple(entry.get("patterns", ()))
        signals.append(Signal(sid, language, sev, action, patterns, _compiled(where, patterns)))
    guards = []
    for entry in raw.get("guard", []):
        kind = entry.get("kind")
        where = f"signals/{language}.toml, guard {kind!r}"
        if kind not in GUARD_KINDS:
            raise ValueError(f"{where}: unknown guard kind")
        patterns = tuple(entry.get("patterns", ()))
        guards.append(Guard(kind, language, patterns, _compiled(where, patterns)))
    return Rules(tuple(signals), tuple(guards))


@lru_cache(maxsize=1)
def _load() -> Rules:
    base = resources.files("bot.churn").joinpath("signals")
    signals: list[Signal] = []
    guards: list[Guard] = []
    for lang in LANGUAGES:
        rules = parse_rules(lang, tomllib.loads(base.joinpath(f"{lang}.toml").read_text(encoding="utf-8")))
        signals.extend(rules.signals)
        guards.extend(rules.guards)
    return Rules(tuple(signals), tuple(guards))


def load_rules() -> Rules:
    """Every language's signals and guards shipped with the package (parsed once)."""
    return _load()


def load_signals() -> list[Signal]:
    """Every language's signals shipped with the package."""
    return list(_load().signals)


@lru_cache(maxsize=32)
def _competitor_regex(names: tuple[str, ...]) -> re.Pattern[str] | None:
    folded = sorted({fold(n).strip() for n in names if n.strip()}, key=len, reverse=True)
    if not folded:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, name.split())) for name in folded)
    return re.compile(rf"(?<![\w'’])(?:{alternatives})(?![\w'’])")


# --- detection ----------------------------------------------------------------


def detect(text: str, rules: Rules | None = None, competitors: Iterable[str] = (),
           models: Mapping[str, Model] | None = None) -> list[Hit]:
    """Churn-risk phrases in `text`, in text order.

    Every language's rules are tried (people mix languages). Per signal,
    overlapping matches are merged into the longest one; different signals
    may overlap ("no renuevan" after "una rebaja" gives cancel and price).
    `competitors`: names from the organisation file, a mention of which is a
    competitor signal.

    Then each sentence is read by the classifier of its language
    (`bot.churn.model`, `models`; the shipped ones with the shipped rules, none
    with rules of one's own): a sentence it scores at or above its threshold
    raises a hit even where no pattern matched, naming the signal it scores
    highest and the words that weighed most; a pattern hit in a sentence it
    scores under VETO stays silent.
    """
    if not text:
        return []
    if models is None:
        models = load_models() if rules is None else {}
    if rules is None:
        rules = _load()
    folded, index = fold_map(text)
    starts = sentence_starts(folded)
    found, named, quiet, said = _pattern_spans(folded, starts, rules, competitors)
    if models:
        # The model reads a named competitor as one word, RIVAL, whatever the name (it was
        # trained so): "están probando Freshdesk" and "migraron de Freshdesk a nosotros"
        # differ in what surrounds it, and the mention is vetoed like any pattern hit.
        found = _read_sentences(folded, starts, found + named, named, quiet, said, rules, models)
    else:
        found += named
    # The same id may be defined in several languages: merge per id, so
    # overlapping matches give one hit (the longest, its signal's severity).
    by_id: dict[str, list[tuple[int, int, int, str]]] = {}
    for sid, start, end, severity, action in found:
        by_id.setdefault(sid, []).append((start, end, severity, action))
    hits: list[Hit] = []
    for sid, spans in by_id.items():
        spans.sort(key=lambda t: (t[0], -t[1]))
        kept: list[tuple[int, int, int, str]] = []
        for span in spans:
            if kept and span[0] < kept[-1][1]:
                if span[1] > kept[-1][1]:  # extend, keep the earlier match's grade
                    kept[-1] = (kept[-1][0], span[1], *kept[-1][2:])
                continue
            kept.append(span)
        for s, e, severity, action in kept:
            a, b = original_span(text, index, s, e)
            hits.append(Hit(sid, text[a:b], a, b, severity, action))
    hits.sort(key=lambda h: (h.start, h.end, h.signal_id))
    return hits


Span = tuple[str, int, int, int, str]  # signal id, start, end (folded text), severity, action


Cue = tuple[int, str]  # where (folded text), what: "p:cancel", "q:cancel" (negated), "g:ours"


def cues(folded: str) -> list[Cue]:
    """What the shipped patterns and guards say about a folded text, as the classifier
    reads it beside the words (bench/churn_train.py trains it so)."""
    return _pattern_spans(folded, sentence_starts(folded), _load(), ())[3]


def _pattern_spans(folded: str, starts: list[int], rules: Rules,
                   competitors: Iterable[str]) -> tuple[list[Span], list[Span], set[int], list[Cue]]:
    """What the patterns find and the competitors named (less the negated and guarded), the
    sentences the look-alike filters spoke for (guarded, or with a pattern a negation cancels),
    and every pattern and guard as a cue for the classifier."""
    guarded: set[int] = set()
    found: list[Span] = []
    said: list[Cue] = []
    negations: dict[int, bool] = {}  # start -> negated: the cue and the kept span ask alike

    def negated_at(start: int) -> bool:
        if start not in negations:
            negations[start] = negated(folded, start)
        return negations[start]

    for rule, m in rules.index.matches(folded):
        if isinstance(rule, Guard):
            # A solution only counts when stated as fact ("si está resuelto ..." is not);
            # the other guards hold in a condition too ("si un cliente no paga ...").
            if not doubted(folded, m.start(), conditions=rule.kind == "resolved"):
                guarded.add(sentence_of(starts, m.start()))
                said.append((m.start(), "g:" + rule.kind))
        else:
            found.append((rule.id, m.start(), m.end(), rule.severity, rule.action))
            said.append((m.start(), ("q:" if negated_at(m.start()) else "p:") + rule.id))
    names = _competitor_regex(tuple(competitors))
    named: list[Span] = []
    if names is not None:
        severity, action = _competitor_grade(rules)
        named = [(COMPETITOR, m.start(), m.end(), severity, action) for m in names.finditer(folded)]
    quiet = set(guarded)
    kept: list[list[Span]] = [[], []]
    for i, spans in enumerate((found, named)):
        for span in spans:
            k = sentence_of(starts, span[1])
            if k in guarded:
                continue
            if negated_at(span[1]):
                quiet.add(k)
            else:
                kept[i].append(span)
    return kept[0], kept[1], quiet, said


def _read_sentences(folded: str, starts: list[int], found: list[Span], named: list[Span], quiet: set[int],
                    said: list[Cue], rules: Rules, models: Mapping[str, Model]) -> list[Span]:
    """The pattern spans the classifier does not veto, plus the sentences it raises alone
    (never one the look-alike filters spoke for: `quiet`, indexes of `starts`' sentences).

    The classifier reads whole sentences (MODEL_BREAK: ";" does not end one, as it does
    for the guards), as it was trained on them."""
    out: list[Span] = []
    chunks = [0, *(m.end() for m in MODEL_BREAK.finditer(folded)), len(folded)]
    found = sorted(found, key=lambda span: span[1])
    i = 0
    for a, b in zip(chunks, chunks[1:]):
        spans = []
        while i < len(found) and found[i][1] < b:
            spans.append(found[i])
            i += 1
        ws = as_rival(words(folded, a, b), [(span[1], span[2]) for span in named if a <= span[1] < b])
        if len(ws) < MIN_WORDS:
            out += spans
            continue
        heard = [cue for at, cue in said if a <= at < b]
        readings = [(models[lang], vector := models[lang].vector(ws, heard), models[lang].probability(ws, vector))
                    for lang in languages_of(ws) if lang in models]
        model, vector, p = max(readings, key=lambda reading: reading[2], default=(None, {}, 1.0))
        if model is None:
            out += spans
        elif spans:
            out += [span for span in spans if p >= (VETO_NAMED if span in named else VETO)]
        elif p >= model.threshold and not quiet.intersection(
                range(sentence_of(starts, a), sentence_of(starts, max(a, b - 1)) + 1)):
            sid = model.signal(vector)
            first, last = model.phrase(ws, vector)
            severity, action = _grade(rules, sid, model.language)
            out.append((sid, ws[first].start, ws[last].end, severity, action))
    return out


def as_rival(ws: list[Word], spans: list[tuple[int, int]]) -> list[Word]:
    """The words with each named competitor (start, end offsets) made one word, RIVAL."""
    if not spans:
        return ws
    out: list[Word] = []
    for word in ws:
        span = next((s for s in spans if s[0] <= word.start < s[1]), None)
        if span is None:
            out.append(word)
        elif not out or out[-1].start != span[0] or out[-1].text != RIVAL:
            out.append(Word(RIVAL, span[0], span[1], word.negated, word.clause))
    return out


def _grade(rules: Rules, sid: str, language: str) -> tuple[int, str]:
    """A signal's severity and action, from its entry in the language's file (else any)."""
    graded = [(sig.language != language, sig.severity, sig.action) for sig in rules.signals if sig.id == sid]
    return min(graded)[1:] if graded else (2, "call_today")


def _competitor_grade(rules: Rules) -> tuple[int, str]:
    """A named competitor weighs what the competitor signal does in the files."""
    for sig in rules.signals:
        if sig.id == COMPETITOR:
            return sig.severity, sig.action
    return 3, "call_today"
