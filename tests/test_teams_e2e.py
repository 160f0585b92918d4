"""Pedir on Teams, end to end: Bot Framework activities in, Bot Connector calls out."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Outbox, Request
from tests.harness.teams_env import ANA_T, IRENE_T, SISTEMAS_CHANNEL, fake_connector_running, teams  # noqa: F401
from tests.harness.waiting import eventually


async def settle(env, kind: str, count: int):  # noqa: ANN001, ANN201
    return await env.connector.wait_for_calls(kind, count, timeout=10)


def card_texts(call) -> str:  # noqa: ANN001
    return str(call.json.get("attachments"))


async def test_a_request_made_and_claimed_on_teams(teams):  # noqa: F811
    await teams.install_in_channel()
    status, _ = await teams.post(teams.personal(ANA_T, "pedir @sistemas la VPN se corta cada hora"))
    assert status in (200, 201)
    # The welcome in the channel, the answer to Ana, the team card, Ana's card.
    await settle(teams, "send", 4)
    async with teams.sessions() as session:
        request = (await session.exec(select(Request))).one()
    assert request.description == "la VPN se corta cada hora"
    channel_cards = [c for c in teams.connector.calls_to("send") if c.conversation_id.startswith(SISTEMAS_CHANNEL)]
    card = next(c for c in channel_cards if "PED-1" in card_texts(c))
    assert "Tomar" in card_texts(card)
    root = card.response["id"]

    status, _ = await teams.post(teams.click(IRENE_T, {"pedir_action": "request.claim", "value": "1"}, channel_root=root))
    assert status in (200, 201)
    updates = await settle(teams, "update", 1)
    assert any("Irene" in card_texts(call) for call in updates)
    async with teams.sessions() as session:
        request = (await session.exec(select(Request))).one()
    assert request.status == "in_progress"


async def test_no_token_malformed_token_and_a_stranger_key_are_refused(teams):  # noqa: F811
    activity = teams.personal(ANA_T, "pedir @sistemas hola")
    assert (await teams.post(activity, token=None))[0] == 401
    assert (await teams.post(activity, token=None, authorization="Bearer not.a.jwt"))[0] == 401
    assert (await teams.post(activity, token=None, authorization="Bearer abc"))[0] == 401
    stranger = teams.connector.make_token("6f1c2a4e-3b5d-4e7f-9a8b-1c2d3e4f5a6b", sign_with_other_key=True,
                                          service_url=activity["serviceUrl"])
    assert (await teams.post(activity, token=stranger))[0] == 401
    async with teams.sessions() as session:
        assert (await session.exec(select(Request))).all() == []
        assert (await session.exec(select(Outbox))).all() == []


async def test_a_person_never_seen_on_teams_is_recorded_unreachable(teams):  # noqa: F811
    # The bot was never added to Sistemas' channel: the card cannot be delivered.
    await teams.post(teams.personal(ANA_T, "pedir @sistemas la impresora no imprime"))

    async def team_rows_done():  # noqa: ANN202
        async with teams.sessions() as session:
            rows = (await session.exec(select(Outbox).where(Outbox.recipient_kind == "team"))).all()
        return rows if rows and all(row.status != "pending" and row.status != "sending" for row in rows) else None

    rows = await eventually(team_rows_done, "the team card's delivery to end", timeout=5)
    assert rows and {row.status for row in rows} == {"unreachable"}
    assert "Teams" in rows[0].last_error


async def test_an_adaptive_card_invoke_gets_a_typed_answer(teams):  # noqa: F811
    from tests.harness import teams_wire as wire

    await teams.post(teams.personal(ANA_T, "pedir @sistemas la VPN"))
    await settle(teams, "send", 1)
    activity = wire.invoke_adaptive_card_action({"pedir_action": "request.reopen", "value": "1"},
                                                service_url=teams.connector.service_url,
                                                user_id=ANA_T[0], aad_object_id=ANA_T[1], user_name=ANA_T[2])
    status, body = await teams.post(activity)
    # botbuilder 4.17.1 answers 500 for a plain dict body: Pedir's is typed.
    assert status == 200
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "PED-1 sigue abierto: no hace falta reabrirlo." in str(body["value"])


async def test_references_survive_a_restart_and_proactive_messages_still_arrive(teams):  # noqa: F811
    from tests.harness.teams_env import start_server

    await teams.install_in_channel()
    await teams.post(teams.personal(ANA_T, "pedir ayuda"))  # Ana's chat is now known
    await settle(teams, "send", 2)
    for server in teams.servers:
        await server.close()
    teams.servers.clear()
    await start_server(teams)  # a new process: nothing in memory, only the database
    before = len(teams.connector.calls_to("send"))
    status, _ = await teams.post(teams.personal(IRENE_T, "pedir @sistemas revisar el portátil de Ana"))
    assert status in (200, 201)
    sends = await settle(teams, "send", before + 3)
    assert any(call.conversation_id.startswith(SISTEMAS_CHANNEL) and "PED-1" in card_texts(call)
               for call in sends[before:])


async def test_a_throttled_connector_is_retried_and_each_card_arrives_once(teams):  # noqa: F811
    await teams.install_in_channel()
    await settle(teams, "send", 1)
    teams.connector.fail_next("send", status=429, retry_after=1, times=2)
    await teams.post(teams.personal(ANA_T, "pedir @sistemas la VPN otra vez"))

    async def cards_sent():  # noqa: ANN202
        async with teams.sessions() as session:
            rows = (await session.exec(select(Outbox).where(Outbox.card_key.is_not(None)))).all()
        cards = [row for row in rows if not row.card_key.startswith("home:")]
        return cards if cards and all(row.status == "sent" for row in cards) else None

    cards = await eventually(cards_sent, "every card sent, retries included", timeout=10)
    assert cards and all(row.status == "sent" for row in cards)
    delivered = [c for c in teams.connector.calls_to("send") if c.status in (200, 201) and "PED-1" in card_texts(c)]
    team_cards = [c for c in delivered if c.conversation_id.startswith(SISTEMAS_CHANNEL)]
    assert len(team_cards) == 1


async def test_a_request_made_on_slack_reaches_a_team_on_teams_and_back(fake_connector_running, database_url):  # noqa: F811
    import aiohttp

    from tests.harness import slack_wire
    from tests.harness.slack_env import ANA, PROFILES, SECRET
    from tests.harness.slack_standin import FakeSlackAPI
    from tests.harness.teams_env import TeamsEnv, prepare_database, start_server

    async with FakeSlackAPI() as slack_fake:
        for user_id, (name, email, locale) in PROFILES.items():
            slack_fake.add_user(user_id, email=email, real_name=name, locale=locale)
        await prepare_database(database_url)
        env = TeamsEnv(connector=fake_connector_running, url="", http=aiohttp.ClientSession(), database_url=database_url)
        server = await start_server(env, slack_api_url=slack_fake.api_url)
        try:
            await env.install_in_channel()
            body = slack_wire.slash_command_body(text="@sistemas el portátil no arranca", user_id=ANA,
                                                 response_url=slack_fake.response_url("x"))
            status, _, _ = await slack_wire.post_signed(env.http, str(server.make_url("/slack/events")), SECRET, body)
            assert status == 200
            # The team card lands in Sistemas' Teams channel as an Adaptive Card...
            sends = await env.connector.wait_for_calls("send", 2, timeout=10)
            card = next(c for c in sends if c.conversation_id.startswith(SISTEMAS_CHANNEL) and "PED-1" in card_texts(c))
            assert card.json["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
            # ...while Ana's confirmation stays on Slack.
            dm = await slack_fake.wait_for_calls("chat.postMessage", 1)
            assert dm[0].args["channel"] == ANA  # her DM, posted to her user id
            # Irene claims it on Teams: Ana's Slack card is edited in place and she is told.
            status, _ = await env.post(env.click(IRENE_T, {"pedir_action": "request.claim", "value": "1"},
                                                 channel_root=card.response["id"]))
            assert status in (200, 201)
            updates = await slack_fake.wait_for_calls("chat.update", 1, timeout=10)
            assert "Irene" in str(updates[-1].args["blocks"])
            posts = await slack_fake.wait_for_calls("chat.postMessage", 2, timeout=10)
            assert any("se encarga de PED-1" in str(call.args.get("text")) for call in posts)
        finally:
            await env.http.close()
            await server.close()


async def test_thread_replies_reach_the_requester_and_resolution_asks_for_a_rating(teams):  # noqa: F811
    from tests.harness import teams_wire as wire

    await teams.install_in_channel()
    await teams.post(teams.personal(ANA_T, "pedir @sistemas la VPN no conecta"))
    sends = await settle(teams, "send", 4)
    card = next(c for c in sends if c.conversation_id.startswith(SISTEMAS_CHANNEL) and "PED-1" in card_texts(c))
    root = card.response["id"]
    ana_chat = f"a:personal-{ANA_T[0]}"

    # Irene answers in the card's thread: Ana reads it in her chat, attributed.
    reply = wire.channel_message("¿Desde casa o desde la oficina?", channel_id=SISTEMAS_CHANNEL, reply_to_id=root,
                                 user_id=IRENE_T[0], aad_object_id=IRENE_T[1], user_name=IRENE_T[2],
                                 service_url=teams.connector.service_url)
    assert (await teams.post(reply))[0] in (200, 201)

    def ana_reads_it():  # noqa: ANN202
        texts = [str(c.json) for c in teams.connector.calls_to("send") if c.conversation_id == ana_chat]
        return texts if any("¿Desde casa o desde la oficina?" in text for text in texts) else None

    texts = await eventually(ana_reads_it, "Irene's reply in Ana's chat", timeout=10)
    # Under the org file's name for her, not her Teams display name ("Irene Vázquez").
    assert any("Irene Vázquez Molina: ¿Desde casa o desde la oficina?" in text for text in texts)

    # Irene resolves through the card's form; Ana gets the 1-5 rating card.
    await teams.post(teams.click(IRENE_T, {"pedir_form": "request.resolve", "context": "1", "note": "Reinstalado"},
                                 channel_root=root))

    def rating_card():  # noqa: ANN202
        cards = [c for c in teams.connector.calls_to("send") if c.conversation_id == ana_chat]
        return cards if any("★★★★★" in card_texts(c) for c in cards) else None

    cards = await eventually(rating_card, "the rating card in Ana's chat", timeout=10)
    rating = next(c for c in cards if "★★★★★" in card_texts(c))
    assert "request.rate" in card_texts(rating)
    # Ana rates it from Teams: stored once.
    await teams.post(teams.click(ANA_T, {"pedir_action": "request.rate", "value": "1:5"}))
    from storage.models import RequestRating

    async def stored_ratings():  # noqa: ANN202
        async with teams.sessions() as session:
            return (await session.exec(select(RequestRating))).all()

    ratings = await eventually(stored_ratings, "Ana's rating stored", timeout=5)
    assert [r.score for r in ratings] == [5]


async def test_a_channel_post_mentioning_pedir_is_a_command(teams):  # noqa: F811
    from tests.harness import teams_wire as wire

    await teams.install_in_channel()
    post = wire.channel_message("@facturacion revisar el abono de #ACME", channel_id=SISTEMAS_CHANNEL,
                                user_id=IRENE_T[0], aad_object_id=IRENE_T[1], user_name=IRENE_T[2],
                                service_url=teams.connector.service_url)
    assert (await teams.post(post))[0] in (200, 201)

    async def stored_requests():  # noqa: ANN202
        async with teams.sessions() as session:
            return (await session.exec(select(Request))).all()

    requests = await eventually(stored_requests, "the request made in the channel", timeout=5)
    [request] = requests
    assert request.description == "revisar el abono de #ACME" and request.customer == "ACME"


async def test_the_form_comes_back_with_errors_under_its_fields_and_nothing_is_stored(teams):  # noqa: F811
    await teams.post(teams.personal(ANA_T, "pedir"))
    [form] = await settle(teams, "send", 1)
    assert "pedir_form" in card_texts(form) and "request.new" in card_texts(form)
    await teams.post(teams.click(ANA_T, {"pedir_form": "request.new", "context": "", "team": "sistemas",
                                         "description": "", "priority": "normal", "due": "2020-01-01"}))
    sends = await settle(teams, "send", 2)
    again = card_texts(sends[-1])
    assert "Falta la descripción" in again and "ya ha pasado" in again and "sistemas" in again
    async with teams.sessions() as session:
        assert (await session.exec(select(Request))).all() == []


async def test_installing_the_app_in_a_personal_chat_lets_pedir_write_later(teams):  # noqa: F811
    from tests.harness import teams_wire as wire

    install = wire.installation_update(action="add", scope="personal", service_url=teams.connector.service_url,
                                       user_id=ANA_T[0], aad_object_id=ANA_T[1], user_name=ANA_T[2])
    install["conversation"]["id"] = f"a:personal-{ANA_T[0]}"
    assert (await teams.post(install))[0] in (200, 201)
    await teams.install_in_channel()
    # Ana's card is delivered later by the outbox, proactively, through the saved reference.
    await teams.post(teams.personal(ANA_T, "pedir @sistemas cambiar la contraseña"))
    ana_chat = f"a:personal-{ANA_T[0]}"
    cards = await eventually(
        lambda: [c for c in teams.connector.calls_to("send") if c.conversation_id == ana_chat and "Tu pedido PED-1" in card_texts(c)],
        "Ana's own card in her chat", timeout=10)
    assert cards, "Ana's own card reached her chat proactively"
