"""Who may write a person's name, locale and time zone.

Each field remembers where its value came from (Person.field_sources):

- "org": the organisation file's entry for the person set it. It is the source
  of truth: no platform profile overwrites it.
- "slack", "teams": that platform's profile wrote it. Only the same platform
  refreshes it, so a person on both platforms does not flip between two
  spellings of their name; the other platform only fills a field left empty.
  The platform that first gave the value keeps it: it is where the person
  maintains it, so a rename there still reaches Pedir.
- no source (a value from the org file's [defaults], a stand-in name from a
  profile that could not be fetched, a row older than this rule): any
  platform's profile may replace it, and becomes its source.
"""

from __future__ import annotations

from typing import Protocol

from storage.models import Person

ORG = "org"
FIELDS = ("name", "locale", "timezone")


class Values(Protocol):
    name: str
    locale: str | None
    timezone: str | None


def may_write(person: Person, field: str, source: str) -> bool:
    return source == ORG or person.field_sources.get(field) in (None, source)


def take_from_platform(person: Person, profile: Values, platform: str) -> bool:
    """Copies what `platform` may write from its profile; True if anything changed."""
    sources = dict(person.field_sources)
    changed = False
    for field in FIELDS:
        value = getattr(profile, field)
        if not value or not may_write(person, field, platform):
            continue
        if getattr(person, field) != value:
            setattr(person, field, value)
            changed = True
        sources[field] = platform
    if sources != person.field_sources:
        person.field_sources = sources  # a new dict: JSON columns see reassignment only
        changed = True
    return changed


def org_sources(person: Person | None, given: dict[str, str]) -> dict[str, str]:
    """The person's sources once the org file set `given` (field -> value).

    A field the entry no longer sets loses its "org" mark, so platforms may
    fill it again; what platforms wrote stays theirs.
    """
    sources = {f: s for f, s in (person.field_sources if person else {}).items() if s != ORG}
    sources.update({field: ORG for field in given if field in FIELDS})
    return sources
