"""Customer issues (INC-n): status updates that reach every stakeholder.

Who may read one: anyone in the company, in every view (/incidencia ver,
/incidencias, /cliente, home pages), and anyone may follow one: an issue
exists so that nobody has to ask how a customer's problem is going. What only
two sides should read belongs in a request (bot.requests.visibility). Who may
change an issue is narrower: see bot.issues.flows.
"""
