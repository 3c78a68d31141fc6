"""Evaluation harness: `python -m eval summarize|normalize|faithfulness` (see `eval/__main__.py`),
and from Python `eval.score(predictions, references) -> Report` (see `eval/api.py`).

Metrics live in `eval.metrics` as small pure functions. Importing this package does nothing and
loads nothing: `score` and `Report` are imported on first use.
"""

__all__ = ["Report", "score"]


def __getattr__(name: str):
    if name in __all__:
        from eval import api

        return getattr(api, name)
    raise AttributeError(f"module 'eval' has no attribute {name!r}")
