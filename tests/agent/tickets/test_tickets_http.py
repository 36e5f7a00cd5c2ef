"""The retrying HTTP client: Retry-After forms, backoff, what is and is not retried."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.tickets.http import RetryingClient, TicketApiError, retry_after
from tests.support.jira_api import JiraStandIn


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert retry_after("7", now) == 7.0
    assert retry_after("Tue, 01 Dec 2026 09:00:30 GMT", now) == 30.0
    assert retry_after("soon", now) is None and retry_after(None, now) is None


def _client(server: JiraStandIn, sleeps: list[float], **kwargs) -> RetryingClient:  # type: ignore[no-untyped-def]
    return RetryingClient(server.base_url, headers={"Authorization": "Bearer t"},
                          sleep=sleeps.append, backoff_base_s=0.25, backoff_max_s=10, **kwargs)


def test_backoff_on_5xx_then_success_and_give_up() -> None:
    with JiraStandIn(user=None, token="t") as server:
        server.add_issue({"id": "1", "key": "OPS-1", "fields": {"labels": []}})
        sleeps: list[float] = []
        client = _client(server, sleeps, max_retries=3)
        server.fail("GET", r"/rest/api/3/issue/OPS-1", 503, times=2)
        assert client.request("GET", "/rest/api/3/issue/OPS-1").status_code == 200
        assert sleeps == [0.25, 0.5]
        server.fail("GET", r"/rest/api/3/issue/OPS-1", 502, times=10)
        with pytest.raises(TicketApiError) as err:
            client.request("GET", "/rest/api/3/issue/OPS-1")
        assert err.value.status == 502 and err.value.retryable
        client.close()


def test_4xx_not_retried_and_message_from_the_vendor_body() -> None:
    with JiraStandIn(user=None, token="t") as server:
        sleeps: list[float] = []
        client = _client(server, sleeps)
        with pytest.raises(TicketApiError) as err:
            client.request("GET", "/rest/api/3/issue/OPS-404")
        assert err.value.status == 404 and not err.value.retryable
        assert "Issue does not exist" in str(err.value) and sleeps == []
        bad = RetryingClient(server.base_url, headers={"Authorization": "Bearer wrong"},
                             sleep=sleeps.append)
        with pytest.raises(TicketApiError) as denied:
            bad.request("GET", "/rest/api/3/issue/OPS-1")
        assert denied.value.status == 401 and "not authenticated" in str(denied.value)
        client.close(), bad.close()


def test_non_idempotent_call_is_not_repeated_after_a_5xx() -> None:
    with JiraStandIn(user=None, token="t") as server:
        server.add_issue({"id": "1", "key": "OPS-1", "fields": {"labels": []}})
        server.fail("POST", r"/rest/api/3/issue/OPS-1/comment", 500, after=True)
        client = _client(server, [])
        body = {"body": {"type": "doc", "version": 1, "content": []}}
        with pytest.raises(TicketApiError):
            client.request("POST", "/rest/api/3/issue/OPS-1/comment", json=body,
                           idempotent=False)
        assert len(server.comments["OPS-1"]) == 1  # stored once, never re-posted blindly
        server.fail("POST", r"/rest/api/3/issue/OPS-1/comment", 429,
                    headers={"Retry-After": "1"})
        client.request("POST", "/rest/api/3/issue/OPS-1/comment", json=body, idempotent=False)
        assert len(server.comments["OPS-1"]) == 2  # a 429 was surely not acted on: retried
        client.close()
