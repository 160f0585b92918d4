"""Configuration from the environment and an optional .env file."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./pedir.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default=DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    locale: str = Field(default="es", validation_alias="PEDIR_LOCALE")
    timezone: str = Field(default="Europe/Madrid", validation_alias="PEDIR_TIMEZONE")

    port: int = Field(default=3000, validation_alias="PORT")
    # The web process delivers the outbox itself too; turn off when `pedir worker`
    # runs beside it, so deliveries use the worker's CPU, not the one answering Slack.
    inline_delivery: bool = Field(default=True, validation_alias="PEDIR_INLINE_DELIVERY")
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

    @property
    def teams_enabled(self) -> bool:
        return bool(self.microsoft_app_id) or self.teams_unauthenticated

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
