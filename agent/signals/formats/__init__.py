"""One parser per CONTRACTS §3 input format; each returns a list of Signals or raises
SignalParseError."""
