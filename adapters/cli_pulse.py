"""`pedir pulse create --file pulse.toml [--by EMAIL]`, `pedir pulse list` and
`pedir pulse export P-3 --csv FILE [--round N]`: pulses from the command line, for admins.

The domain checks the file (bot.pulses.spec_file) and who creates the pulse
(HR only); a problem is one line naming the file and the key, and nothing
is stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.cli_args import output_file, pulse_ref, round_number, text_file
from adapters.cli_errors import CliError, cli_locale
from bot.config import Settings
from bot.messages import Message


def add_commands(pulse_sub: Any) -> None:  # argparse's subparsers of `pedir pulse`
    create = pulse_sub.add_parser("create", help="create a pulse survey from a TOML file (see examples/pulse.toml)")
    create.add_argument("--file", type=text_file, required=True, metavar="FILE")
    create.add_argument("--by", metavar="EMAIL", help="who creates it: an HR person (default: the file's created_by)")
    pulse_sub.add_parser("list", help="the pulse surveys, newest first")
    export = pulse_sub.add_parser("export", help="a pulse's results as CSV: aggregates only, the threshold applied")
    export.add_argument("pulse", type=pulse_ref, metavar="P-3")
    export.add_argument("--csv", dest="csv", type=output_file, required=True, metavar="FILE")
    export.add_argument("--round", dest="round", type=round_number, metavar="N", help="only this round")


async def run(settings: Settings, args: Any) -> int:
    if args.pulse_command == "create":
        return await create_pulse(settings, args.file, args.by)
    if args.pulse_command == "list":
        return await list_pulses(settings)
    return await export_pulse(settings, args.pulse, args.csv, args.round)


async def create_pulse(settings: Settings, path: Path, by: str | None) -> int:
    from bot.pulses import reading, spec_file
    from bot.pulses.spec_file import PulseFileError

    async def work(ctx, caller_of) -> Message:  # noqa: ANN001
        pulse = await spec_file.create(ctx, path, by)
        creator = await caller_of(pulse.created_by_id)
        return await reading.card(ctx, creator, pulse)

    try:
        message = await _in_transaction(settings, work)
    except PulseFileError as exc:
        raise CliError(f"error: {exc.describe(cli_locale())}") from None
    print(as_text(message))
    return 0


async def list_pulses(settings: Settings) -> int:
    from sqlmodel import col, select

    from bot.pulses import reading
    from storage.models import Pulse

    async def work(ctx, _caller_of) -> list[str]:  # noqa: ANN001
        pulses = (await ctx.session.exec(select(Pulse).order_by(col(Pulse.id).desc()))).all()
        return [await reading.list_line(ctx, pulse, ctx.default_locale) for pulse in pulses]

    lines = await _in_transaction(settings, work)
    print("\n".join(line.replace("*", "") for line in lines) if lines else "-")
    return 0


async def export_pulse(settings: Settings, pulse_id: int, path: Path, number: int | None) -> int:
    from bot.domains import REGISTRY  # noqa: F401  (registers the domains' sentences)
    from bot.errors import UserError
    from bot.i18n import t
    from bot.pulses import export, service
    from storage.engine import create_engine, session_factory

    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            try:
                pulse = await service.require(session, pulse_id)
                rows = await export.export_rows(session, pulse, number)
            except UserError as exc:
                raise CliError(t(settings.locale, exc.key, **exc.values), 1) from exc
    finally:
        await engine.dispose()
    if number is not None and not rows:
        raise CliError(t(settings.locale, "pulse.results.export.no_round", pulse=f"P-{pulse_id}", number=number), 1)
    written = export.write_csv(path, rows)
    print(t(settings.locale, "pulse.results.export.written", rows=written, path=path))
    return 0


async def _in_transaction(settings: Settings, work):  # noqa: ANN001, ANN202
    import bot.domains  # noqa: F401  (registers every domain's sentences, the pulses' among them)
    from bot.clock import SystemClock
    from bot.context import Caller, Ctx
    from bot.i18n import normalize_locale
    from bot.people import service as people
    from storage.engine import create_engine, session_factory
    from storage.migrate import upgrade_async

    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    locale = normalize_locale(cli_locale(), settings.locale)
    try:
        async with session_factory(engine)() as session, session.begin():
            ctx = Ctx(session=session, now=SystemClock().now(), default_locale=locale, timezone=settings.timezone)

            async def caller_of(person_id: int) -> Caller:
                person = await people.get(session, person_id)
                return Caller(person, locale, person.timezone or settings.timezone)

            return await work(ctx, caller_of)
    finally:
        await engine.dispose()


def as_text(message: Message) -> str:
    lines = [message.title or "", message.text]
    for fact in message.fields:
        value = fact.value.replace("\n", "\n    ")
        lines.append(f"{fact.label}: {value}")
    return "\n".join(line for line in lines if line)
