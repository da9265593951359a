"""Evaluation: the golden set, metrics, the runner and its reports."""
