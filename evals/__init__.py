"""Evaluation harness: datasets, metrics, reports and the regression gate."""
