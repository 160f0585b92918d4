"""The language a person chooses in chat (`/pedir idioma en`, or the button on the
home page): stored as theirs, and followed by every later message to them, the
cards and notices the outbox delivers included; no platform profile undoes it.

Runs on SQLite and PostgreSQL. Ana (RRHH) speaks Spanish by the demo
organisation's defaults; James (Ventas) speaks English.
"""

from __future__ import annotations

import json

from sqlmodel import select

from bot.delivery.dispatcher import Dispatcher
from bot.people.identity import Profile
from storage.models import Person
from tests.harness import slack_wire as wire
from tests.harness.slack_env import ANA, slack, unique  # noqa: F401
from tests.harness.slack_standin import fake_slack  # noqa: F401
from tests.harness.support import RecordingChannel, person

ANA_, SARA = "ana.garcia", "sara.ruiz"


async def stored(sessions, email: str = "ana.garcia@example.com") -> Person:  # noqa: ANN001
    return await person(sessions, email)


async def test_idioma_en_is_stored_as_her_choice_and_every_later_answer_follows(app, folk, sessions):
    held_elsewhere = await stored(sessions)  # another process's copy, loaded before she chose
    reply = await app.command(folk[ANA_], "/pedir", "idioma en")
    assert not reply.refused
    assert reply.message.text == "Done: from now on I write to you in English."
    ana = await stored(sessions)
    assert (ana.locale, ana.field_sources["locale"]) == ("en", "chat")
    assert folk[ANA_].locale == "en"  # the copy that asked follows at once
    assert held_elsewhere.locale == "es"
    reply = await app.command(held_elsewhere, "/pedir", "mis")  # its next command reads what is stored
    assert reply.message.text == "You have no open requests."
    assert held_elsewhere.locale == "en"
    refused = await app.command(held_elsewhere, "/pedir", "ver PED-9")
    assert refused.message.text == "There is no request PED-9. Check the number or use /pedir mine."


async def test_the_cards_and_notices_sent_to_her_follow_it(app, folk, sessions, clock):
    channel = RecordingChannel()
    await app.command(folk[ANA_], "/pedir", "idioma en")
    await app.command(folk[ANA_], "/pedir", "@facturacion corregir la factura de #ACME")
    await app.command(folk[SARA], "/pedir", "tomar PED-1")
    await Dispatcher(sessions, [channel], clock).drain()
    to_ana = [call for call in channel.calls if call.address == "person:ana.garcia@example.com"]
    assert to_ana[0].message.title == "Your request PED-1 to Facturación"
    assert "Sara Ruiz Moreno is handling PED-1." in [call.message.text for call in to_ana]
    team_card = next(call for call in channel.calls if call.address == "team:facturacion")
    assert team_card.message.fields[1].label == "Estado"  # the team still reads its own language


async def test_a_platform_profile_in_another_language_does_not_undo_it(app, folk, sessions):
    await app.command(folk[ANA_], "/pedir", "idioma en")
    profile = Profile(name="Ana García Ruiz", email="ana.garcia@example.com", locale="es-ES", timezone="Europe/Madrid")
    for platform, account in (("slack", "U012AB3CD"), ("teams", "29:1ana")):
        await app.person(platform, account, profile)
    assert (await stored(sessions)).locale == "en"


async def test_idioma_alone_says_which_and_offers_the_other(app, folk, sessions):
    reply = await app.command(folk[ANA_], "/pedir", "idioma")
    assert reply.message.text == "Te escribo en español. Para cambiarlo: /pedir idioma en (o es)."
    [button] = reply.message.actions
    assert button.label == "Write to me in English"  # in the language it switches to
    pressed = await app.action(folk[ANA_], button.id, button.value)
    assert pressed.message.text == "Done: from now on I write to you in English."
    assert (await stored(sessions)).locale == "en"
    again = await app.command(folk[ANA_], "/pedir", "language english")
    assert again.message.text == "I already write to you in English."


async def test_a_language_pedir_does_not_speak_is_refused_and_nothing_changes(app, folk, sessions):
    reply = await app.command(folk[ANA_], "/pedir", "idioma francés")
    assert reply.refused
    assert reply.message.text == "No hablo «francés». Elige es (español) o en (English), p. ej. /pedir idioma en."
    james = await app.command(folk["james.whitaker"], "/pedir", "language klingon")
    assert james.message.text == "I don't speak “klingon”. Choose es (español) or en (English), e.g. /pedir language es."
    assert (await stored(sessions)).locale == "es"


async def test_a_forged_language_button_is_refused(app, folk, sessions):
    value = json.dumps({"v": 1, "a": "person.language", "x": "fr"})
    assert (await app.action(folk[ANA_], "person.language", value)).refused
    assert (await stored(sessions)).locale == "es"


async def test_the_home_page_offers_the_other_language(app, folk):
    home = await app.home(folk[ANA_])
    assert [a.label for a in home.actions if a.id == "person.language"] == ["Write to me in English"]
    await app.command(folk[ANA_], "/pedir", "idioma en")
    home = await app.home(folk[ANA_])
    assert [a.label for a in home.actions if a.id == "person.language"] == ["Escríbeme en español"]
    assert "Your open requests (0)" in home.text


# ------------------------------------------------------------------ on Slack, from the Home tab


def homes_of(slack, user: str) -> list[dict]:  # noqa: ANN001, F811
    return [c.args["view"] for c in slack.fake.calls_to("views.publish") if c.args["user_id"] == user]


def button_on(view: dict, neutral_id: str) -> dict:
    return next(element for block in view["blocks"] if block["type"] == "actions" for element in block["elements"]
                if element["action_id"].rpartition(":")[0] == neutral_id)


async def test_the_home_tab_button_switches_her_to_english_on_slack(slack):  # noqa: F811
    await slack.event(wire.app_home_opened(user_id=ANA, channel_id="D012AB3CD"), event_id=unique("Ev"))
    await slack.listeners_idle()
    [home] = homes_of(slack, ANA)
    button = button_on(home, "person.language")
    assert button["text"]["text"] == "Write to me in English"
    payload = wire.block_actions(user_id=ANA, action_id=button["action_id"], value=button["value"],
                                 view={"id": "VHOME1", "type": "home", "callback_id": "", "private_metadata": ""},
                                 trigger_id=unique("trig-"))
    status, _ = await slack.post(wire.interactivity_body(payload))
    assert status == 200
    await slack.settled(homes=True)
    said = [c.args["text"] for c in slack.fake.calls_to("chat.postMessage") if c.args["channel"] == ANA]
    assert said == ["Done: from now on I write to you in English."]
    assert "Your open requests (0)" in str(homes_of(slack, ANA)[-1]["blocks"])
    answer = await slack.answer(ANA, "mis")
    assert answer["text"] == "You have no open requests."
    async with slack.sessions() as session:
        ana = (await session.exec(select(Person).where(Person.email == "ana.garcia@example.com"))).one()
    assert ana.locale == "en"
