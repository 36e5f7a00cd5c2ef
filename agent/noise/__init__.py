"""Noise reduction before any reasoning: dedup, grouping, suppression, flapping, baselines.

`NoiseGate(conn, config).process(signal)` → `NoiseOutcome` is the entry point (gate.py).
Modules: keys (dedup/group/series keys, times), state + records (cached, write-behind SQLite
state), grouping (connected-component groups, merges), suppression (maintenance windows,
silences), inhibition (Alertmanager inhibit rules), flapping, baseline (EWMA + hour-of-day
dynamic thresholds), notify (Alertmanager re-notification rules), views (group read models).
"""
