"""`GET /docs`: the API reference as one self-contained HTML page, rendered from the OpenAPI
schema on the server (no JavaScript, no CDN: it works on an air-gapped network).
`GET /openapi.json` stays the machine-readable schema."""

from __future__ import annotations

import html
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["ops"])
_STYLE = """body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem}
h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.op{border:1px solid #e3e3e3;border-radius:6px;margin:.8rem 0;padding:.6rem .9rem}
.m{display:inline-block;min-width:4.2rem;font-weight:600;text-transform:uppercase}
.get{color:#1565c0}.post{color:#2e7d32}.delete{color:#c62828}.put,.patch{color:#ef6c00}
code,pre{font:12px ui-monospace,monospace;background:#f6f6f6;border-radius:4px}
pre{padding:.5rem;overflow:auto;max-height:18rem}"""


def _ref(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        return f"list of {_ref(schema['items'])}"
    return schema.get("type") or schema.get("title") or "object"


def _operation(path: str, method: str, op: dict[str, Any]) -> str:
    parts = [f'<div class="op"><span class="m {method}">{method}</span> '
             f"<code>{html.escape(path)}</code> — {html.escape(op.get('summary', ''))}"]
    if op.get("description"):
        parts.append(f"<p>{html.escape(op['description'])}</p>")
    params = [f"<code>{html.escape(p['name'])}</code> ({p.get('in')})"
              for p in op.get("parameters", [])]
    if params:
        parts.append(f"<p>Parameters: {', '.join(params)}</p>")
    body = op.get("requestBody", {}).get("content", {})
    if body:
        kinds = ", ".join(f"{html.escape(k)}: {html.escape(_ref(v.get('schema', {})))}"
                          for k, v in body.items())
        parts.append(f"<p>Body: {kinds}</p>")
    codes = [f"<code>{c}</code> {html.escape(r.get('description', ''))}"
             for c, r in op.get("responses", {}).items()]
    parts.append(f"<p>Responses: {'; '.join(codes)}</p></div>")
    return "".join(parts)


def render_docs(spec: dict[str, Any]) -> str:
    """The HTML reference for an OpenAPI document."""
    info = spec.get("info", {})
    sections: dict[str, list[str]] = {}
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            tag = (op.get("tags") or ["other"])[0]
            sections.setdefault(tag, []).append(_operation(path, method, op))
    body = [f"<h1>{html.escape(info.get('title', 'API'))} {html.escape(info.get('version', ''))}"
            f"</h1><p>{html.escape(info.get('description', ''))}</p>"
            '<p>Machine-readable schema: <a href="/openapi.json">/openapi.json</a></p>']
    for tag, ops in sections.items():
        body.append(f"<h2>{html.escape(tag)}</h2>{''.join(ops)}")
    schemas = spec.get("components", {}).get("schemas", {})
    if schemas:
        body.append("<h2>Schemas</h2>")
        for name, schema in schemas.items():
            body.append(f"<details><summary><code>{html.escape(name)}</code></summary><pre>"
                        f"{html.escape(json.dumps(schema, indent=2))}</pre></details>")
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>"
            f"{html.escape(info.get('title', 'API'))} API</title><style>{_STYLE}</style></head>"
            f"<body>{''.join(body)}</body></html>")


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """The API reference, rendered offline."""
    return HTMLResponse(render_docs(request.app.openapi()))
