"""schemathesis against /openapi.json (issue #12): no generated request gets a 5xx.

The real app (create_app over a pipeline on in-memory SQLite) is driven in-process through
ASGI with the service token; every operation in the OpenAPI document gets generated requests,
valid and invalid, and the one check is that the service never answers with a server error.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from agent.config.loader import load_config  # noqa: E402
from agent.service import ServiceOptions, create_app  # noqa: E402
from agent.wiring import build_pipeline  # noqa: E402
from tests.agent.service.conftest import AUTH, settings_for  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = int(os.environ.get("TRIAGE_FUZZ_EXAMPLES", "25"))


def _app():
    """The real app over a pipeline on an in-memory SQLite database (cheap to build at import)."""
    config = load_config(ROOT / "agent" / "demo" / "config.yaml")
    return create_app(settings_for(Path("/nonexistent")), config, build_pipeline(config=config),
                      options=ServiceOptions(background=False))


APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case) -> None:
    response = case.call(headers=AUTH)
    assert response.status_code < 500, (case.method, case.path, response.status_code,
                                        response.text[:300])


def test_webhook_bodies_are_described_by_their_models() -> None:
    from fastapi.testclient import TestClient

    paths = TestClient(APP).get("/openapi.json").json()["paths"]
    for path, model_field in (("/v1/webhooks/alertmanager", "alerts"),
                              ("/v1/webhooks/grafana", "alerts"),
                              ("/v2/enqueue", "event_action"),
                              ("/v2/change/enqueue", "payload")):
        body = paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert model_field in body["properties"], path
        assert "$ref" not in str(body)  # self-contained: every reference inlined
