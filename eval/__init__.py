"""Evaluation harness: `python -m eval summarize|normalize|faithfulness` (see `eval/__main__.py`).

Metrics live in `eval.metrics` as small pure functions; importing this package does nothing.
"""
