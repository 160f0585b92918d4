"""Text helpers shared by the command parser and team matching.

Users type "Miércoles", "miercoles" or "MIÉRCOLES" and mean the same thing,
so keywords and names are compared after folding case and accents.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)  # text repeats characters; NFKD per character is slow
def _fold_char(ch: str) -> str:
    # NFKD splits "é" into "e" + accent and maps compatibility forms
    # (fullwidth letters, ligatures, NBSP) to plain ones; the accents go.
    # Casefold last, then once more through NFKD, because casefolding can
    # itself produce decomposable characters.
    def strip(s: str) -> str:
        decomposed = unicodedata.normalize("NFKD", s)
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    return strip(strip(ch).casefold())


# Characters that fold to exactly one character, as a str.translate table, learnt
# as they come; and those that fold to none ("\u0301") or several ("ß").
_ONE_TO_ONE: dict[int, str] = {}
_OTHERS: set[str] = set()
_MAX_LEARNT = 8192  # keeps the table small against text made of rare characters


def _one_to_one(chars: set[str]) -> bool:
    """Whether every character of `chars` folds to exactly one (learning them)."""
    for ch in chars:
        if ord(ch) in _ONE_TO_ONE:
            continue
        if ch in _OTHERS or len(_ONE_TO_ONE) >= _MAX_LEARNT:
            return False
        folded = _fold_char(ch)
        if len(folded) != 1:
            _OTHERS.add(ch)
            return False
        _ONE_TO_ONE[ord(ch)] = folded
    return True


def fold_map(s: str) -> tuple[str, list[int]]:
    """Fold `s` and say, for each folded character, which input index it came from.

    Matching is done on the folded text; the index map lets callers cut the
    matched phrase out of the original, accents and case intact.
    """
    if s.isascii():  # the common case, and a fast one for long texts
        return s.lower(), list(range(len(s)))
    # Accented text mostly folds character for character (é -> e): one
    # str.translate, instead of a Python step per character (20x faster on 1,000).
    if _one_to_one(set(s)):
        return s.translate(_ONE_TO_ONE), list(range(len(s)))
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(s):
        folded = _fold_char(ch)
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), index


def fold(s: str) -> str:
    """Lowercase and strip accents: "Mañana" -> "manana", "SÁBADO" -> "sabado"."""
    return fold_map(s)[0]


def original_span(s: str, index: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a non-empty [start, end) span of fold_map(s) back to a span of `s`."""
    begin, stop = index[start], index[end - 1] + 1
    # Decomposed input ("n" + combining tilde) folds the accent away; keep it.
    while stop < len(s) and unicodedata.combining(s[stop]):
        stop += 1
    return begin, stop


def strip_controls(text: str) -> str:
    """Drop control characters and lone surrogates, keeping tabs and newlines.

    They break storage (PostgreSQL rejects NUL, UTF-8 rejects surrogates)
    and no user means them.
    """
    keep = "\n\t"
    return "".join(c for c in text if c in keep or unicodedata.category(c) not in ("Cc", "Cs"))


def squeeze_spaces(text: str) -> str:
    """One space between words, line breaks kept, at most one blank line in a row."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def keyword(token: str) -> str:
    """A typed word as a keyword: folded, with the punctuation around it gone."""
    return fold(token).strip(".,;:!?¡¿")


def shorten(text: str, limit: int = 80) -> str:
    """One line of at most `limit` characters, cut with '…'."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
