"""What the churn classifier sees in a sentence: the features of `bot.churn.model`.

Shared by the training script (bench/churn_train.py) and the run-time scorer,
so both read a sentence the same way. Input is folded text (`bot.text.fold`):
case and accents already gone. A sentence becomes:

    w:word        a word not under negation            w:cancelar
    n:word        a word a negation reaches             n:renovaran  ("no renovarán")
    b:a b         two neighbouring words of one clause  b:se van
    c:gram        3- to 5-letter pieces of a word not   c:<canc, c:cela, c:lar>
                  under negation (inflections, typos)

Pattern hits are not features: the detector combines them with the model's
verdict instead (bench/churn_train.py says why).

Negation reach follows `bot.churn.scope` (same negators, fillers, clause
words and conditions): "no queremos cancelar" gives n:queremos n:cancelar,
while "si no se arregla, se van" keeps w:van, because a negator inside a
condition negates the condition.

A feature counts as often as it occurs (a letter piece shared by two words
twice), and the vector is scaled by one over the square root of its total
count, so a long sentence does not score higher for being long. Each feature
is tied to the word(s) it came from (`Word` index), so the scorer can say
which words raised a sentence's score.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from bot.churn.scope import CLAUSE_WORDS, FILLERS, NEGATION_GAP, in_condition, is_negator

CHAR_GRAMS = (3, 4, 5)
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


@lru_cache(maxsize=20_000)
def char_grams(word: str) -> tuple[str, ...]:
    """The word's letter 3- to 5-grams, with < and > marking its edges."""
    padded = f"<{word}>"
    return tuple("c:" + padded[i:i + n] for n in CHAR_GRAMS for i in range(len(padded) - n + 1))


def word_features(word: Word) -> tuple[str, ...]:
    """The features one word gives on its own (not the bigrams)."""
    if word.negated:
        return ("n:" + word.text,)
    return ("w:" + word.text, *char_grams(word.text))


def features(ws: list[Word]) -> list[tuple[str, tuple[int, ...]]]:
    """(feature, indexes of the words it came from) for a sentence's words."""
    out: list[tuple[str, tuple[int, ...]]] = []
    for i, word in enumerate(ws):
        out.extend((f, (i,)) for f in word_features(word))
        if i and ws[i - 1].clause == word.clause:
            out.append((f"b:{ws[i - 1].text} {word.text}", (i - 1, i)))
    return out
