"""Churn-risk detector: matching rules, negation and look-alikes, data files,
the classifier (features, scoring, what the detector does with its verdict,
the shipped weights), and precision/recall on the labelled sentence sets
(tests/churn_labelled.md): thresholds asserted on the frozen split only."""

from __future__ import annotations

import hashlib
import math
import tomllib
from importlib import resources

import pytest

from bot.churn.detector import (
    ACTIONS,
    KNOWN_SIGNALS,
    LANGUAGES,
    Hit,
    Rules,
    as_rival,
    detect,
    load_rules,
    load_signals,
    parse_rules,
)
from bot.churn.features import RIVAL, features, stem, words
from bot.churn.model import Linear, Model, load_models, parse_model
from bot.churn.phrases import compile_pattern, first_words
from bot.i18n import t
from bot.text import fold
from tests.harness.churn_sets import (
    COMPETITORS, SPLITS, TESTS, TRAIN_SPLITS, WRITER_BLOCK, read_set, score, writer_blocks)

# Precision and recall the frozen split must keep, per language. Issue #16 asks for 0.90 and
# 0.90; the detector reaches it for recall in Spanish only: es 0.814 / 0.919, en 0.814 / 0.873
# on the holdout, more and later files (tests/churn_labelled.md). These are those figures rounded
# down, a regression floor, not the target: never lowered to pass, and never raised by tuning
# on the frozen split.
FROZEN_FLOOR = {"es": (0.81, 0.91), "en": (0.81, 0.87)}


def one_signal(*patterns: str, sid: str = "cancel") -> Rules:
    raw = {"signal": [{"id": sid, "severity": 3, "action": "call_today", "patterns": list(patterns)}]}
    return parse_rules("xx", raw)


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
    "text,sid",
    [
        # A negated condition is not a negated threat.
        ("Si no se arregla esta semana se cambian a otro proveedor", "competitor"),
        ("Como no lo solucionemos pronto, anularán la suscripción", "cancel"),
        ("If the sync isn't working by Monday they'll terminate the contract", "cancel"),
        ("Unless we fix the invoices they will switch to another vendor", "competitor"),
        # The negation is the signal.
        ("No van a pagar la factura de mayo", "payment"),
        ("Se niegan a pagar el soporte", "payment"),
        ("They won't pay the renewal invoice", "payment"),
        ("Ya no les ven ningún valor", "value"),
        ("They no longer see any value in it", "value"),
        ("No renovarán en junio", "cancel"),
    ],
)
def test_negation_that_is_the_signal_or_belongs_to_a_condition_fires(text, sid):
    assert sid in {h.signal_id for h in detect(text)}


@pytest.mark.parametrize(
    "text",
    [
        # Negation reaches past articles, auxiliaries and up to two content words.
        "No tienen intención de darse de baja",
        "En ningún momento han hablado de pasarse a la competencia",
        "They have no plans to cancel the subscription",
        "At no point did they mention switching to another vendor",
        "No se han planteado buscar alternativas",
    ],
)
def test_negation_reaches_over_fillers(text):
    assert detect(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # Our own people's mood.
        "Nuestro equipo de soporte está harto de las caídas del CRM",
        "Estamos frustrados con la impresora",
        "Our support team is frustrated with the ticketing backlog",
        "I'm really annoyed with the internal tool",
        # Customers in general, scenarios, training.
        "Si un cliente pide la baja del servicio, ¿qué hacemos?",
        "Supongamos que cancelan el contrato: ¿cuánto perdemos?",
        "If a customer wants to cancel their subscription, who approves it?",
        "Hypothetically, they could move to a competitor",
        # Solved, or in the past.
        "Amenazaron con irse a la competencia, pero ya está resuelto",
        "They complained about the outage and it was fixed the same day",
        # A win against a competitor named in the org file.
        "Nos eligieron frente a Zendesk por la integración",
        "They chose us over Zendesk",
    ],
)
def test_look_alikes_do_not_fire(text):
    assert detect(text, competitors=["Zendesk"]) == []


@pytest.mark.parametrize(
    "text,sid",
    [
        # A guard that is itself negated or conditional guards nothing.
        ("Si no está resuelto el viernes, cancelan el contrato", "cancel"),
        ("It isn't fixed and they are furious", "anger"),
        # A guard only covers its own sentence.
        ("Ya está resuelto lo de ayer. Ahora quieren cancelar el contrato.", "cancel"),
    ],
)
def test_guards_are_sentence_bound_and_can_be_negated(text, sid):
    assert sid in {h.signal_id for h in detect(text)}


def test_named_competitors_from_the_org_file():
    names = ["Acme Desk", "Zendesk"]
    (hit,) = detect("Están probando ACME  desk en Valencia", competitors=names)
    assert (hit.signal_id, hit.phrase, hit.severity, hit.action) == ("competitor", "ACME  desk", 3, "call_today")
    assert [h.phrase for h in detect("Nos comparan con Zéndesk", competitors=names)] == ["Zéndesk"]
    # Not listed: the name itself is no signal. (Being compared with one is: the classifier
    # raises "Nos comparan con ..." whatever the name, as its training sentences taught it.)
    assert detect("Usan Zendesk para su centro de ayuda") == []
    assert detect("Acme Desktop crashed", competitors=names) == []  # whole words only
    assert detect("No piensan irse a Zendesk", competitors=names) == []
    assert detect("Zendesk", competitors=["", "  "]) == []


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
        parse_rules("xx", {"signal": [{"id": "sad", "severity": 1, "action": "call_today", "patterns": ["x"]}]})
    with pytest.raises(ValueError, match="unknown action"):
        parse_rules("xx", {"signal": [{"id": "anger", "severity": 1, "action": "send_flowers", "patterns": ["x"]}]})
    with pytest.raises(ValueError, match="severity"):
        parse_rules("xx", {"signal": [{"id": "anger", "severity": 4, "action": "call_today", "patterns": ["x"]}]})
    with pytest.raises(ValueError, match="no patterns"):
        parse_rules("xx", {"signal": [{"id": "anger", "severity": 1, "action": "call_today", "patterns": []}]})
    with pytest.raises(ValueError, match="unknown guard kind"):
        parse_rules("xx", {"guard": [{"kind": "maybe", "patterns": ["x"]}]})
    with pytest.raises(ValueError, match="guard 'ours'.*unbalanced"):
        parse_rules("xx", {"guard": [{"kind": "ours", "patterns": ["(x"]}]})


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


def test_the_word_index_finds_every_match_of_every_pattern():
    """Trying a pattern only where its first word stands loses nothing."""
    rules = load_rules()
    for lang in LANGUAGES:
        for split in SPLITS:
            for row in read_set(split, lang):
                folded = fold(row.text)
                every = {(id(rule), m.start(), m.end()) for rule in (*rules.signals, *rules.guards)
                         for regex in rule.regexes for m in regex.finditer(folded)}
                indexed = {(id(rule), m.start(), m.end()) for rule, m in rules.index.matches(folded)}
                assert every <= indexed, row.text


def test_first_words_of_a_pattern():
    assert first_words("(cancel*|terminat*) ..3 contract") == {("cancel", True), ("terminat", True)}
    assert first_words("((we|they) are|non-renewal) x") == {("we", False), ("they", False), ("non", False)}
    assert first_words("Won’t renew*") == {("won't", False)}


def test_load_signals_reads_both_languages():
    signals = load_signals()
    assert {s.language for s in signals} == set(LANGUAGES)
    assert all(s.regexes for s in signals)
    assert {g.language for g in load_rules().guards} == set(LANGUAGES)


# --- the classifier ------------------------------------------------------------


def hand_model(lang: str = "es", bias: float = -4.0, threshold: float = 0.5, **weights: float) -> Model:
    """A model with a few weights of our choosing: what the detector does with a verdict.
    `w__rebotados=4.0`: the weight of the word's stem (w:rebot), every idf 1."""
    feats = {}
    for key, weight in weights.items():
        kind, word = key.split("__")
        feats[f"{kind}:{stem(lang, word)}"] = weight
    names = sorted(feats | {f"w:{stem(lang, 'rebotados')}": 0.0})
    return parse_model({"language": lang, "threshold": threshold, "features": names, "idf": [1.0] * len(names),
                        "risk": {"bias": bias, "weights": [feats.get(f, 0.0) for f in names]},
                        "signals": {"anger": {"bias": 0.0, "weights": [[names.index(f"w:{stem(lang, 'rebotados')}"), 1.0]]},
                                    "cancel": {"bias": 0.1, "weights": []}}})


def test_negation_marks_the_words_a_negator_reaches():
    ws = words(fold("No queremos cancelar el contrato, pero si no se arregla se van"))
    marked = {w.text for w in ws if w.negated}
    assert {"queremos", "cancelar", "contrato"} <= marked
    assert not {"arregla", "van"} & marked  # another clause; and a negated condition
    assert [f for f, _ in features(ws, "es") if f.startswith("n:")] == ["n:quer", "n:cancel", "n:el", "n:contrat"]
    assert ("w:cancel", (2,)) not in features(ws, "es")
    assert ("t:no quer cancel", (0, 1, 2)) in features(ws, "es")  # neighbours, stemmed


def test_a_model_file_must_be_whole():
    raw = {"language": "es", "threshold": 0.5, "features": ["w:a", "w:b"], "idf": [1.0],
           "risk": {"bias": 0.0, "weights": [1.0, 1.0]}, "signals": {}}
    with pytest.raises(ValueError, match="differ in length"):
        parse_model(raw)


def test_the_score_is_tf_idf_of_unit_length():
    model = load_models()["es"]
    ws = words(fold("Están furiosos y no van a renovar el contrato, están furiosos."))
    vector = model.vector(ws)
    assert vector and math.isclose(sum(v * v for v in vector.values()), 1.0)
    assert "w:furios" in vector and "n:renov" in vector
    # Twice the same word counts 1 + ln 2 times its idf, before the scaling.
    ratio = vector["w:furios"] / vector["n:renov"]
    assert math.isclose(ratio, (1 + math.log(2)) * model.idf["w:furios"] / model.idf["n:renov"], rel_tol=1e-9)
    assert model.vector(words(fold("qwertyuiop asdfghjkl"))) == {}


def test_the_scorer_reads_every_known_feature_the_training_reads():
    model = load_models()["en"]
    for text in ("If it is not fixed by Friday they will cancel the contract and move to another vendor",
                 "Their CFO said they won't renew unless we cut the price by a third"):
        ws = words(fold(text))
        assert set(model.vector(ws)) == {f for f, _ in features(ws, "en") if f in model.idf}


def test_the_model_raises_a_sentence_no_pattern_matched_naming_signal_and_words():
    text = "Todo bien con la migración. Los de Ñandú andan rebotados con todo."
    assert detect(text, load_rules(), models={}) == []  # no pattern has it
    model = hand_model(w__rebotados=40.0, w__con=1.0, w__todo=1.0)
    (hit,) = detect(text, load_rules(), models={"es": model})
    # The heaviest word, widened to the neighbours that weigh towards risk too.
    assert (hit.signal_id, hit.phrase) == ("anger", "rebotados con todo")
    assert text[hit.start:hit.end] == hit.phrase
    assert (hit.severity, hit.action) == next((s.severity, s.action) for s in load_rules().signals
                                              if s.id == "anger" and s.language == "es")


def test_the_model_says_nothing_where_a_guard_or_a_negated_pattern_speaks():
    model = hand_model(w__harto=40.0, n__cancelar=40.0, w__cancelar=40.0)
    assert detect("Nuestro equipo está harto de las caídas.", load_rules(), models={"es": model}) == []
    assert detect("No queremos cancelar el contrato", load_rules(), models={"es": model}) == []


def test_a_pattern_hit_the_model_scores_as_harmless_is_vetoed():
    text = "Quieren cancelar el contrato a final de mes"
    assert [h.signal_id for h in detect(text, load_rules(), models={"es": hand_model(bias=-10.0)})] == []
    assert [h.signal_id for h in detect(text, load_rules(), models={"es": hand_model(bias=0.0)})] == ["cancel"]
    # A competitor the organisation names is vetoed like a pattern: the model reads the name
    # as one word, RIVAL, and judges what surrounds it.
    text = "Están probando Acme Desk en la sede de Lima"
    assert detect(text, load_rules(), ["Acme Desk"], models={"es": hand_model(bias=-10.0)}) == []
    (hit,) = detect(text, load_rules(), ["Acme Desk"], models={"es": hand_model(bias=0.0)})
    assert (hit.signal_id, hit.phrase) == ("competitor", "Acme Desk")


def test_the_model_reads_a_named_competitor_as_one_word():
    ws = as_rival(words(fold("Migraron de Acme Desk Pro a nosotros")), [(12, 25)])
    assert [w.text for w in ws] == ["migraron", "de", RIVAL, "a", "nosotros"]
    assert (ws[2].start, ws[2].end) == (12, 25)
    model = hand_model(bias=-10.0, **{f"w__{RIVAL}": 20.0})
    (hit,) = detect("Dicen que se van a Acme Desk Pro", load_rules(), ["Acme Desk Pro"], models={"es": model})
    assert hit.signal_id == "competitor"


def test_short_sentences_are_left_to_the_patterns():
    loud, quiet = {"en": hand_model("en", bias=10.0)}, {"es": hand_model(bias=-10.0)}
    assert detect("Login fails", load_rules(), models=loud) == []  # an issue title
    assert detect("Login fails for everyone today", load_rules(), models=loud) == []  # 5 words
    assert [h.signal_id for h in detect("Login fails for everyone at the branch", load_rules(), models=loud)] \
        == ["cancel"]
    assert [h.signal_id for h in detect("Están furiosos", load_rules(), models=quiet)] == ["anger"]  # no veto
    assert [h.signal_id for h in detect("Quieren cancelar el contrato", load_rules(), models=quiet)] == ["cancel"]


def test_the_shipped_models_are_the_ones_trained_on_the_sets_as_they_are():
    """bench/churn_train.py wrote them from today's training sets (else: run it again)."""
    train = pytest.importorskip("bench.churn_train")
    for lang, model in load_models().items():
        for name, digest in model.meta["trained_on"].items():
            assert hashlib.sha256((TESTS / name).read_bytes()).hexdigest() == digest, f"{name} changed"
        rows = [row for split in TRAIN_SPLITS for row in read_set(split, lang)]
        fired = [train.probability(model, r.text) >= model.threshold for r in rows]
        assert {"tp": sum(f and r.label for f, r in zip(fired, rows)),
                "fp": sum(f and not r.label for f, r in zip(fired, rows)),
                "fn": sum(r.label and not f for f, r in zip(fired, rows))} == model.meta["training_score"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_shipped_weights_are_what_the_training_script_fits(lang):
    train = pytest.importorskip("bench.churn_train")
    model = load_models()[lang]
    rows = [row for split in TRAIN_SPLITS for row in read_set(split, lang)]
    fitted = parse_model(train.fit_models(rows, lang, model.threshold))

    def far(a: Linear, b: Linear, cut: float = 0.0) -> list[str]:
        """Weights further apart than the file's rounding (another liblinear build may differ in the
        last digit); a weight under the file's cut on one side may be missing on the other."""
        apart = [f for f in a.weights.keys() | b.weights.keys()
                 if abs(a.weights.get(f, 0.0) - b.weights.get(f, 0.0)) > 0.002
                 and not (f not in a.weights or f not in b.weights) * (
                     abs(a.weights.get(f, b.weights.get(f, 0.0))) <= cut + 0.002)]
        return apart + (["bias"] if abs(a.bias - b.bias) > 0.002 else [])

    assert far(fitted.risk, model.risk) == []
    assert fitted.signals.keys() == model.signals.keys()
    for sid in model.signals:
        assert far(fitted.signals[sid], model.signals[sid], train.MIN_SIGNAL_WEIGHT) == [], sid


# --- labelled sets ---------------------------------------------------------------


def found_by(text: str) -> dict[str, str]:
    return {h.signal_id: h.phrase for h in detect(text, competitors=COMPETITORS)}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_labelled_sets_shape(lang):
    train = [row for split in TRAIN_SPLITS for row in read_set(split, lang)]
    frozen = read_set("frozen", lang)
    assert len(train) + len(frozen) >= 300
    assert len(frozen) * 3 >= len(train) + len(frozen), "the frozen split is at least a third"
    assert not {r.text for r in train} & {r.text for r in frozen}, "a sentence is in both splits"
    assert {len(block) for block in writer_blocks(lang)} == {WRITER_BLOCK}, "one block per writer"
    for rows in (train, frozen):
        assert 0.3 <= sum(r.label for r in rows) / len(rows) <= 0.6
        for row in rows:
            assert (row.label == 1) == bool(row.signals)
            assert row.signals <= KNOWN_SIGNALS


@pytest.mark.parametrize("lang", LANGUAGES)
def test_frozen_split_precision_and_recall(lang):
    """The figures reported for the detector: sentences never trained or tuned on."""
    result = score(read_set("frozen", lang), found_by)
    o = result.overall
    print(f"\n[churn frozen {lang}] precision={o.precision:.3f} recall={o.recall:.3f} "
          f"TP={o.tp} FP={o.fp} FN={o.fn}")
    assert o.precision >= FROZEN_FLOOR[lang][0]
    assert o.recall >= FROZEN_FLOOR[lang][1]


def test_every_signal_has_a_name_in_both_languages():
    for sid in KNOWN_SIGNALS:
        for locale in ("es", "en"):
            assert t(locale, f"signal.{sid}").strip()  # a missing key raises
