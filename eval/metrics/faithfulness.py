"""Faithfulness signals (entity and number precision against the source).

They live in the library (`summarizer.guard.faithfulness`), which also uses them at run time to drop
summary sentences with unsupported names or numbers; the harness scores with the same code.
"""

from summarizer.guard.faithfulness import (
    Precision,
    entity_precision,
    extract_entities,
    extract_numbers,
    number_precision,
)

__all__ = ["Precision", "entity_precision", "extract_entities", "extract_numbers", "number_precision"]
