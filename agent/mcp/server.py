"""The MCP server: four read-only tools over `TriageReader`, on stdio or streamable HTTP.

Built on the official `mcp` SDK (`MCPServer`). Over HTTP every request needs the bearer token
from settings (`TRIAGE_MCP_TOKEN`), checked by the SDK's bearer middleware through a
`TokenVerifier`; without a token the HTTP transport does not start (closed by default). stdio
is a local child process of the client and carries no token.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from mcp.server import MCPServer
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field
from starlette.applications import Starlette

from agent.kernel.decision import Decision
from agent.kernel.version import version
from agent.mcp.reader import (
    DocKind,
    Explanation,
    KnowledgeResults,
    OpenIncidents,
    TriageReader,
)

log = logging.getLogger(__name__)
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                            open_world_hint=False)
INSTRUCTIONS = ("Triage's decisions (event / alert / incident, priority, team, noise), open "
                "incidents and its knowledge base (runbooks, postmortems). Read-only: nothing "
                "here pages anyone or runs a tool.")


class StaticTokenVerifier:
    """Accepts exactly the configured bearer token (constant-time comparison)."""

    def __init__(self, token: str) -> None:
        if len(token) < 16:
            raise ValueError("TRIAGE_MCP_TOKEN: use at least 16 characters")
        self._token = token.encode()

    async def verify_token(self, token: str) -> AccessToken | None:
        """An AccessToken for the configured token, None for anything else."""
        if hmac.compare_digest(token.encode(), self._token):
            return AccessToken(token="[redacted]", client_id="triage-mcp", scopes=["read"])
        log.info("mcp: refused a bearer token")
        return None


def _call(fn, *args):  # type: ignore[no-untyped-def]
    try:
        return fn(*args)
    except (LookupError, ValueError) as exc:
        raise ToolError(str(exc).strip("'\"")) from None


def build_server(reader: TriageReader, *, token: str | None = None,
                 base_url: str = "http://127.0.0.1:8765") -> MCPServer:
    """The MCP server over `reader`; with `token`, HTTP requests must carry it as a bearer."""
    auth: dict[str, object] = {}
    if token is not None:
        auth = {"token_verifier": StaticTokenVerifier(token),
                "auth": AuthSettings(issuer_url=base_url, resource_server_url=f"{base_url}/mcp",
                                     required_scopes=["read"], validate_token_resource=False)}
    server = MCPServer("triage", title="Triage", version=version(), instructions=INSTRUCTIONS,
                       **auth)  # type: ignore[arg-type]

    @server.tool(annotations=READ_ONLY)
    def search_knowledge(
        query: Annotated[str, Field(description="free text; alert names count")],
        k: Annotated[int, Field(ge=1, le=20, description="how many documents")] = 5,
        kind: Annotated[DocKind, Field(description="document kind, or any")] = "any",
        service: Annotated[str | None, Field(description="only this service's docs")] = None,
    ) -> KnowledgeResults:
        """Search runbooks, postmortems and approved learnings (hybrid vector + BM25)."""
        return _call(reader.search_knowledge, query, k, kind, service)

    @server.tool(annotations=READ_ONLY)
    def get_decision(
        signal_id: Annotated[str, Field(description="the signal id, e.g. sig-...")],
    ) -> Decision:
        """The stored triage decision of one signal (kind, priority, team, noise, runbooks)."""
        return _call(reader.get_decision, signal_id)

    @server.tool(annotations=READ_ONLY)
    def list_open_incidents(
        limit: Annotated[int, Field(ge=1, le=100, description="at most this many")] = 20,
    ) -> OpenIncidents:
        """Open incident groups, newest activity first, with their signals."""
        return _call(reader.open_incidents, limit)

    @server.tool(annotations=READ_ONLY)
    def explain_decision(
        signal_id: Annotated[str, Field(description="the signal id, e.g. sig-...")],
    ) -> Explanation:
        """Why a signal got its decision: rule or model, impact x urgency, evidence, noise."""
        return _call(reader.explain, signal_id)

    return server


def http_app(server: MCPServer, *, host: str, port: int) -> Starlette:
    """The streamable HTTP app (endpoint `/mcp`, stateless, JSON responses)."""
    return server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True,
                                      json_response=True, host=host)
