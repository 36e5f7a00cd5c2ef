"""Triage agent: signal parsing, the LangGraph triage pipeline, reasoners and the CLI."""
