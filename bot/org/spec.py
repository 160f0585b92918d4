"""The organisation file's shape (pydantic v2) and `load_org`, which reads it.

People, teams, customers and competitors. `SEVERITIES` and `DEFAULT_CADENCE` (how often an
issue's owner team owes a status update) live here because the file sets them.

Every problem becomes one `OrgFileError` naming the file and the key path, so
an admin can go straight to the line to fix. Checks that need the database
(lead and members defined only there) are left to the importer.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, get_args
from zoneinfo import ZoneInfo, available_timezones

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError
from rapidfuzz import fuzz, process

from bot.i18n import SUPPORTED
from bot.limits import MAX_NAME, MAX_TEXT
from bot.sla import calendar
from bot.sla.business_hours import BusinessHours, BusinessHoursError
from bot.text import fold

Priority = Literal["urgent", "high", "normal", "low"]
PRIORITIES = get_args(Priority)
MINUTES_PER_DAY = 8 * 60  # "2d" means two business days of 8 hours, not 48 h.
# Minutes (first_response, resolution) for a priority the file leaves out.
DEFAULT_SLA = {"urgent": (60, 240), "high": (240, 480), "normal": (480, 1440), "low": (960, 2400)}
Severity = Literal["sev1", "sev2", "sev3", "sev4"]  # sev1 is the worst.
SEVERITIES = get_args(Severity)
# Business minutes between status updates on an issue, for a severity the file leaves out.
DEFAULT_CADENCE = {"sev1": 120, "sev2": 240, "sev3": 480, "sev4": 1440}
DEFAULT_TIMEZONE = "Europe/Madrid"
DEFAULT_BUSINESS_HOURS = {day: ["09:00", "18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DURATION_RE = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
BARE_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Only a short list of regions fits in an error message; longer ones get an example.
MAX_LISTED_REGIONS = 30


class OrgFileError(ValueError):
    """`examples/x.toml: teams.facturacion.lead: "x@example.com" is not ...`"""

    def __init__(self, path: Path, key_path: str, message: str) -> None:
        self.path, self.key_path, self.message = Path(path), key_path, message
        super().__init__(f"{path}: {key_path}: {message}" if key_path else f"{path}: {message}")


def show(value: Any) -> str:  # As typed in TOML: strings in double quotes.
    return json.dumps(value, ensure_ascii=False, default=str)


def _fail(message: str) -> PydanticCustomError:  # Verbatim, no "Value error, ".
    return PydanticCustomError("org", "{m}", {"m": message})


def suggestion(word: str, choices: Any) -> str:
    best = process.extractOne(word, list(choices), score_cutoff=75)
    return f" (did you mean {show(best[0])}?)" if best else ""


def name_hint(word: str, names: dict[str, str]) -> str:
    """ "Spain" -> ' (did you mean "ES"?)': another name for a code, or a long one spelt
    nearly right, suggests the code. Plain ratio: short words match inside long names otherwise."""
    exact = {name.lower(): code for name, code in names.items()}  # "esp", "uk"
    if word.lower() in exact:
        return f" (did you mean {show(exact[word.lower()])}?)"
    long_names = [name for name in names if len(name) > 3]
    best = process.extractOne(word, long_names, scorer=fuzz.ratio, processor=str.lower,
                              score_cutoff=75)
    return f" (did you mean {show(names[best[0]])}?)" if best else ""


def parse_duration(value: Any) -> int:
    """"30m", "4h", "1h30m", "2d" -> business minutes."""
    match = DURATION_RE.match(value) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        raise _fail(f"{show(value)} is not a duration (use 30m, 4h, 1h30m or 2d)")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    total = days * MINUTES_PER_DAY + hours * 60 + minutes
    if total <= 0:
        raise _fail(f"{show(value)} must be longer than zero")
    return total


def _slug(value: Any) -> str:
    if isinstance(value, str) and SLUG_RE.match(value):
        return value
    ascii_ = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    guess = re.sub(r"[^a-z0-9_-]+", "-", ascii_.lower()).strip("-_")[:64]
    raise _fail(f"{show(value)} is not a valid slug: use lowercase letters, digits, "
                f'"-" and "_", starting with a letter or digit, at most 64'
                + (f" (try {show(guess)})" if SLUG_RE.match(guess) else ""))


def _timezone(value: Any) -> str:
    try:
        ZoneInfo(value)
        return value
    except Exception:  # noqa: BLE001  (unknown name, bad type or a path-like key)
        hint = suggestion(value, available_timezones()) if isinstance(value, str) else ""
        raise _fail(f"{show(value)} is not a time zone: use an IANA name such as "
                    f"Europe/Madrid{hint}") from None


def _country(value: Any) -> str:
    """A two-letter code the `holidays` package knows, such as "ES"; "es" is taken as "ES"."""
    codes = calendar.countries()
    if isinstance(value, str) and value.strip().upper() in codes:
        return value.strip().upper()
    hint = name_hint(value, calendar.country_names()) if isinstance(value, str) else ""
    raise _fail(f"{show(value)} is not a country with known public holidays: use a "
                f'two-letter ISO 3166 code such as "ES", "PT" or "MX"{hint}')


def _holiday(value: Any) -> str:
    """A TOML date (2026-12-24) or a "2026-12-24" string, kept as ISO text."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    try:
        if isinstance(value, str) and ISO_DATE_RE.match(value.strip()):
            return date.fromisoformat(value.strip()).isoformat()
    except ValueError:  # 2026-02-30
        pass
    raise _fail(f"{show(value)} is not a date: use YYYY-MM-DD, such as 2026-12-24")


def _locale(value: Any) -> str:
    # "es", "en-GB"... the language must be one Pedir speaks, or users get the default.
    lang = re.split(r"[-_]", value)[0].lower() if isinstance(value, str) else None
    if lang not in SUPPORTED:
        raise _fail(f"{show(value)} is not a supported locale (use {' or '.join(SUPPORTED)})")
    return value


def _string(regex: str, what: str, *, max_length: int = 256, lower: bool = False) -> Any:
    """A stripped string (multi-line TOML strings end in a newline) matching `regex`."""
    def check(value: Any) -> str:
        text = value.strip() if isinstance(value, str) else None
        if text is None or len(text) > max_length or not re.match(regex, text, re.S):
            raise _fail(f"{show(value)} is not {what}" if text else f"must be {what}")
        return text.lower() if lower else text
    return BeforeValidator(check)


Slug = Annotated[str, BeforeValidator(_slug)]
Timezone = Annotated[str, BeforeValidator(_timezone)]
Locale = Annotated[str, BeforeValidator(_locale)]
Country = Annotated[str, BeforeValidator(_country)]
HolidayDate = Annotated[str, BeforeValidator(_holiday)]
Region = Annotated[str, _string(r".+", "a region code, such as \"MD\"", max_length=64)]
Duration = Annotated[int, BeforeValidator(parse_duration)]
# Emails are stored lowercase and compared ignoring case.
Email = Annotated[str, _string(EMAIL_RE.pattern, "an email address", max_length=320, lower=True)]
Name = Annotated[str, _string(r".+", f"a non-empty text of at most {MAX_NAME} characters", max_length=MAX_NAME)]
CardText = Annotated[str, _string(r"", f"a text of at most {MAX_TEXT} characters", max_length=MAX_TEXT)]
Tier = Annotated[str, _string(r"", "a text of at most 50 characters", max_length=50)]
Keyword = Annotated[str, _string(r".+", "a non-empty keyword", max_length=100)]
# Catch the usual mix-ups early: a channel id for a user, "#canal" for an id.
SlackUser = Annotated[str, _string(r"^[UW][A-Z0-9]{2,}$", "a Slack user id (U012AB3CD)")]
SlackChannel = Annotated[str, _string(r"^[CG][A-Z0-9]{2,}$", "a Slack channel id (C0123ABCD)")]
TeamsId = Annotated[str, _string(r"^\S{3,}$", "a Microsoft Teams id")]


class _Spec(BaseModel):
    # Strict: a number where text is expected is a mistake, not something to coerce.
    model_config = ConfigDict(extra="forbid", strict=True)


class DefaultsSpec(_Spec):
    timezone: Optional[Timezone] = None
    locale: Optional[Locale] = None
    business_hours: Optional[dict[str, Any]] = None  # Checked by BusinessHours.
    country: Optional[Country] = None  # Public holidays; region needs the country: see _check.
    region: Optional[Region] = None
    holidays: list[HolidayDate] = Field(default_factory=list)  # Extra days off, ISO dates.


class PersonSpec(_Spec):
    email: Email
    name: Name
    locale: Optional[Locale] = None
    timezone: Optional[Timezone] = None
    slack: Optional[SlackUser] = None
    teams: Optional[TeamsId] = None
    hr: bool = False  # human resources: creates pulse surveys and reads every result


class SlaTargetSpec(_Spec):
    first_response: Optional[Duration] = None
    resolution: Optional[Duration] = None


class IntakeSpec(_Spec):
    slack: Optional[SlackChannel] = None
    teams: Optional[TeamsId] = None


class TeamSpec(_Spec):
    name: Name
    aliases: list[Slug] = Field(default_factory=list)
    what_we_do: CardText = ""
    our_customers: CardText = ""
    ask_us_for: CardText = ""
    we_need_from_you: CardText = ""
    keywords: list[Keyword] = Field(default_factory=list)
    timezone: Optional[Timezone] = None
    locale: Optional[Locale] = None
    business_hours: Optional[dict[str, Any]] = None
    country: Optional[Country] = None
    region: Optional[Region] = None
    holidays: list[HolidayDate] = Field(default_factory=list)  # Added to [defaults]' list.
    lead: Email
    members: list[Email] = Field(default_factory=list)
    intake: Optional[IntakeSpec] = None  # None: leave what the database has.
    sla: dict[Priority, SlaTargetSpec] = Field(default_factory=dict)
    update_cadence: dict[Severity, Duration] = Field(default_factory=dict)

    def sla_minutes(self) -> dict[str, dict[str, int]]:
        """All four priorities, each target from the file or the default."""
        out = {}
        for prio in PRIORITIES:
            given = self.sla.get(prio) or SlaTargetSpec()
            first, resolution = DEFAULT_SLA[prio]
            out[prio] = {"first_response": given.first_response or first,
                         "resolution": given.resolution or resolution}
        return out

    def cadence_minutes(self) -> dict[str, int]:
        """All four severities, each from the file or the default."""
        return {sev: self.update_cadence.get(sev, DEFAULT_CADENCE[sev]) for sev in SEVERITIES}

    def member_emails(self) -> list[str]:
        """Members in file order, without repeats and without the lead."""
        return [e for i, e in enumerate(self.members)
                if e != self.lead and e not in self.members[:i]]


class CustomerSpec(_Spec):
    name: Name
    aliases: list[Slug] = Field(default_factory=list)
    account_manager: Optional[Email] = None
    tier: Tier = ""  # Free text such as "gold"; Pedir only shows it.
    notes: CardText = ""


class OrgSpec(_Spec):
    defaults: DefaultsSpec = Field(default_factory=DefaultsSpec)
    people: list[PersonSpec] = Field(default_factory=list)
    teams: dict[Slug, TeamSpec] = Field(default_factory=dict)
    customers: dict[Slug, CustomerSpec] = Field(default_factory=dict)
    # A mention of one about a customer is a churn-risk signal. None: leave the database's list.
    competitors: Optional[list[Name]] = None


KNOWN_KEYS = {name for model in (DefaultsSpec, PersonSpec, SlaTargetSpec, IntakeSpec,
                                 TeamSpec, CustomerSpec, OrgSpec) for name in model.model_fields}
# The keys a table keyed by a fixed set of names accepts.
LITERAL_KEYS = {"sla": PRIORITIES, "update_cadence": SEVERITIES}


def key_path(loc: tuple[Any, ...]) -> str:
    """("people", 2, "email") -> "people[2].email"; odd keys are quoted as in TOML."""
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for "the dict key itself"
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if BARE_KEY_RE.match(part) else show(part)
            out += f".{text}" if out else text
    return out


def _message(error: dict[str, Any]) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        return "unknown key" + suggestion(str(loc[-1]), KNOWN_KEYS)
    if kind == "literal_error" and len(loc) >= 3 and loc[-1] == "[key]" and loc[-3] in LITERAL_KEYS:
        # ("teams", "soporte", "update_cadence", "sev5", "[key]"): name the table's keys.
        return "unknown key: use one of " + ", ".join(LITERAL_KEYS[loc[-3]])
    return {"missing": "is required", "string_type": "must be text",
            "list_type": "must be a list", "dict_type": "must be a table",
            "model_type": "must be a table"}.get(kind, error["msg"])


def load_org(path: Path) -> OrgSpec:
    """Read and validate the file; raise `OrgFileError` for the first problem."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:  # The message carries line and column.
        raise OrgFileError(path, "", f"invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OrgFileError(path, "", f"cannot read the file: {exc}") from None
    try:
        spec = OrgSpec.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise OrgFileError(path, key_path(first["loc"]), _message(first)) from None
    _check(spec, Path(path))
    return spec


def _check(spec: OrgSpec, path: Path) -> None:
    """Rules across entries, then defaults applied, so the importer sees final values."""
    seen: dict[tuple[str, str], int] = {}
    for i, person in enumerate(spec.people):
        for field in ("email", "slack", "teams"):
            value = getattr(person, field)
            if value is not None and (field, value) in seen:
                note = " (emails are compared ignoring case)" if field == "email" else ""
                raise OrgFileError(path, f"people[{i}].{field}", f"{show(value)} is already "
                                   f"used by people[{seen[field, value]}]{note}")
            seen[field, value] = i
    d = spec.defaults  # From here on the defaults are complete.
    d.timezone = d.timezone or DEFAULT_TIMEZONE
    d.business_hours = _hours(path, "defaults", DEFAULT_BUSINESS_HOURS
                              if d.business_hours is None else d.business_hours, d.timezone)
    d.region = _region(path, "defaults", d.country, d.region)
    d.holidays = sorted(set(d.holidays))
    owners = {slug: slug for slug in spec.teams}
    for slug, team in spec.teams.items():
        # Routing "@billing" must lead to exactly one team.
        team.aliases = _claim(path, "teams", slug, team.aliases, owners)
        for prio, target in team.sla_minutes().items():
            if target["first_response"] > target["resolution"]:
                raise OrgFileError(path, f"teams.{slug}.sla.{prio}",
                                   "first_response must not be longer than resolution")
        team.timezone, team.locale = team.timezone or d.timezone, team.locale or d.locale
        own = team.business_hours is not None
        team.business_hours = _hours(path, f"teams.{slug}" if own else "defaults",
                                     team.business_hours if own else d.business_hours, team.timezone)
        _team_calendar(path, slug, team, d)
    owners = {slug: slug for slug in spec.customers}
    for slug, customer in spec.customers.items():
        # "#acme" must name exactly one customer. Teams are another namespace ("@").
        customer.aliases = _claim(path, "customers", slug, customer.aliases, owners)
    named: dict[str, int] = {}
    for i, name in enumerate(spec.competitors or ()):
        # Matched ignoring case and accents, so "Zendesk" and "ZENDESK" are one.
        if fold(name) in named:
            raise OrgFileError(path, f"competitors[{i}]", f"{show(name)} is already listed as "
                               f"competitors[{named[fold(name)]}] (names are compared ignoring case and accents)")
        named[fold(name)] = i


def _claim(path: Path, table: str, slug: str, aliases: list[str], owners: dict[str, str]) -> list[str]:
    """Record `slug`'s aliases in `owners` (name -> slug); return them without
    repeats and without the slug itself."""
    for i, alias in enumerate(aliases):
        if owners.get(alias, slug) != slug:
            raise OrgFileError(path, f"{table}.{slug}.aliases[{i}]",
                               f"{show(alias)} is already used by {table}.{owners[alias]}")
        owners[alias] = slug
    return [a for i, a in enumerate(aliases) if a != slug and a not in aliases[:i]]


def _hours(path: Path, table: str, hours: dict[str, Any], tz: str) -> dict[str, Any]:
    """Validate with the SLA code itself; return the table ready for a JSON column."""
    try:
        # A week with no open time would make every SLA deadline unreachable.
        BusinessHours.from_config(hours, tz).next_open(datetime(2026, 1, 5, tzinfo=timezone.utc))
    except BusinessHoursError as exc:
        raise OrgFileError(path, f"{table}.business_hours", str(exc)) from None

    def plain(value: Any) -> Any:  # TOML time literals (09:00:00) -> "09:00"
        if isinstance(value, time):
            return value.strftime("%H:%M")
        return [plain(v) for v in value] if isinstance(value, list) else value
    return {day: plain(value) for day, value in hours.items()}


def _team_calendar(path: Path, slug: str, team: TeamSpec, d: DefaultsSpec) -> None:
    """Country and region from the team, else [defaults]; holiday lists add up.

    The defaults' region only applies to a team in the defaults' country: a team
    that moves to "PT" does not keep Madrid's holidays."""
    if team.region is not None:
        team.country = team.country or d.country
        team.region = _region(path, f"teams.{slug}", team.country, team.region)
    elif team.country is None or team.country == d.country:
        team.country, team.region = d.country, d.region
    team.holidays = sorted(set(d.holidays) | set(team.holidays))


def _region(path: Path, table: str, country: str | None, region: str | None) -> str | None:
    """The region's code in the `holidays` package ("md" and "Madrid" give "MD")."""
    if region is None:
        return None
    if country is None:
        raise OrgFileError(path, f"{table}.region", f"{show(region)} needs a country: "
                           "set country here or in [defaults]")
    known = calendar.regions(country)  # name or code -> code
    by_lower = {name.lower(): code for name, code in known.items()}
    if region.lower() in by_lower:
        return by_lower[region.lower()]
    codes = list(dict.fromkeys(known.values()))
    if not codes:
        raise OrgFileError(path, f"{table}.region", f"{show(region)} is not a region of {country}: "
                           f"{country} has no regions with their own holidays; leave region out")
    listed = (", ".join(codes) if len(codes) <= MAX_LISTED_REGIONS
              else f"its {len(codes)} region codes, such as {', '.join(codes[:5])}")
    hint = name_hint(region, {name: code for name, code in known.items() if name not in codes})
    raise OrgFileError(path, f"{table}.region",
                       f"{show(region)} is not a region of {country}: use one of {listed}{hint}")
