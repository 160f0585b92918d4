"""Slack adapter: slack-bolt on the wire, the neutral model inside."""
