"""Closed by default: scoped tokens, basic auth, HMAC-signed bodies, actors from credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from agent.config.auth import AuthSection, BasicCredential, HmacCredential, TokenCredential
from agent.config.org import OrgConfig
from agent.service import ServiceOptions, create_app
from agent.wiring import build_pipeline
from tests.agent.service.conftest import cpu_alert, settings_for


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


TOKENS = {"am": "ingest-token-000000000001", "viewer": "read-token-000000000002",
          "U024BE7LH": "admin-token-000000000003"}
ENV = {"TRIAGE_HMAC_PD": "hmac-secret-for-pagerduty", "TRIAGE_AM_PASSWORD": "basic-pw-4242"}


@pytest.fixture
def app_for(demo_config: OrgConfig, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Callable[..., FastAPI]:
    """An app over a fresh pipeline with the given auth section (no background worker)."""
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)

    def build(section: AuthSection | None = None, token: str | None = None,
              **options: object) -> FastAPI:
        config = demo_config.model_copy(update={"auth": section or AuthSection()})
        pipe = build_pipeline(config=config, db_path=tmp_path / "a.db", checkpointer="sqlite")
        return create_app(settings_for(tmp_path, token=token), config, pipe,
                          options=ServiceOptions(background=False, **options))
    return build


def _section() -> AuthSection:
    return AuthSection(
        tokens=[TokenCredential(name="am", token_sha256=_sha(TOKENS["am"]), scopes=["ingest"]),
                TokenCredential(name="viewer", token_sha256=_sha(TOKENS["viewer"])),
                TokenCredential(name="U024BE7LH", token_sha256=_sha(TOKENS["U024BE7LH"]),
                                scopes=["ingest", "read", "admin"], team="payments")],
        basic=[BasicCredential(username="alertmanager", password_env="TRIAGE_AM_PASSWORD")],
        hmac=[HmacCredential(name="pagerduty", secret_env="TRIAGE_HMAC_PD")])


def _bearer(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[name]}"}


def test_closed_by_default_without_any_credential(app_for) -> None:
    with TestClient(app_for()) as c:
        for method, path in (("get", "/v1/incidents"), ("get", "/metrics"),
                             ("get", "/v1/dead-letters"), ("get", "/v1/maintenance")):
            r = getattr(c, method)(path)
            assert r.status_code == 401 and "no credentials configured" in r.text, path
        r = c.post("/v1/webhooks/alertmanager", json=cpu_alert())
        assert r.status_code == 401 and "--insecure-no-auth" in r.text
        r = c.post("/v1/maintenance", json={"matchers": {"service": "checkout-api"},
                                            "duration": "720h", "created_by": "U024BE7LH"})
        assert r.status_code == 401
        assert c.get("/healthz").status_code == 200
        assert c.app.state.service.conn.execute(
            "SELECT COUNT(*) FROM signals").fetchone()[0] == 0


def test_scopes_decide_what_each_token_may_do(app_for) -> None:
    with TestClient(app_for(_section())) as c:
        assert c.post("/v1/webhooks/alertmanager", json=cpu_alert(),
                      headers=_bearer("am")).status_code == 202
        assert c.get("/v1/incidents", headers=_bearer("am")).status_code == 403
        assert c.post("/v1/webhooks/alertmanager", json=cpu_alert(fp="x"),
                      headers=_bearer("viewer")).status_code == 403
        assert c.get("/v1/incidents", headers=_bearer("viewer")).status_code == 200
        assert c.get("/metrics", headers=_bearer("viewer")).status_code == 200
        window = {"matchers": {"service": "checkout-api"}, "duration": "1h",
                  "created_by": "someone-else"}
        assert c.post("/v1/maintenance", json=window, headers=_bearer("viewer")).status_code \
            == 403
        made = c.post("/v1/maintenance", json=window, headers=_bearer("U024BE7LH"))
        assert made.status_code == 201 and made.json()["created_by"] == "U024BE7LH"
        wrong = c.get("/v1/incidents", headers={"Authorization": "Bearer not-a-token"})
        assert wrong.status_code == 401 and "Bearer" in wrong.headers["www-authenticate"]


def test_basic_auth_as_alertmanager_http_config_sends_it(app_for) -> None:
    def basic(user: str, password: str) -> dict[str, str]:
        raw = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {raw}"}

    with TestClient(app_for(_section())) as c:
        ok = c.post("/v1/webhooks/alertmanager", json=cpu_alert(),
                    headers=basic("alertmanager", ENV["TRIAGE_AM_PASSWORD"]))
        assert ok.status_code == 202
        for headers in (basic("alertmanager", "nope"), basic("admin", "basic-pw-4242"),
                        {"Authorization": "Basic !!!"}):
            assert c.post("/v1/webhooks/alertmanager", json=cpu_alert(fp="b"),
                          headers=headers).status_code == 401


def test_hmac_signed_bodies_with_a_timestamp(app_for) -> None:
    body = json.dumps({"payload": {"summary": "disk full on orders-db", "severity": "critical",
                                   "source": "orders-db-1"}, "routing_key": "r",
                       "event_action": "trigger", "dedup_key": "d1"}).encode()

    def signed(stamp: int, secret: str = ENV["TRIAGE_HMAC_PD"],
               data: bytes = body) -> dict[str, str]:
        mac = hmac.new(secret.encode(), str(stamp).encode() + b"." + data, hashlib.sha256)
        return {"X-Triage-Signature": f"sha256={mac.hexdigest()}",
                "X-Triage-Timestamp": str(stamp), "Content-Type": "application/json"}

    now = int(time.time())
    with TestClient(app_for(_section())) as c:
        assert c.post("/v1/events", content=body, headers=signed(now)).status_code == 202
        assert c.post("/v1/events", content=body + b" ", headers=signed(now)).status_code == 401
        assert c.post("/v1/events", content=body,
                      headers=signed(now, "wrong-secret")).status_code == 401
        assert c.post("/v1/events", content=body,
                      headers=signed(now - 3600)).status_code == 401  # a replayed body
        unstamped = signed(now)
        del unstamped["X-Triage-Timestamp"]
        assert c.post("/v1/events", content=body, headers=unstamped).status_code == 401
        # a valid signature grants ingest only
        assert c.get("/v1/incidents", headers=signed(now, data=b"")).status_code in (401, 403)


def test_insecure_no_auth_is_explicit_and_never_takes_the_actor_from_the_body(app_for) -> None:
    with TestClient(app_for(insecure_no_auth=True)) as c:
        assert c.post("/v1/webhooks/alertmanager", json=cpu_alert()).status_code == 202
        made = c.post("/v1/maintenance", json={"matchers": {"service": "search-api"},
                                               "duration": "1h", "created_by": "U024BE7LH"})
        assert made.status_code == 201 and made.json()["created_by"] == "anonymous"


def test_serve_refuses_insecure_mode_off_loopback() -> None:
    from agent.cli.main import app

    out = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--insecure-no-auth"])
    assert out.exit_code == 2 and "only allowed on loopback" in out.output


def test_an_overflowing_maintenance_duration_is_a_422(app_for) -> None:
    with TestClient(app_for(insecure_no_auth=True)) as c:
        r = c.post("/v1/maintenance", json={"matchers": {"service": "search-api"},
                                            "duration": "99999999999d"})
        assert r.status_code == 422 and r.json()["field"] == "duration"
