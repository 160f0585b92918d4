"""Pulse surveys on internal service quality: set up by HR, answered in one
click, anonymous by design, and answered back by the team they are about."""
