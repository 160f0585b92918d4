"""What a line Pedir could not read answers: which word it did not know, the
nearest one it does know, the words it would have understood, and where the
help of the command that was typed lives ("/incidencia ayuda", not always
"/pedir ayuda")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from difflib import get_close_matches

from bot.commands.grammar import ParseError
from bot.errors import UserError
from bot.i18n import normalize_locale, t
from bot.text import keyword

HELP_WORDS = {"es": "ayuda", "en": "help"}
CLOSE_ENOUGH = 0.8  # difflib's ratio: "cancelr" -> "cancelar"; "hola" is not "cola"


def help_word(locale: str | None) -> str:
    return HELP_WORDS[normalize_locale(locale)]


def asks_for_help(text: str) -> bool:
    """The whole text is "ayuda" or "help" (with any punctuation around it)."""
    words = text.split()
    return len(words) == 1 and keyword(words[0]) in HELP_WORDS.values()


def nearest(typed: str, known: Sequence[str]) -> str | None:
    """The known word `typed` most likely meant, if one is close."""
    by_key = {keyword(word): word for word in known}
    found = get_close_matches(keyword(typed), list(by_key), n=1, cutoff=CLOSE_ENOUGH)
    return by_key[found[0]] if found else None


def _hint(locale: str | None, typed: str, known: Sequence[str]) -> str:
    guess = nearest(typed, known)
    return t(locale, "input.did_you_mean_word", word=guess) + " " if guess else ""


def unknown_command(locale: str | None, typed: str, commands: Sequence[str], meant: str | None = None) -> UserError:
    """A first word that is no command at all: the commands there are. `meant`: what
    the word is after a command ("/pedir cancelar" for "cancelar"), if it is one."""
    hint = t(locale, "input.did_you_mean_word", word=meant) + " " if meant else _hint(locale, typed, commands)
    return UserError("input.unknown_word", value=typed, hint=hint, commands=", ".join(commands),
                     help=f"/pedir {help_word(locale)}")


def unknown_verb(
    locale: str | None, typed: str, command: str, verbs: Mapping[str, Sequence[str]], help_at: str
) -> UserError:
    """A word after a command that the command does not know: the words it does."""
    shown = verbs.get(normalize_locale(locale)) or verbs.get("es") or ()
    every = [word for words in verbs.values() for word in words]
    return UserError("input.unknown_verb", value=typed, command=command, hint=_hint(locale, typed, every),
                     verbs=", ".join(shown), help=help_at)


def parse_error(error: ParseError, help_at: str) -> UserError:
    """Any other parse error, with the help of the command it came from at hand."""
    refusal = error.as_user_error()
    return UserError(refusal.key, **refusal.values, help=help_at)
