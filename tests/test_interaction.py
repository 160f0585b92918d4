"""The context buttons and forms carry back: encoded and checked in one place,
within Slack's limits, and refused with a clear message when it is not ours."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.i18n import t
from bot.interaction import (
    INVALID,
    MAX_ENCODED,
    NOTHING,
    STALE,
    VERSION,
    Interaction,
    Subject,
    decode,
    encode,
    make,
)
from bot.limits import MAX_ID
from bot.requests.states import DRAFT, REQUEST

RECORD = Subject("record", bad_id="input.bad_request_id")


def refusal(raw: str, action: str = "request.claim", subject: Subject = REQUEST) -> UserError:
    with pytest.raises(UserError) as caught:
        decode(raw, action, subject)
    return caught.value


def test_what_is_encoded_is_decoded_as_it_was():
    value = make("request.rate", REQUEST, 7, "5")
    assert decode(value, "request.rate", REQUEST) == Interaction("request.rate", "request", 7, "5")
    assert json.loads(value) == {"v": VERSION, "a": "request.rate", "k": "request", "id": 7, "x": "5"}
    draft = make("route.pick", DRAFT, "0b5c-uuid", "sistemas")
    assert decode(draft, "route.pick", DRAFT) == Interaction("route.pick", "draft", "0b5c-uuid", "sistemas")
    assert decode(make("request.open_form", NOTHING), "request.open_form", NOTHING) == Interaction("request.open_form")


@given(id_=st.integers(1, MAX_ID), arg=st.none() | st.text(max_size=100))
def test_any_id_and_argument_round_trip(id_, arg):
    assert decode(make("x.y", RECORD, id_, arg), "x.y", RECORD) == Interaction("x.y", "record", id_, arg)


def test_the_encoding_refuses_to_outgrow_a_slack_button_value():
    with pytest.raises(ValueError):
        encode(Interaction("x.y", "record", 1, "a" * MAX_ENCODED))


def test_values_of_cards_posted_before_the_encoding_still_work():
    assert decode("7", "request.claim", REQUEST) == Interaction("request.claim", "request", 7)
    assert decode("7:5", "request.rate", REQUEST) == Interaction("request.rate", "request", 7, "5")
    assert decode("0b5c:soporte", "route.pick", DRAFT) == Interaction("route.pick", "draft", "0b5c", "soporte")


@pytest.mark.parametrize("raw", ["0", "-1", "99999999999", "²", "uno", "", "[1]", '"7"'])
def test_an_old_value_that_is_no_id_names_the_value(raw):
    error = refusal(raw)
    assert (error.key, error.values) == ("input.bad_request_id", {"value": raw})


@pytest.mark.parametrize("raw", [
    "{", "{}", '{"a":"request.claim","k":"request","id":7}', "{\"v\": 1}", '{"v":1,"a":"request.resolve","k":"request","id":7}',  # another button's
    '{"v":1,"a":"request.claim","k":"issue","id":7}',  # another kind of thing
    '{"v":1,"a":"request.claim","k":"request","id":7,"x":["no"]}',
])
def test_a_malformed_or_foreign_value_is_invalid(raw):
    assert refusal(raw).key == INVALID


@pytest.mark.parametrize("raw", [
    '{"v":1,"a":"request.claim","k":"request","id":0}', '{"v":1,"a":"request.claim","k":"request","id":true}',
    '{"v":1,"a":"request.claim","k":"request","id":"7"}', f'{{"v":1,"a":"request.claim","k":"request","id":{MAX_ID + 1}}}',
])
def test_a_bad_id_in_a_current_value_is_reported_as_the_subject_says(raw):
    assert refusal(raw).key == "input.bad_request_id"


def test_another_version_is_stale():
    assert refusal('{"v":2,"a":"request.claim","k":"request","id":7}').key == STALE


def test_the_refusals_read_well_in_both_languages():
    for key in (INVALID, STALE):
        assert "/pedir ayuda" in t("es", key) and "/pedir help" in t("en", key)


@given(raw=st.text(max_size=300))
def test_decoding_anything_either_works_or_is_a_user_error(raw):
    for subject in (REQUEST, DRAFT, NOTHING):
        try:
            decoded = decode(raw, "request.claim", subject)
        except UserError:
            continue
        assert decoded.action == "request.claim" and decoded.kind == subject.kind
