"""What `pedir` logs, and how: LOG_LEVEL, and LOG_FORMAT=text or json.

Pedir's own lines name ids and exception classes, never what people wrote
(bot.app, adapters/slack/gate.py); JSON lines carry only the time, level,
logger, message, request id and exception of a record, nothing a library
attached to it. A line logged while a request is handled, or while a message
it queued is delivered, carries that request's id (bot.tracing). Every
secret in the settings is masked wherever it appears, in case a library
quotes one. Libraries that log request bodies or every tick at INFO
(slack_sdk, slack_bolt, apscheduler, alembic) are kept at WARNING unless LOG_LEVEL is
DEBUG; slack_sdk and slack_bolt never go below INFO (adapters/slack/app.py).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from bot import tracing
from bot.config import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASK = "********"
CHATTY = ("apscheduler", "slack_sdk", "slack_bolt", "alembic")
# aiohttp's access log quotes each request line whole, query string included: a
# dashboard sign-in link's one-time token (/panel/entrar?t=...). Never shown;
# adapters/web/observability.py logs each request instead, by route.
SILENCED = ("aiohttp.access",)


class RequestId(logging.Filter):
    """Stamps each record with the id of the request being handled (bot.tracing), or None."""

    def filter(self, record: logging.LogRecord) -> bool:
        trace = tracing.current()
        record.request_id = trace.request_id if trace is not None else None
        return True


class TextFormatter(logging.Formatter):
    """TEXT_FORMAT, and ` [request ID]` at the end of a line logged while a request is handled."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"{text} [request {request_id}]" if request_id else text


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id while a
    request is handled (and its deliveries), and exc when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id := getattr(record, "request_id", None):
            line["request_id"] = request_id
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class Masked(logging.Formatter):
    """Another formatter's output, with each secret replaced by MASK."""

    def __init__(self, inner: logging.Formatter, secrets: list[str]) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = self.inner.format(record)
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


def secrets_of(settings: Settings) -> list[str]:
    values = [settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token,
              settings.microsoft_app_password, settings.metrics_token]
    return [value.get_secret_value() for value in values if value is not None]


def configure(settings: Settings, stream=None) -> logging.Handler:  # noqa: ANN001
    """Replaces the root logger's handlers with one on stderr (or `stream`), as the settings say."""
    inner = JsonFormatter() if settings.log_format == "json" else TextFormatter()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestId())
    handler.setFormatter(Masked(inner, secrets_of(settings)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if settings.log_level == "DEBUG" else logging.WARNING)
    for name in ("slack_sdk", "slack_bolt"):  # their DEBUG lines hold request and payload bodies
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger(name).level))
    for name in SILENCED:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    return handler
