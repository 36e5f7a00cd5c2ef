"""Process settings from the environment (`TRIAGE_*`, `OPENAI_*`, `SLACK_*`) and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDERS = {"changethis", "changeme", "xxx", "your-key", "your_api_key", "sk-...", "todo"}


def _default_home() -> Path:
    """The per-user data folder (XDG data home) used when no --home is given."""
    from os import environ  # the one place a default path is derived from the environment

    base = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "triage"


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


# The one body-size limit of the HTTP service (a 2,600-alert Alertmanager group is ~1.6 MB;
# a 4xx makes Alertmanager drop the group, so the limit sits well above real groups).
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024


class Settings(BaseSettings):
    """Every environment-derived setting in one object; the CLI flags override these."""

    # Case-sensitive, so the lower-case field names accepted as keyword arguments
    # (`Settings(home=...)`) never pick up unrelated variables such as HOME.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True,
                                      populate_by_name=True)

    home: Path = Field(default_factory=_default_home, validation_alias=_env("TRIAGE_HOME"))
    config: Path | None = Field(None, validation_alias=_env("TRIAGE_CONFIG"))
    reasoner: Literal["offline", "llm", "auto"] = Field(
        "offline", validation_alias=_env("TRIAGE_REASONER"))
    log_level: str = Field("WARNING", validation_alias=_env("TRIAGE_LOG_LEVEL"))
    openai_base_url: str | None = Field(None, validation_alias=_env("OPENAI_BASE_URL"))
    openai_api_key: SecretStr | None = Field(None, validation_alias=_env("OPENAI_API_KEY"))
    llm_model: str | None = Field(None, validation_alias=_env("TRIAGE_LLM_MODEL"))
    llm_timeout_s: float = Field(30.0, validation_alias=_env("TRIAGE_LLM_TIMEOUT"))
    chroma_url: str | None = Field(None, validation_alias=_env("TRIAGE_CHROMA_URL"))
    slack_bot_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(
        None, validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_app_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_url: str | None = Field(None, validation_alias=_env("TRIAGE_SLACK_API_URL"))
    webhook_token: SecretStr | None = Field(None, validation_alias=_env("TRIAGE_WEBHOOK_TOKEN"))
    mcp_token: SecretStr | None = Field(
        None, validation_alias=_env("TRIAGE_MCP_TOKEN"),
        description="Bearer token `triage mcp --transport http` requires (16+ characters)")
    max_body_bytes: int = Field(
        DEFAULT_MAX_BODY_BYTES, ge=1024, validation_alias=_env("TRIAGE_MAX_BODY_BYTES"),
        description="Largest accepted HTTP request body (16 MiB: ~25,000 Alertmanager alerts)")

    @field_validator("openai_api_key", "slack_bot_token", "slack_signing_secret",
                     "slack_app_token", "webhook_token", "mcp_token")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in _PLACEHOLDERS:
            raise ValueError("is a placeholder; set a real secret or leave it unset")
        return value

    @property
    def db_path(self) -> Path:
        """The SQLite database holding signals, decisions, groups and checkpoints."""
        return self.home / "triage.db"

    @property
    def chroma_path(self) -> Path:
        """Where the embedded Chroma store persists."""
        return self.home / "chroma"
