"""Safe text for Slack: secrets masked, mrkdwn control characters escaped, length bounded.

Everything echoed back to Slack (message text, alert titles, rationales, tool output) is
untrusted: `&`, `<` and `>` are escaped so it can never ping `<!channel>`, forge a user mention
or a link, and secrets are redacted before they leave the process.
"""

from __future__ import annotations

from agent.kernel.redact import redact


def escape(text: str) -> str:
    """Escape the three characters Slack mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe(text: str | None, limit: int = 2900) -> str:
    """Redact secrets, escape mrkdwn and truncate to `limit` characters (Block Kit max 3000)."""
    if not text:
        return ""
    clean = escape(redact(str(text)))
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def code(text: str | None, limit: int = 200) -> str:
    """Inline code for an identifier (backticks removed so it cannot break out)."""
    return f"`{safe((text or '').replace('`', ''), limit)}`"
