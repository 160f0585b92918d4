"""What the churn classifier sees in a sentence: the features of `bot.churn.model`.

Shared by the training script (bench/churn_train.py) and the run-time scorer,
so both read a sentence the same way. Input is folded text (`bot.text.fold`):
case and accents already gone. Each word is reduced to its stem (Snowball,
through PyStemmer: "renovaran", "renovar" and "renovacion" are all "renov"),
and a sentence becomes:

    w:stem        a word not under negation          w:cancel
    n:stem        a word a negation reaches          n:renov  ("no renovarán")
    b:a b         two neighbouring stems of a clause b:se van
    t:a b c       three neighbouring stems           t:buscand otro proveedor

Measured leaving one writer's sentences out at a time (bench/churn_train.py),
stems with trigrams beat the earlier words with letter 3-5-grams by about
0.04 F1: the letter pieces fitted the writers' spelling more than their meaning.

Pattern hits are not features: the detector combines them with the model's
verdict instead (bench/churn_train.py says why).

Negation reach follows `bot.churn.scope` (same negators, fillers, clause
words and conditions): "no queremos cancelar" gives n:quer n:cancel,
while "si no se arregla, se van" keeps w:van, because a negator inside a
condition negates the condition.

Each feature is tied to the word(s) it came from (`Word` index), so the scorer
can say which words raised a sentence's score.
"""

from __future__ import annotations

import re
from collections.abc import Container
from typing import NamedTuple

import Stemmer

from bot.churn.scope import CLAUSE_WORDS, FILLERS, NEGATION_GAP, in_condition, is_negator

# What a competitor the organisation names reads as, whatever its name: the model
# learns what surrounds a mention, not the names of the sets it was trained on.
RIVAL = "_rival_"
STEMMERS = {"es": "spanish", "en": "english"}
# Stems remembered per language: text repeats its vocabulary.
MAX_REMEMBERED_STEMS = 50_000
_stemmers: dict[str, Stemmer.Stemmer] = {}
_stems: dict[str, dict[str, str]] = {}
_TOKEN = re.compile(r"[\w'’]+|[.,;:!?¡¿()\n\u2014\u2013\"]")


class Word(NamedTuple):
    text: str  # folded, typographic apostrophe made plain
    start: int  # offsets into the folded text
    end: int
    negated: bool
    clause: int  # words of one clause share it; bigrams never cross clauses


def words(folded: str, start: int = 0, end: int | None = None) -> list[Word]:
    """The words of folded[start:end], each marked negated or not."""
    out: list[Word] = []
    clause = 0
    clause_words: list[str] = []
    reach = 0  # content words a negator still reaches
    for m in _TOKEN.finditer(folded, start, len(folded) if end is None else end):
        tok = m.group()
        if not (tok[0].isalnum() or tok[0] == "_" or tok[0] in "'’"):
            clause, clause_words, reach = clause + 1, [], 0
            continue
        tok = tok.replace("’", "'")
        if tok in CLAUSE_WORDS:
            clause, clause_words, reach = clause + 1, [], 0
        clause_words.append(tok)
        if is_negator(tok):
            out.append(Word(tok, m.start(), m.end(), False, clause))
            if not in_condition(clause_words, len(clause_words) - 1):
                reach = NEGATION_GAP + 1
            continue
        out.append(Word(tok, m.start(), m.end(), reach > 0, clause))
        if reach and tok not in FILLERS:
            reach -= 1
    return out


def stem(language: str, word: str) -> str:
    """The word's Snowball stem in `language` ("es" or "en")."""
    known = _stems.setdefault(language, {})
    found = known.get(word)
    if found is None:
        stemmer = _stemmers.get(language)
        if stemmer is None:
            stemmer = _stemmers[language] = Stemmer.Stemmer(STEMMERS[language])
        if len(known) >= MAX_REMEMBERED_STEMS:
            known.clear()
        found = known[word] = stemmer.stemWord(word)
    return found


def forget_stems() -> None:
    """Drop the stems remembered (for benchmarks: the cost of a text of new words)."""
    _stems.clear()


def feature_names(ws: list[Word], language: str, known: Container[str] | None = None) -> list[str]:
    """A sentence's features (what `features` gives without the word indexes: the scorer's
    hot loop). With `known` (a model's features), a trigram whose last two words are not a
    known bigram is left out: a trigram in two sentences has its bigrams in both, so it
    cannot be known either."""
    stems = [stem(language, word.text) for word in ws]
    out: list[str] = []
    for i, word in enumerate(ws):
        out.append(("n:" if word.negated else "w:") + stems[i])
        if i and ws[i - 1].clause == word.clause:
            bigram = f"b:{stems[i - 1]} {stems[i]}"
            out.append(bigram)
            if i > 1 and ws[i - 2].clause == word.clause and (known is None or bigram in known):
                out.append(f"t:{stems[i - 2]} {stems[i - 1]} {stems[i]}")
    return out


def features(ws: list[Word], language: str) -> list[tuple[str, tuple[int, ...]]]:
    """(feature, indexes of the words it came from) for a sentence's words."""
    where: list[tuple[int, ...]] = []  # the same walk as feature_names
    for i, word in enumerate(ws):
        where.append((i,))
        if i and ws[i - 1].clause == word.clause:
            where.append((i - 1, i))
            if i > 1 and ws[i - 2].clause == word.clause:
                where.append((i - 2, i - 1, i))
    return list(zip(feature_names(ws, language), where, strict=True))
