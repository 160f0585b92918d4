"""The phrase language of the churn signal files, compiled to regexes.

A pattern is matched against folded text (case and accents removed, see
`bot.text.fold`), always on whole words:

    word         the word itself                  "refund"
    word*        any word starting with it        "cancel*"  -> cancelar, cancelled
    a b          a, whitespace (any amount), b    "formal complaint"
    (a|b c|d*)   one of the alternatives          "(darse|darnos) de baja"
    (a|b)?       optional group
    ..N          up to N arbitrary words          "cancel* ..2 contract"

Accents in patterns are fine (they are folded too); an apostrophe also
matches the typographic one (’).
"""

from __future__ import annotations

import re

from bot.text import fold_map

_GAP_WORD = r"[\w'’%-]+"


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
    return re.compile(r"(?<![\w'’])" + _phrase(fold_map(pattern)[0]) + r"(?![\w'’])")


_HEAD = re.compile(r"[\w'’]+")


def first_words(pattern: str) -> set[tuple[str, bool]]:
    """The words a match of `pattern` can start with, folded, as (word, is_prefix).

    A word is cut where the text's words are (letters, digits, apostrophes): "non-renewal" starts
    with the word "non". Typographic apostrophes are written as "'".
    """
    return _first(_split_top(fold_map(pattern)[0].strip(), " ")[0])


def _first(token: str) -> set[tuple[str, bool]]:
    if token.startswith("("):
        inner = token[1:-2] if token.endswith(")?") else token[1:-1]
        return set().union(*(_first(_split_top(alt.strip(), " ")[0]) for alt in _split_top(inner, "|")))
    prefix = token.endswith("*")
    body = token[:-1] if prefix else token
    head = _HEAD.match(body)
    if head is None:
        raise ValueError(f"bad word {token!r}")
    return {(head.group().replace("’", "'"), prefix and head.group() == body)}
