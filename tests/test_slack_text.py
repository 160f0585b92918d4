"""Slack's inbound text formats back to what people typed."""

import pytest

from adapters.slack.text import plain


@pytest.mark.parametrize(
    ("wire", "typed"),
    [
        ("P&amp;G pide &lt;urgente&gt;", "P&G pide <urgente>"),
        ("habla con <@U012AB3CD|ana>", "habla con @ana"),
        ("habla con <@U012AB3CD>", "habla con @U012AB3CD"),
        ("en <#C04FACTURA|facturacion>", "en #facturacion"),
        ("mira <https://x.example/doc|el doc>", "mira el doc (https://x.example/doc)"),
        ("mira <https://x.example/doc>", "mira https://x.example/doc"),
        ("<!here> ojo", "@here ojo"),
        ("<!subteam^S1|@soporte> ayuda", "@soporte ayuda"),
        ("escribió &amp;lt; literal", "escribió &lt; literal"),
        ("", ""),
    ],
)
def test_plain(wire, typed):
    assert plain(wire) == typed
