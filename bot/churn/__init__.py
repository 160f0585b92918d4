"""Churn-risk signals: spot phrases that say a customer is unhappy or about to leave.

`bot.churn.detector.detect(text)` scans a status update, comment or request
text and returns one `Hit` per signal phrase found (cancel, competitor,
anger, complaint, refund, legal, repeated_failure, escalation, price), with
the phrase as written, its offsets, a severity and a proposed action key
(`call_today`, `involve_lead`, `consider_compensation`).

The phrase lists are data, one TOML file per language in `signals/`; the
pattern syntax is described in `detector.py` and at the top of each file.
"""
