"""Build the REST client of each configured instance (credentials from environment NAMES)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import httpx

from agent.config.tickets import TicketInstance, TicketsSection
from agent.tickets.http import RetryingClient
from agent.tickets.jira import JiraClient
from agent.tickets.servicenow import ServiceNowClient
from agent.tickets.types import TicketClient
from agent.tickets.zendesk import ZendeskClient

_CLASSES = {"jira": JiraClient, "servicenow": ServiceNowClient, "zendesk": ZendeskClient}


class CredentialError(ValueError):
    """An environment variable named in the config is not set."""


def _get(env: Mapping[str, str], name: str | None, instance: str, key: str) -> str | None:
    if name is None:
        return None
    value = env.get(name)
    if not value:
        raise CredentialError(f"tickets.instances.{instance}.auth.{key}: environment variable "
                              f"{name} is not set")
    return value


def api_auth(name: str, inst: TicketInstance,
             env: Mapping[str, str]) -> tuple[httpx.Auth | None, dict[str, str]]:
    """Basic auth or a bearer header for the instance's REST API."""
    token = _get(env, inst.auth.token_env, name, "token_env")
    if token:
        return None, {"Authorization": f"Bearer {token}"}
    user = _get(env, inst.auth.username_env, name, "username_env")
    password = _get(env, inst.auth.password_env, name, "password_env")
    if user and password:
        return httpx.BasicAuth(user, password), {}
    return None, {}


def build_client(name: str, inst: TicketInstance, env: Mapping[str, str], *,
                 sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None) -> TicketClient:
    """The REST client for one instance."""
    auth, headers = api_auth(name, inst, env)
    http = RetryingClient(inst.base_url, auth=auth, headers=headers, timeout_s=inst.timeout_s,
                          max_retries=inst.max_retries, backoff_base_s=inst.backoff_base_s,
                          backoff_max_s=inst.backoff_max_s, sleep=sleep, transport=transport)
    return _CLASSES[inst.system](http, inst)


def build_clients(section: TicketsSection, env: Mapping[str, str], **kwargs: object
                  ) -> dict[str, TicketClient]:
    """A client for every instance that writes back or polls."""
    return {name: build_client(name, inst, env, **kwargs)  # type: ignore[arg-type]
            for name, inst in section.instances.items() if inst.write_back or inst.poll.enabled}
