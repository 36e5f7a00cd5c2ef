"""The `tickets` config section: loads as documented, errors name the key."""

from __future__ import annotations

import pytest

from agent.config.loader import ConfigError, parse_config

DOC = {"tickets": {"instances": {
    "jira": {"system": "jira", "base_url": "https://acme.atlassian.net/",
             "auth": {"username_env": "JIRA_USER", "password_env": "JIRA_API_TOKEN"},
             "webhook": {"secret_env": "JIRA_WEBHOOK_SECRET"},
             "mapping": {"priority": {"P1": "Highest"}, "groups": {"payments": "Payments"},
                         "issue_type": {"incident": "Incident"}},
             "poll": {"enabled": True, "query": "project = OPS", "interval": "2m"}},
    "snow": {"system": "servicenow", "base_url": "https://acme.service-now.com",
             "auth": {"token_env": "SN_TOKEN"}}}}}


def test_tickets_section_loads() -> None:
    config = parse_config(DOC)
    name, jira = config.tickets.of_system("jira")
    assert name == "jira" and jira.base_url == "https://acme.atlassian.net"
    assert jira.mapping.labels == ["triage"] and jira.poll.query == "project = OPS"
    assert config.tickets.of_system("servicenow", "snow")[1].auth.token_env == "SN_TOKEN"
    assert config.tickets.of_system("zendesk") is None


@pytest.mark.parametrize(("patch", "needle"), [
    ({"password": "hunter2"}, "tickets.instances.jira.auth.password: unknown key"),
    ({"password_env": "not a name"}, "NAME of an environment variable"),
])
def test_bad_tickets_config_names_the_key(patch: dict, needle: str) -> None:
    doc = {"tickets": {"instances": {"jira": {"system": "jira", "base_url": "https://j.example",
                                              "auth": patch}}}}
    with pytest.raises(ConfigError) as err:
        parse_config(doc)
    assert needle in str(err.value)


def test_unknown_system_and_url_refused() -> None:
    with pytest.raises(ConfigError, match="system"):
        parse_config({"tickets": {"instances": {"x": {"system": "remedy",
                                                      "base_url": "https://r.example"}}}})
    with pytest.raises(ConfigError, match="base_url"):
        parse_config({"tickets": {"instances": {"x": {"system": "jira", "base_url": "jira"}}}})
