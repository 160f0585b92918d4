"""What the tests stand on: stand-ins for Slack and Teams, wire-format builders,
running environments (a Pedir server against the stand-ins), helpers, and the
databases every test gets a fresh copy of.

- slack_standin / teams_standin: the fake Slack Web API and Bot Connector.
- slack_wire / teams_wire: what Slack and Teams send, signed or authenticated.
- slack_env / teams_env: a real `pedir serve` on loopback against the stand-ins.
- support / issue_support / issue_cards: the demo organisation, a recording
  channel, readers for what an action stored, the largest issue messages.
- databases: template databases built once per session, copied per test.
- waiting: `eventually`, the one way a test waits for something to happen.
"""
