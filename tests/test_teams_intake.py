"""On Teams, what people type that needs a word back: a near-miss customer
asked about in a card, and the request form's date field taking "para:".
Bot Framework activities in, Bot Connector calls out."""

from __future__ import annotations

import json

from sqlmodel import select

from storage.models import Request
from tests.harness.teams_env import ANA_T, fake_connector_running, teams  # noqa: F401


async def the_requests(env) -> list[Request]:  # noqa: ANN001
    async with env.sessions() as session:
        return list((await session.exec(select(Request))).all())


def actions_of(call) -> list[dict]:  # noqa: ANN001
    card = call.json["attachments"][0]["content"]
    return card.get("actions", [])


async def test_a_near_miss_customer_is_asked_in_a_card_and_the_choice_creates_it(teams):  # noqa: F811
    await teams.post(teams.personal(ANA_T, "pedir @sistemas el portátil de #initek no arranca"))
    [question] = await teams.connector.wait_for_calls("send", 1, timeout=10)
    assert "No conozco el cliente «#initek»" in json.dumps(question.json, ensure_ascii=False)
    assert await the_requests(teams) == []
    pick = next(action for action in actions_of(question) if "Initech Ltd" in action["title"])
    await teams.post(teams.click(ANA_T, pick["data"]))
    sends = await teams.connector.wait_for_calls("send", 2, timeout=10)
    assert "Creado PED-1 para Sistemas." in json.dumps(sends[1].json, ensure_ascii=False)
    [request] = await the_requests(teams)
    assert (request.customer, request.description) == ("initech", "el portátil de #initech no arranca")


async def test_the_form_date_field_takes_para_colon(teams):  # noqa: F811
    await teams.post(teams.personal(ANA_T, "pedir"))
    await teams.connector.wait_for_calls("send", 1, timeout=10)
    await teams.post(teams.click(ANA_T, {"pedir_form": "request.new", "context": "", "team": "sistemas",
                                         "description": "renovar el certificado", "priority": "normal",
                                         "due": "para:2027-01-10"}))
    sends = await teams.connector.wait_for_calls("send", 2, timeout=10)
    assert "Creado PED-1 para Sistemas." in json.dumps(sends[1].json, ensure_ascii=False)
    [request] = await the_requests(teams)
    assert str(request.due_date) == "2027-01-10"
