"""Churn-risk signals: spot phrases that say a customer is unhappy or about to leave.

`bot.churn.detector.detect(text)` scans a status update, comment or request
text and returns one `Hit` per signal phrase found (cancel, competitor,
anger, complaint, refund, legal, repeated_failure, escalation, price,
payment, value, downgrade, disengagement, review), with the phrase as
written, its offsets, a severity and a proposed action key (`call_today`,
`involve_lead`, `consider_compensation`).

The phrase lists are data, one TOML file per language in `signals/`, with the
guards that silence look-alikes; the pattern syntax is in `phrases.py` and at
the top of each file, how far a negation reaches in `scope.py`, and how a text
is read once for all patterns in `index.py`. Beside the patterns, a small
classifier per language reads each sentence (`features.py`: what it sees;
`model.py`: pure-Python scoring of the weights in `models/<lang>.json`, which
bench/churn_train.py fits from the labelled sentences): it raises what no
pattern matched and vetoes pattern hits it finds harmless.
"""
