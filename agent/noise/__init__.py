"""Noise reduction before any reasoning: dedup, grouping, suppression, flapping, baselines."""
