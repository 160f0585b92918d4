"""Churn-risk detector: matching rules, data files, and precision/recall on
the labelled sentence sets in tests/churn_labelled_{es,en}.tsv."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from bot.churn.detector import (
    ACTIONS,
    KNOWN_SIGNALS,
    LANGUAGES,
    Hit,
    Signal,
    _parse,
    compile_pattern,
    detect,
    load_signals,
)

HERE = Path(__file__).parent


def one_signal(*patterns: str, sid: str = "cancel") -> list[Signal]:
    raw = {"signal": [{"id": sid, "severity": 3, "action": "call_today", "patterns": list(patterns)}]}
    return _parse("xx", raw)


def phrases(text: str, signals=None) -> list[str]:
    return [h.phrase for h in detect(text, signals)]


# --- matching rules ----------------------------------------------------------


def test_prefix_matches_inflections_on_whole_words_only():
    sig = one_signal("cancel*")
    assert phrases("Cancelar, cancelación, cancelled, CANCELS", sig) == [
        "Cancelar", "cancelación", "cancelled", "CANCELS"
    ]
    assert phrases("precancel anticancelación", sig) == []
    exact = one_signal("queja")
    assert phrases("quejas queja quejarse", exact) == ["queja"]


def test_multiword_phrases_allow_any_whitespace():
    sig = one_signal("queja formal")
    assert phrases("una queja   formal", sig) == ["queja   formal"]
    assert phrases("una queja\nformal", sig) == ["queja\nformal"]
    assert phrases("una quejaformal", sig) == []


def test_alternatives_optional_groups_and_gaps():
    sig = one_signal("(cancel*|terminat*) (the|our)? (contract|account)")
    assert phrases("cancel our contract", sig) == ["cancel our contract"]
    assert phrases("terminate account", sig) == ["terminate account"]
    gap = one_signal("cancel* ..2 contract")
    assert phrases("cancel the annual contract", gap) == ["cancel the annual contract"]
    assert phrases("cancel the big annual contract", gap) == []


def test_accents_and_case_are_folded_both_ways():
    sig = one_signal("cancelación (del|de la) cuenta")  # accents in the pattern
    text = "CANCELACION de la Cuenta; cancelación del cuenta"
    assert phrases(text, sig) == ["CANCELACION de la Cuenta", "cancelación del cuenta"]


def test_offsets_map_back_to_the_original_text():
    text = "Ñandú S.A.: el cliente está MUY MOLESTA y pide el reembolso de la cuota."
    hits = detect(text)
    assert {h.signal_id for h in hits} == {"anger", "refund"}
    for h in hits:
        assert text[h.start:h.end] == h.phrase
    # Decomposed accents (e + combining acute) keep their mark in the phrase.
    decomposed = "Quieren cancelar la suscripcio\u0301n hoy"
    (hit,) = detect(decomposed)
    assert hit.phrase == "cancelar la suscripcio\u0301n"
    assert decomposed[hit.start:hit.end] == hit.phrase


def test_typographic_apostrophe():
    assert [h.signal_id for h in detect("They won’t renew next year")] == ["cancel"]


@pytest.mark.parametrize(
    "text",
    [
        "No queremos cancelar el contrato",
        "no vamos a darnos de baja",
        "Nunca se han quejado ante nadie",
        "There is no formal complaint",
        "They do not want to cancel the subscription",
        "the customer isn't angry",
        "sin ninguna queja formal",
        "We are not leaving",
    ],
)
def test_negation_suppresses_hits(text):
    assert detect(text) == []


@pytest.mark.parametrize(
    "text,sid",
    [
        # The negator is too far back (more than three words).
        ("No lo sé, pero creo que van a cancelar el contrato", "cancel"),
        # A comma or "but" ends the negated clause.
        ("If it is not fixed, they will cancel the contract", "cancel"),
        ("Not happy at all, they are furious", "anger"),
        ("No es la primera vez pero ahora están furiosos", "anger"),
        # Negation inside the pattern is the signal itself.
        ("Nos han dicho que no renovarán", "cancel"),
        ("They will not renew", "cancel"),
    ],
)
def test_negation_window_is_small_and_clause_bound(text, sid):
    assert sid in {h.signal_id for h in detect(text)}


@pytest.mark.parametrize(
    "text",
    [
        "Hay que cancelar la reunión del jueves",
        "Please cancel the meeting on Thursday",
        "The refund of the taxi ticket was processed",
        "Se ha tramitado el reembolso del taxi",
        "Damos de baja al usuario de Pedro",
        "Es un despacho de abogados",
        "We escalated the ticket to tier 2",
        "Actualizamos la dirección de facturación",
        "le devolvemos la llamada mañana",
    ],
)
def test_ordinary_support_language_does_not_fire(text):
    assert detect(text) == []


@pytest.mark.parametrize(
    "text,sid",
    [
        ("Quieren cancelar el contrato", "cancel"),
        ("Van a darse de baja", "cancel"),
        ("Nos vamos a dar de baja en junio", "cancel"),
        ("Please cancel our subscription", "cancel"),
        ("We'll switch to a competitor", "competitor"),
        ("Se pasan a la competencia", "competitor"),
        ("Han puesto una queja formal", "complaint"),
        ("Amenazan con acciones legales", "legal"),
        ("They escalated it to our CEO", "escalation"),
    ],
)
def test_core_signals_fire(text, sid):
    assert sid in {h.signal_id for h in detect(text)}


def test_hit_carries_severity_and_action():
    (hit,) = detect("Their lawyer called")
    assert hit == Hit("legal", "Their lawyer", 0, 12, 3, "involve_lead")


def test_overlapping_matches_of_one_signal_merge():
    sig = one_signal("cancel* ..2 contract", "cancel* the contract")
    assert phrases("cancel the contract", sig) == ["cancel the contract"]


def test_empty_text():
    assert detect("") == []


@pytest.mark.parametrize(
    "bad", ["(a|b", "a)", "..2 a", "a ..2", "(a|)", "(a)? b c*d", "**", "a b?", "molest[oa]"]
)
def test_malformed_patterns_are_rejected(bad):
    with pytest.raises(ValueError):
        compile_pattern(bad)


def test_invalid_signal_entries_are_rejected():
    with pytest.raises(ValueError, match="unknown signal id"):
        _parse("xx", {"signal": [{"id": "sad", "severity": 1, "action": "call_today", "patterns": ["x"]}]})
    with pytest.raises(ValueError, match="unknown action"):
        _parse("xx", {"signal": [{"id": "anger", "severity": 1, "action": "send_flowers", "patterns": ["x"]}]})
    with pytest.raises(ValueError, match="severity"):
        _parse("xx", {"signal": [{"id": "anger", "severity": 4, "action": "call_today", "patterns": ["x"]}]})


# --- data files ----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_data_files_use_known_ids_and_actions(lang):
    text = resources.files("bot.churn").joinpath("signals", f"{lang}.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    ids = [s["id"] for s in raw["signal"]]
    assert len(ids) == len(set(ids)), "an id is defined twice in one file"
    assert set(ids) == KNOWN_SIGNALS, "every language covers every signal"
    for s in raw["signal"]:
        assert s["action"] in ACTIONS
        assert s["severity"] in (1, 2, 3)
        assert s["patterns"]


def test_load_signals_reads_both_languages():
    signals = load_signals()
    assert {s.language for s in signals} == set(LANGUAGES)
    assert all(s.regexes for s in signals)


# --- labelled sets ---------------------------------------------------------------


def read_labelled(lang: str) -> list[tuple[int, set[str], str]]:
    rows = []
    lines = (HERE / f"churn_labelled_{lang}.tsv").read_text("utf-8").splitlines()
    assert lines[0].split("\t") == ["label", "signals", "text"]
    for line in lines[1:]:
        label, sids, text = line.split("\t")
        rows.append((int(label), set() if sids == "-" else set(sids.split(",")), text))
    return rows


@pytest.mark.parametrize("lang", LANGUAGES)
def test_labelled_set_shape(lang):
    rows = read_labelled(lang)
    assert len(rows) >= 60
    positives = [r for r in rows if r[0] == 1]
    assert 0.3 <= len(positives) / len(rows) <= 0.5
    for label, sids, _ in rows:
        assert (label == 1) == bool(sids)
        assert sids <= KNOWN_SIGNALS


@pytest.mark.parametrize("lang", LANGUAGES)
def test_precision_and_recall(lang):
    tp = fp = fn = tn = right_signal = 0
    misses = []
    for label, sids, text in read_labelled(lang):
        hits = detect(text)
        found = {h.signal_id for h in hits}
        if label and found:
            tp += 1
            right_signal += bool(found & sids)
        elif label:
            fn += 1
            misses.append(f"FN  {text}")
        elif found:
            fp += 1
            misses.append(f"FP  {text}  -> {[(h.signal_id, h.phrase) for h in hits]}")
        else:
            tn += 1
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    print(
        f"\n[churn {lang}] precision={precision:.3f} recall={recall:.3f} "
        f"TP={tp} FP={fp} FN={fn} TN={tn}; right signal on {right_signal}/{tp} true positives"
    )
    for m in misses:
        print(f"  {m}")
    assert precision >= 0.85
    assert recall >= 0.80
    assert right_signal == tp
