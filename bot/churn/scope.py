"""How far words reach in a text: which negation cancels a phrase, and which
sentence a phrase stands in.

All functions take folded text (`bot.text.fold`) and an offset into it.

A negator cancels a phrase when it stands in the same clause (commas, full
stops and "but"/"pero" end a clause) with at most NEGATION_GAP content words
between them; articles, pronouns and auxiliaries do not count, so "en ningún
momento han hablado de irse" and "at no point did they mention switching" are
negated as well as "no quieren cancelar". A negator that belongs to a
condition ("si no se arregla ...", "if this isn't fixed ...", "como no lo
arreglemos ...") negates the condition, not the threat that follows, so it
cancels nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_right

NEGATION_GAP = 2
NEGATORS = frozenset(
    {
        # Spanish
        "no", "nunca", "jamas", "ni", "sin", "ningun", "ninguna", "ninguno", "tampoco", "nadie",
        # English
        "not", "never", "without", "nor", "cannot", "nobody", "none",
    }
)
# Words that open a condition: a negator right after one is part of it.
CONDITIONALS = frozenset({"si", "if", "unless", "until", "hasta", "mientras", "whether", "once"})
CONDITION_REACH = 3  # words between the conditional and its negator
# Words that do not count towards the gap: they carry no meaning of their own here.
FILLERS = frozenset(
    {
        # Spanish
        "el", "la", "los", "las", "un", "una", "unos", "unas", "lo", "le", "les", "se", "me", "te",
        "nos", "os", "de", "del", "al", "a", "en", "con", "que", "su", "sus", "ha", "han", "he",
        "hemos", "habia", "habian", "va", "van", "vamos", "ya", "es", "son", "esta", "estan",
        # English
        "the", "a", "an", "to", "of", "for", "with", "their", "our", "its", "they", "we", "it",
        "them", "us", "be", "been", "being", "is", "are", "was", "were", "have", "has", "had", "do",
        "does", "did", "will", "would", "going", "any", "even", "yet", "that",
    }
)
# Words that start a new clause: a negator before them does not reach past
# ("it isn't fixed and they are furious").
CLAUSE_WORDS = frozenset({"but", "pero", "sino", "aunque", "though", "however", "although", "and", "y"})
_CLAUSE_BREAK = re.compile(r"[.,;:!?¡¿()\n\u2014\u2013]")
_SENTENCE_BREAK = re.compile(r"[.!?;](?=\s|$)|\n")
_WORD = re.compile(r"[\w'’]+")


def _clause_before(folded: str, start: int) -> list[str]:
    """The words of the clause that `start` stands in, up to `start`."""
    before = folded[max(0, start - 200):start]  # a clause is never that long; keeps this O(1)
    brk = None
    for brk in _CLAUSE_BREAK.finditer(before):
        pass
    if brk is not None:
        before = before[brk.end():]
    words = _WORD.findall(before)
    for i in range(len(words) - 1, -1, -1):
        if words[i] in CLAUSE_WORDS:
            return words[i + 1:]
    return words


def is_negator(word: str) -> bool:
    """"no", "never", "don't"...: a word that negates what follows it."""
    return word in NEGATORS or word.endswith(("n't", "n’t"))


def in_condition(words: list[str], i: int) -> bool:
    """Whether the negator words[i] belongs to a condition."""
    if i > 0 and words[i - 1] == "como":  # "como no lo arreglen, ..."
        return True
    if words[i + 1:i + 2] == ["ser"] and i > 0 and words[i - 1] == "a":  # "a no ser que"
        return True
    return any(w in CONDITIONALS for w in words[max(0, i - CONDITION_REACH):i])


def _reaching(words: list[str]):
    """(index, word) of the words close enough before a phrase to bear on it, nearest first."""
    content = 0
    for i in range(len(words) - 1, -1, -1):
        yield i, words[i]
        if words[i] not in FILLERS and not is_negator(words[i]):
            content += 1
            if content > NEGATION_GAP:
                return


def negated(folded: str, start: int) -> bool:
    """A negator that is not part of a condition reaches the phrase at `start`."""
    words = _clause_before(folded, start)
    return any(is_negator(w) and not in_condition(words, i) for i, w in _reaching(words))


def doubted(folded: str, start: int, *, conditions: bool = True) -> bool:
    """Any negator (with `conditions`, also a conditional) reaches `start`:
    "no está resuelto", "if it's fixed"."""
    words = _clause_before(folded, start)
    return any(is_negator(w) or (conditions and w in CONDITIONALS) for _i, w in _reaching(words))


def sentence_starts(folded: str) -> list[int]:
    """Offsets where each sentence begins (the first is 0)."""
    return [0, *(m.end() for m in _SENTENCE_BREAK.finditer(folded))]


def sentence_of(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset) - 1
