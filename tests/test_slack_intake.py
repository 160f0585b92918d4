"""What Slack users meet when what they type needs a word back: a near-miss
customer asked about with buttons, a deadline read from the text, and the
request modal's date field taking "para:". Signed requests in, Web API calls out."""

from __future__ import annotations

import json

from sqlmodel import select

from storage.models import Request
from tests.harness.slack_env import ANA, FACTURACION, slack  # noqa: F401  (slack: fixture)
from tests.harness.slack_standin import fake_slack  # noqa: F401


async def the_requests(slack) -> list[Request]:  # noqa: ANN001, F811
    async with slack.sessions() as session:
        return list((await session.exec(select(Request))).all())


def buttons(answer: dict) -> list[dict]:
    return [element for block in answer.get("blocks", []) if block["type"] == "actions"
            for element in block["elements"]]


async def test_a_near_miss_customer_is_asked_with_buttons_and_the_choice_creates_it(slack):  # noqa: F811
    answer = await slack.answer(ANA, "@facturacion corregir la factura de #ACMEE antes del 15 de diciembre")
    assert "No conozco el cliente «#ACMEE». ¿Es uno de estos?" in answer["text"]
    acme, keep = buttons(answer)
    assert (acme["text"]["text"], keep["text"]["text"]) == ("#acme · ACME Logística S.L.", "Dejar «#ACMEE»")
    assert await the_requests(slack) == []
    status, _ = await slack.click(ANA, acme["action_id"], acme["value"], hook="pick")
    assert status == 200
    await slack.settled()
    [request] = await the_requests(slack)
    assert (request.customer, str(request.due_date)) == ("acme", "2026-12-15")
    [card] = slack.top_level(FACTURACION)
    assert "ACME Logística S.L." in str(card["blocks"]) and "#acme" in str(card["blocks"])
    said = " ".join(str(response) for response in slack.fake.responses_to("pick"))
    assert "Creado PED-1 para Facturación." in said and "Fecha límite: 15 dic 2026" in said


async def test_the_modal_date_field_takes_para_colon(slack):  # noqa: F811
    status, _ = await slack.command(ANA, "")
    assert status == 200
    view = await slack.modal()
    status, ack = await slack.submit(ANA, view, {"team": "facturacion", "description": "cerrar el ejercicio",
                                                 "due": "para:2027-01-10"})
    assert status == 200 and "errors" not in ack
    await slack.settled()
    [request] = await the_requests(slack)
    assert str(request.due_date) == "2027-01-10"


async def test_a_bad_date_in_the_modal_is_shown_under_the_field_in_words(slack):  # noqa: F811
    await slack.command(ANA, "")
    view = await slack.modal()
    status, ack = await slack.submit(ANA, view, {"team": "facturacion", "description": "x", "due": "el 31 de febrero"})
    assert status == 200
    assert json.loads(ack)["errors"]["due"].startswith("No entiendo la fecha «el 31 de febrero». Escribe, por ejemplo,")
    assert await the_requests(slack) == []
