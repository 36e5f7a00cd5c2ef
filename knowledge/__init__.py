"""Knowledge base: runbooks, postmortems, past cases and reviewed learnings in Chroma."""
