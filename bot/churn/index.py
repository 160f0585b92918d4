"""Which patterns can start at which word, so a text is read once.

Trying every pattern at every word start costs about 60 ns a pattern a word:
with some 300 patterns, 3 ms for a 1,000-character update. The index maps each
pattern's possible first words (exact, or a prefix for "cancel*") to its regex;
a scan walks the text's word starts once and tries only the patterns its word
can begin.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

from bot.churn.phrases import first_words

Owner = TypeVar("Owner")
_WORD_START = re.compile(r"(?<![\w'’])[\w'’]+")
# Words seen and the patterns they can start: text repeats its vocabulary.
MAX_REMEMBERED_WORDS = 50_000


class WordIndex(Generic[Owner]):
    def __init__(self, entries: Iterable[tuple[Owner, str, re.Pattern[str]]]) -> None:
        """`entries`: (owner, pattern, its compiled regex)."""
        exact: dict[str, list[tuple[Owner, re.Pattern[str]]]] = defaultdict(list)
        prefix: dict[str, list[tuple[Owner, re.Pattern[str]]]] = defaultdict(list)
        for owner, pattern, regex in entries:
            for word, is_prefix in first_words(pattern):
                (prefix if is_prefix else exact)[word].append((owner, regex))
        self._exact = {word: tuple(found) for word, found in exact.items()}
        self._prefix = {word: tuple(found) for word, found in prefix.items()}
        self._lengths = sorted({len(word) for word in prefix})
        self._seen: dict[str, tuple[tuple[Owner, re.Pattern[str]], ...]] = {}

    def forget_words(self) -> None:
        """Drop the words remembered (for benchmarks: the cost of a text of new words)."""
        self._seen.clear()

    def _candidates(self, word: str) -> tuple[tuple[Owner, re.Pattern[str]], ...]:
        found = self._seen.get(word)
        if found is None:
            plain = word.replace("’", "'")
            found = self._exact.get(plain, ()) + tuple(
                pair for n in self._lengths if n <= len(plain) for pair in self._prefix.get(plain[:n], ()))
            if len(self._seen) >= MAX_REMEMBERED_WORDS:
                self._seen.clear()
            self._seen[word] = found
        return found

    def matches(self, folded: str) -> Iterator[tuple[Owner, re.Match[str]]]:
        """Every (owner, match) of an indexed pattern in `folded`, by start."""
        for word in _WORD_START.finditer(folded):
            start = word.start()
            for owner, regex in self._candidates(word.group()):
                m = regex.match(folded, start)
                if m is not None and m.end() > start:
                    yield owner, m
