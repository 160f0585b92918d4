"""The answers tables, read as an attacker with the database would: nothing in
their columns or indexes names a person or tells the order answers arrived."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.types import Date, DateTime, Integer, Time

from bot.pulses import ballots as box
from tests.harness.support import RecordingChannel
from tests.nudge_support import tick
from tests.pulse_support import RAQUEL, answers, button, make_hr, open_round, questions_to

ANONYMOUS_TABLES = ("pulse_answer", "pulse_ballot", "pulse_tally")
# What an answer row may hold: where it belongs, what was said, the respondent's team, the receipt's hash;
# a tally row only how many answers gave a score, per question and team (not even a receipt).
ALLOWED = {"pulse_answer": {"id", "round_id", "question", "score", "text", "team_id", "receipt_hash"},
           "pulse_ballot": {"round_id", "receipt_hash", "answers", "team_id"},
           "pulse_tally": {"round_id", "question", "team_id", "score", "answers"}}
IDENTIFYING = re.compile(r"person|user|account|email|platform|author|by_id|owner|created|updated|time|_at$|seq|order")
AUDIENCE = ("ana.garcia", "sara.ruiz", "irene.vazquez", "elena.torres", "javier.martin")


def _schema(sync_conn, table: str) -> dict:  # noqa: ANN001
    found = inspect(sync_conn)
    return {"columns": found.get_columns(table), "indexes": found.get_indexes(table),
            "unique": found.get_unique_constraints(table), "pk": found.get_pk_constraint(table),
            "fks": found.get_foreign_keys(table)}


@pytest.mark.parametrize("table", ANONYMOUS_TABLES)
async def test_no_column_or_index_can_name_a_person_or_an_arrival(engine, table):  # noqa: ANN001
    async with engine.connect() as conn:
        schema = await conn.run_sync(_schema, table)
    names = {column["name"] for column in schema["columns"]}
    assert names == ALLOWED[table], "a new column needs this test's review first"
    for column in schema["columns"]:
        assert not IDENTIFYING.search(column["name"]), column["name"]
        assert not isinstance(column["type"], DateTime | Date | Time), f"{column['name']} is a time"
        # No sequence, serial or identity: such a key counts arrivals.
        assert column.get("autoincrement") is not True or column["name"] not in schema["pk"]["constrained_columns"]
        assert "nextval" not in str(column.get("default") or ""), column["name"]
        assert not column.get("identity"), column["name"]
    assert {fk["referred_table"] for fk in schema["fks"]} <= {"pulse_round"}
    indexed = [*schema["indexes"], *schema["unique"]]
    for index in indexed:
        for column in index["column_names"]:
            assert column in ALLOWED[table] and not IDENTIFYING.search(column), (index["name"], column)
    if table == "pulse_answer":
        [pk] = [schema["pk"]["constrained_columns"]]
        assert pk == ["id"]
        [id_column] = [c for c in schema["columns"] if c["name"] == "id"]
        assert not isinstance(id_column["type"], Integer), "answer ids are random text, not a counter"


@pytest.mark.parametrize("table", ANONYMOUS_TABLES)
async def test_sqlite_keeps_no_row_id(engine, table):  # noqa: ANN001
    if engine.dialect.name != "sqlite":
        pytest.skip("rowid is SQLite's")
    async with engine.connect() as conn:
        sql = (await conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table})).scalar_one()
        assert "WITHOUT ROWID" in sql.upper()
        with pytest.raises(Exception, match="rowid"):
            await conn.execute(text(f"SELECT rowid FROM {table}"))


async def test_answers_hold_nothing_but_what_was_said(app, folk):  # noqa: ANN001
    """After a round, no answer row carries an id, email or account of anyone asked,
    and the physical order (SQLite) or the transaction ids (PostgreSQL) follow no arrival."""
    channel = RecordingChannel()
    hr = await make_hr(app, folk[RAQUEL])
    await open_round(app, hr, [folk[name] for name in AUDIENCE])
    calls = await tick(app, channel)
    for score, name in enumerate(AUDIENCE, start=1):
        await app.action(folk[name], "pulse.answer", button(questions_to(calls, f"{name}@example.com")[0], str(score)).value)
    await tick(app, channel)  # five ballots: mixed
    rows = await answers(app)
    assert sorted(row.score for row in rows) == [1, 2, 3, 4, 5]
    identities = {str(folk[name].id) for name in AUDIENCE} | {folk[name].email for name in AUDIENCE}
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{32}", row.id) and re.fullmatch(r"[0-9a-f]{64}", row.receipt_hash)
        assert row.text is None and not ({row.id, row.receipt_hash} & identities)
    async with app.sessions() as session:
        conn = await session.connection()
        if conn.dialect.name == "postgresql":
            xmins = (await conn.execute(text("SELECT DISTINCT xmin::text FROM pulse_answer"))).all()
            assert len(xmins) == 1, "one mixing transaction wrote the five answers"
        else:
            # Every column: no index covers them all, so this reads the table's own b-tree.
            stored = [r.id for r in (await conn.execute(text("SELECT * FROM pulse_answer NOT INDEXED"))).all()]
            assert stored == sorted(stored), "rows sit in the order of their random ids"


def test_receipts_are_random_and_only_their_hash_is_kept():
    receipts = {box.new_receipt() for _ in range(1000)}
    assert len(receipts) == 1000 and all(len(r) >= 22 for r in receipts)
    one = next(iter(receipts))
    assert box.receipt_hash(one) == box.receipt_hash(one) != one
