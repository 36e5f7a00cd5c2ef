"""Configuration: environment settings (pydantic-settings) and the organisation YAML file."""

from agent.config.loader import ConfigError, load_config
from agent.config.org import OrgConfig
from agent.config.settings import Settings

__all__ = ["ConfigError", "OrgConfig", "Settings", "load_config"]
