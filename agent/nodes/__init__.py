"""Graph nodes, one small function per triage stage."""
