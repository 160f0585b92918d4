"""Find churn-risk phrases in free text.

Signals live in `signals/<lang>.toml` inside this package. Each signal has an
`id`, a `severity` (1-3), an `action` key and a list of `patterns`. A pattern
is a small phrase language, matched against folded text (case and accents
removed, see `bot.text.fold`), always on whole words:

    word         the word itself                  "refund"
    word*        any word starting with it        "cancel*"  -> cancelar, cancelled
    a b          a, whitespace (any amount), b    "formal complaint"
    (a|b c|d*)   one of the alternatives          "(darse|darnos) de baja"
    (a|b)?       optional group
    ..N          up to N arbitrary words          "cancel* ..2 contract"

Accents in patterns are fine (they are folded too); an apostrophe also
matches the typographic one (’).

A hit is dropped when a negator ("no", "not", "never", "sin", "n't", ...)
stands among the three words before it in the same clause (commas, full stops
and "but"/"pero" end a clause): "no queremos cancelar el contrato" and
"there is no formal complaint" do not fire. Negation *inside* a pattern is
part of the phrase ("no renov*" is a signal in itself).

Stdlib only, on purpose: this runs on every status update.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from bot.text import fold_map, original_span

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
    }
)
ACTIONS = frozenset({"call_today", "involve_lead", "consider_compensation"})
LANGUAGES = ("es", "en")

NEGATION_WINDOW = 3
NEGATORS = frozenset(
    {
        # Spanish
        "no", "nunca", "jamas", "ni", "sin", "ningun", "ninguna", "ninguno",
        "tampoco", "nadie",
        # English
        "not", "never", "without", "nor", "cannot", "nobody", "none",
    }
)
# Words that start a new clause: a negator before them does not reach past.
_CLAUSE_WORDS = frozenset({"but", "pero", "sino", "aunque", "though", "however", "although"})
_CLAUSE_BREAK = re.compile(r"[.,;:!?¡¿()\n\u2014\u2013]")
_WORD = re.compile(r"[\w'’]+")
_GAP_WORD = r"[\w'’%-]+"


@dataclass(frozen=True)
class Signal:
    id: str
    language: str
    severity: int
    action: str
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


# --- pattern compiler ---------------------------------------------------------


def _split_top(s: str, sep: str) -> list[str]:
    """Split on `sep` (" " or "|") outside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced ')' in {s!r}")
        if depth == 0 and (ch == sep or (sep == " " and ch.isspace())):
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if depth:
        raise ValueError(f"unbalanced '(' in {s!r}")
    parts.append("".join(cur))
    return [p for p in parts if p] if sep == " " else parts


def _word(tok: str) -> str:
    if not tok:
        raise ValueError("empty word")
    prefix = tok.endswith("*")
    body = tok[:-1] if prefix else tok
    if not body or any(c in body for c in "*()|?[]{}\\+^$"):
        raise ValueError(f"bad word {tok!r} (use (a|b) groups, (a)? for optional)")
    rx = "".join("['’]" if c in "'’" else re.escape(c) for c in body)
    return rx + (r"\w*" if prefix else "")


def _token(tok: str) -> tuple[str, bool]:
    """Regex for one token and whether it is optional."""
    optional = False
    if tok.startswith("("):
        if tok.endswith(")?"):
            optional, inner = True, tok[1:-2]
        elif tok.endswith(")"):
            inner = tok[1:-1]
        else:
            raise ValueError(f"bad group {tok!r}")
        alts = _split_top(inner, "|")
        if any(not a.strip() for a in alts):
            raise ValueError(f"empty alternative in {tok!r}")
        return "(?:" + "|".join(_phrase(a) for a in alts) + ")", optional
    return _word(tok), False


_GAP = re.compile(r"\.\.(\d)")


def _phrase(pattern: str) -> str:
    tokens = _split_top(pattern.strip(), " ")
    if not tokens:
        raise ValueError("empty pattern")
    out: list[str] = []
    for i, tok in enumerate(tokens):
        gap = _GAP.fullmatch(tok)
        if gap:
            if i == 0 or i == len(tokens) - 1:
                raise ValueError(f"gap at the edge of {pattern!r}")
            out.append(rf"(?:\s+{_GAP_WORD}){{0,{gap.group(1)}}}")
            continue
        rx, optional = _token(tok)
        if i == 0:
            if optional:
                raise ValueError(f"first token optional in {pattern!r}")
            out.append(rx)
        else:
            out.append(rf"(?:\s+{rx})" + ("?" if optional else ""))
    return "".join(out)


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile one pattern (see the module docstring) to a regex on folded text."""
    folded = fold_map(pattern)[0]
    return re.compile(r"(?<![\w'’])" + _phrase(folded) + r"(?![\w'’])")


# --- loading ------------------------------------------------------------------


def _parse(language: str, raw: dict) -> list[Signal]:
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
        if not patterns:
            raise ValueError(f"{where}: no patterns")
        try:
            regexes = tuple(compile_pattern(p) for p in patterns)
        except (ValueError, re.error) as e:
            raise ValueError(f"{where}: {e}") from e
        signals.append(Signal(sid, language, sev, action, patterns, regexes))
    return signals


@lru_cache(maxsize=1)
def _load() -> tuple[Signal, ...]:
    base = resources.files("bot.churn").joinpath("signals")
    out: list[Signal] = []
    for lang in LANGUAGES:
        raw = tomllib.loads(base.joinpath(f"{lang}.toml").read_text(encoding="utf-8"))
        out.extend(_parse(lang, raw))
    return tuple(out)


def load_signals() -> list[Signal]:
    """All signals of every language shipped with the package (parsed once)."""
    return list(_load())


# --- detection ----------------------------------------------------------------


def _negated(folded: str, start: int) -> bool:
    before = folded[:start]
    brk = None
    for brk in _CLAUSE_BREAK.finditer(before):
        pass
    if brk is not None:
        before = before[brk.end():]
    words = _WORD.findall(before)
    for i in range(len(words) - 1, -1, -1):  # clause words cut the window too
        if words[i] in _CLAUSE_WORDS:
            words = words[i + 1 :]
            break
    for w in words[-NEGATION_WINDOW:]:
        if w in NEGATORS or w.endswith(("n't", "n’t")):
            return True
    return False


def detect(text: str, signals: list[Signal] | None = None) -> list[Hit]:
    """Churn-risk phrases in `text`, in text order.

    Every language's signals are tried (people mix languages). Per signal,
    overlapping matches are merged into the longest one; different signals
    may overlap ("no renuevan" after "una rebaja" gives cancel and price).
    """
    if not text:
        return []
    if signals is None:
        signals = _load()
    folded, index = fold_map(text)
    # The same id may be defined in several languages: merge per id, so
    # overlapping matches give one hit (the longest, its signal's severity).
    by_id: dict[str, list[tuple[int, int, Signal]]] = {}
    for sig in signals:
        for rx in sig.regexes:
            for m in rx.finditer(folded):
                if m.end() > m.start() and not _negated(folded, m.start()):
                    by_id.setdefault(sig.id, []).append((m.start(), m.end(), sig))
    hits: list[Hit] = []
    for sid, spans in by_id.items():
        spans.sort(key=lambda t: (t[0], -t[1]))
        kept: list[tuple[int, int, Signal]] = []
        for s, e, sig in spans:
            if kept and s < kept[-1][1]:
                if e > kept[-1][1]:  # extend, keep the earlier signal's data
                    kept[-1] = (kept[-1][0], e, kept[-1][2])
                continue
            kept.append((s, e, sig))
        for s, e, sig in kept:
            a, b = original_span(text, index, s, e)
            hits.append(Hit(sid, text[a:b], a, b, sig.severity, sig.action))
    hits.sort(key=lambda h: (h.start, h.end, h.signal_id))
    return hits
