"""`triage mcp`: a read-only Model Context Protocol server over the running system's state."""
