"""What each /pulso command does: setting pulses up (setup), reading their
results (results), the team's answer to them (respond)."""

from __future__ import annotations

from bot.context import Caller, Ctx
from bot.i18n import t
from bot.messages import Reply
from bot.pulses.commands import respond, results, setup
from bot.pulses.commands.parser import (
    PulseCancel, PulseCommand, PulseHelp, PulseList, PulseNew, PulsePause, PulseResults, PulseRespond,
    PulseResume, PulseShow,
)


async def handle(ctx: Ctx, caller: Caller, cmd: PulseCommand) -> Reply:
    match cmd:
        case PulseNew():
            return await setup.new_form(ctx, caller)
        case PulseList():
            return await setup.list_pulses(ctx, caller)
        case PulseShow(pulse_id=pulse_id):
            return await setup.show(ctx, caller, pulse_id)
        case PulsePause(pulse_id=pulse_id):
            return await setup.pause(ctx, caller, pulse_id)
        case PulseResume(pulse_id=pulse_id):
            return await setup.resume(ctx, caller, pulse_id)
        case PulseCancel(pulse_id=pulse_id):
            return await setup.cancel(ctx, caller, pulse_id)
        case PulseResults(pulse_id=pulse_id, round_number=number):
            return await results.show_results(ctx, caller, pulse_id, number)
        case PulseRespond(pulse_id=pulse_id, text=text):
            return await respond.respond(ctx, caller, pulse_id, text)
        case PulseHelp():
            return help_reply(caller)
    raise AssertionError(f"unhandled pulse command {cmd!r}")


def help_reply(caller: Caller) -> Reply:
    return Reply.text(t(caller.locale, "pulse.help"))
