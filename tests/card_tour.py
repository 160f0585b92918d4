"""A tour of Pedir that collects every message and form it shows people:
requests in every state, issues, customers, risk flags, reminders and
escalations, pulses (1–5 and eNPS, answered, results, the team's answer),
home pages, directories, help. Renderers' tests take what it collects
(tests/test_teams_card_limits.py), so a new kind of card is checked as soon
as the tour meets it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta

from sqlmodel import select

from adapters.console.jobs import pass_time
from bot.app import Pedir
from bot.clock import ShiftedClock
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from bot.messages import Action, Form, Message, Reply
from bot.pulses.recurrence import ONCE, Schedule
from bot.pulses.states import ENPS
from storage.models import Person, Pulse
from tests.harness.support import RecordingChannel
from tests.pulse_support import make_hr, open_round


@dataclass
class Tour:
    pedir: Pedir
    clock: ShiftedClock
    folk: dict[str, Person]
    channel: RecordingChannel = field(default_factory=RecordingChannel)
    replies: list[Message] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)

    @property
    def messages(self) -> list[Message]:
        """Everything shown: replies to people, and what was delivered to chats and channels."""
        return self.replies + [call.message for call in self.channel.calls]

    def __post_init__(self) -> None:
        self.dispatcher = Dispatcher(self.pedir.sessions, [self.channel], self.clock)

    async def _took(self, reply: Reply) -> Reply:
        if reply.message is not None:
            self.replies.append(reply.message)
        if reply.form is not None:
            self.forms.append(reply.form)
        await self.dispatcher.drain()
        return reply

    async def say(self, who: str, line: str) -> Reply:
        return await self._took(await self.pedir.line(self.folk[who], line))

    async def press(self, who: str, action: Action) -> Reply:
        return await self._took(await self.pedir.action(self.folk[who], action.id, action.value))

    async def press_each(self, who: str, action_id: str) -> None:
        """Presses, once each, every button with this id the tour has shown (forms open, refusals are fine)."""
        pressed: set[str] = set()
        for message in list(self.messages):
            for action in message.actions:
                if action.id == action_id and action.value not in pressed:
                    pressed.add(action.value)
                    await self.press(who, action)

    def button(self, action_id: str, to: str | None = None) -> Action:
        """The latest button with this id (delivered to `to`, when given)."""
        shown = [call.message for call in self.channel.calls if to is None or call.address == to] + self.replies
        return [a for m in shown for a in m.actions if a.id == action_id][-1]

    async def wait(self, delta: timedelta) -> None:
        await pass_time(self.pedir, self.clock, self.clock.now() + delta, self.dispatcher.drain)

    async def homes(self) -> None:
        for person in self.folk.values():
            self.replies.append(await self.pedir.home(person))


async def tour(app: Pedir, folk: dict[str, Person]) -> Tour:
    clock = ShiftedClock(app.clock)
    t = Tour(Pedir(app.sessions, Settings(), clock), clock, folk)
    # Requests: new, taken, waiting for information, resolved and rated, rejected, passed on.
    await t.say("ana.garcia", "/pedir @facturacion corregir la factura de #ACME antes del viernes !alta")
    await t.say("ana.garcia", "/pedir @factura corregir otra factura")  # "did you mean"
    await t.say("ana.garcia", "/pedir el portátil no arranca")  # no team: suggestions
    await t.say("ana.garcia", "/pedir")  # the form
    await t.say("marta.lopez", "/pedir cola")
    await t.say("marta.lopez", "/equipo editar")  # the customer card's form
    await t.say("ana.garcia", "/pedir panel")  # the dashboard's sign-in link
    for form_button in ("request.assign", "request.ask_info", "request.resolve", "request.reject",
                        "request.reassign", "request.comment"):
        await t.press_each("marta.lopez", form_button)
    await t.press_each("ana.garcia", "request.withdraw")  # the requester's form: why they withdraw it
    await t.say("marta.lopez", "/pedir tomar PED-1")
    await t.say("marta.lopez", "/pedir info PED-1 ¿Qué número de factura es?")
    await t.say("ana.garcia", "/pedir comentar PED-1 Es la F-2026-0412")
    await t.say("marta.lopez", "/pedir resolver PED-1 Factura rectificativa emitida")
    await t.press("ana.garcia", t.button("request.rate"))
    await t.press_each("ana.garcia", "request.rate_comment")
    await t.say("ana.garcia", "/pedir @sistemas el portátil nuevo de Lucía no arranca !urgente")
    await t.say("pablo.jimenez", "/pedir rechazar PED-2 Eso lo lleva el proveedor")
    await t.say("ana.garcia", "/pedir @sistemas la impresora de la 3ª planta atasca el papel")
    await t.say("pablo.jimenez", "/pedir reasignar PED-3 @facturacion Es del contrato de alquiler")
    await t.say("ana.garcia", "/pedir reabrir PED-1")
    for line in ("/pedir ver PED-1", "/pedir mis", "/pedir ayuda", "/equipos", "/equipo @facturacion"):
        await t.say("ana.garcia", line)
    # Issues, customers and a risk flag.
    await t.say("javier.martin", "/incidencia nueva #acme sev2 Los envíos de ACME no se sincronizan")
    await t.say("javier.martin", "/incidencia añadir INC-1 @facturacion")
    await t.say("javier.martin",
                "/estado INC-1 Causa encontrada. El cliente está muy molesto y habla de cancelar el contrato.")
    await t.press("elena.torres", t.button("status.ack"))
    await t.press("elena.torres", t.button("risk.accept"))
    await t.press_each("javier.martin", "issue.post_status")
    await t.press_each("javier.martin", "issue.close")
    for line in ("/cliente acme", "/cliente", "/incidencias", "/incidencia ver INC-1", "/incidencia ayuda"):
        await t.say("elena.torres", line)
    # Time passes: reminders, escalations, late updates.
    await t.say("ana.garcia", "/pedir @sistemas la VPN se corta cada hora !urgente")
    await t.wait(timedelta(hours=3))
    await t.press_each("pablo.jimenez", "nudge.snooze")
    await t.say("javier.martin", "/incidencia cerrar INC-1 Resuelto con el proveedor")
    # Pulses: a 1–5 question and an eNPS, answered, then closed with results and the team's answer.
    raquel = await make_hr(t.pedir, folk["raquel.dominguez"])
    await t.say("raquel.dominguez", "/pulso nuevo")
    audience = [folk[name] for name in ("ana.garcia", "sara.ruiz", "irene.vazquez", "javier.martin")]
    await open_round(t.pedir, raquel, audience, min_answers=3)
    await open_round(t.pedir, raquel, audience, questions=[{"kind": ENPS, "text": "¿Recomendarías Sistemas?"}],
                     min_answers=3, comment=False)
    await _described_schedules(t.pedir)
    await t.wait(timedelta(minutes=1))
    for name in ("ana.garcia", "sara.ruiz", "irene.vazquez"):
        for question in [c.message for c in t.channel.calls if c.address == f"person:{name}@example.com"]:
            answers = [a for a in question.actions if a.id == "pulse.answer"]
            if answers:
                answered = await t.press(name, answers[-1])
                if answered.message is not None:
                    await t.press_each(name, "pulse.write")
    await t.wait(timedelta(days=4))
    for line in ("/pulso lista", "/pulso ver P-1", "/pulso resultados P-1"):
        await t.say("raquel.dominguez", line)
    await t.press_each("pablo.jimenez", "pulse.respond")
    await t.say("pablo.jimenez", "/pulso responder P-1 Vamos a abrir una ventanilla los lunes.")
    await t.homes()
    return t


async def _described_schedules(pedir: Pedir) -> None:
    """open_round's pulses say only "once": give them the date and time their card shows."""
    async with pedir.sessions() as session, session.begin():
        for pulse in (await session.exec(select(Pulse))).all():
            if "start" not in pulse.schedule:
                pulse.schedule = Schedule(ONCE, pedir.clock.now().date(), time(10, 0)).to_json()
                session.add(pulse)
