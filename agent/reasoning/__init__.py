"""Reasoners: the offline rule-and-evidence reasoner and the optional LLM reasoner."""
