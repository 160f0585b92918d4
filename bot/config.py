"""Configuration from the environment and an optional .env file."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.engine import is_sqlite

DEFAULT_DATABASE_URL = "sqlite:///./pedir.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default=DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    locale: str = Field(default="es", validation_alias="PEDIR_LOCALE")
    timezone: str = Field(default="Europe/Madrid", validation_alias="PEDIR_TIMEZONE")

    port: int = Field(default=3000, validation_alias="PORT")
    # Where people reach this server (https://pedir.example.com): the dashboard's sign-in links start with it.
    public_url: str | None = Field(default=None, validation_alias="PUBLIC_URL")
    # The web process delivers the outbox itself too; turn off when `pedir worker`
    # runs beside it, so deliveries use the worker's CPU, not the one answering Slack.
    inline_delivery: bool = Field(default=True, validation_alias="PEDIR_INLINE_DELIVERY")
    # How long a worker holds the messages it is sending: one that dies mid-send
    # has them sent again (looked up first) once this has passed.
    delivery_lease_seconds: float = Field(default=60.0, ge=4.0, validation_alias="PEDIR_DELIVERY_LEASE_SECONDS")
    # The web process also runs the domains' scheduled jobs (nudges, ...).
    # None is "auto": on with SQLite, where one process is the whole install;
    # off with PostgreSQL, where `pedir worker` runs them. Read it through runs_jobs_inline.
    inline_jobs: bool | None = Field(default=None, validation_alias="PEDIR_INLINE_JOBS")
    # Secrets are SecretStr: printing the settings shows '**********'.
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")

    microsoft_app_id: str | None = Field(default=None, validation_alias="MICROSOFT_APP_ID")
    microsoft_app_password: SecretStr | None = Field(default=None, validation_alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_type: str = Field(default="MultiTenant", validation_alias="MICROSOFT_APP_TYPE")
    microsoft_app_tenant_id: str | None = Field(default=None, validation_alias="MICROSOFT_APP_TENANT_ID")
    # Without an app id botbuilder accepts unauthenticated activities. That is
    # for local testing only, so it takes an explicit yes: anyone could
    # otherwise post as any Teams user.
    teams_unauthenticated: bool = Field(default=False, validation_alias="PEDIR_TEAMS_UNAUTHENTICATED")

    # GET /metrics (Prometheus) answers only requests bearing this token
    # (Authorization: Bearer ...); without it /metrics is off (404).
    metrics_token: SecretStr | None = Field(default=None, validation_alias="PEDIR_METRICS_TOKEN")
    # `pedir worker` serves its own GET /metrics on this port when set (a worker
    # on another machine than the web processes); otherwise it writes to the
    # shared PROMETHEUS_MULTIPROC_DIR, or nowhere.
    worker_metrics_port: int | None = Field(default=None, validation_alias="PEDIR_WORKER_METRICS_PORT")

    # What `pedir` logs (adapters/logs.py): from this level up, as text lines or one JSON object a line.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(default="INFO",
                                                                               validation_alias="LOG_LEVEL")
    log_format: Literal["text", "json"] = Field(default="text", validation_alias="LOG_FORMAT")

    @field_validator("inline_jobs", mode="before")
    @classmethod
    def _auto(cls, value: object) -> object:
        # PEDIR_INLINE_JOBS= or =auto in an env file keeps the default.
        return None if isinstance(value, str) and value.strip().lower() in ("", "auto") else value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _any_case(cls, value: object, info) -> object:  # noqa: ANN001
        # LOG_LEVEL=info and LOG_FORMAT=JSON mean what they say.
        if not isinstance(value, str):
            return value
        return value.strip().upper() if info.field_name == "log_level" else value.strip().lower()

    @property
    def runs_jobs_inline(self) -> bool:
        """Whether `pedir serve` runs the scheduled jobs itself (PEDIR_INLINE_JOBS, or auto)."""
        return is_sqlite(self.database_url) if self.inline_jobs is None else self.inline_jobs

    @property
    def base_url(self) -> str:
        """PUBLIC_URL without its trailing slash; this machine's port when it is not set."""
        return (self.public_url or f"http://localhost:{self.port}").rstrip("/")

    @property
    def teams_enabled(self) -> bool:
        return bool(self.microsoft_app_id) or self.teams_unauthenticated

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
