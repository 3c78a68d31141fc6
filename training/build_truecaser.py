"""Rebuild the shipped statistical truecaser and hyphen-compound lexicon from cased news.

Run from the repository root:

    python -m training.build_truecaser                    # data: summarizer.paths.data_root()
    python -m training.build_truecaser --data /path/to/data --out summarizer/resources

Training text is `casing/news_text.jsonl`, minus every article that the casing evaluation
touches: all FRANK documents (the frank_refs references summarize them; the valid split is
used for tuning, so it is held out as well as the test split), and every article of
`summarization/realsumm.jsonl` and `summarization/sumllm_cnndm_test.jsonl`. A record is dropped
when its id names such a document, when its normalized text (lowercase, [a-z0-9] only, first
400 characters) matches, or when half or more of its word 8-grams occur in those articles.
Each kept text is PTB-tokenized with `tokenize_ptb` (cased); the model learns from the tokens.

Writes `truecaser_en.json.gz` and `hyphens_en.json.gz`, plus `truecaser_en.build.json` (the
run's config and the excluded ids) beside them.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import re
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from summarizer.casing.detokenize import hyphen_key, tokenize_ptb
from summarizer.casing.truecaser import StatisticalTruecaser, write_json_gz
from summarizer.paths import data_root

logger = logging.getLogger(__name__)

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "summarizer" / "resources"
# XSum glues sentences together ("community.Dr Venter"); the sentence splitter uses the same rule.
_GLUED = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
_NGRAM = 8


@dataclass
class BuildConfig:
    data: Path
    out: Path = DEFAULT_OUT
    min_pair_count: int = 1

    def __post_init__(self) -> None:
        self.data = Path(self.data)
        self.out = Path(self.out)
        if not (self.data / "casing" / "news_text.jsonl").is_file():
            raise ValueError(
                f"no casing/news_text.jsonl under --data {self.data}; pass the shared data folder "
                "or set SUMMARIZER_DATA"
            )


def normalized_key(text: str) -> str:
    """The de-duplication key of an article: lowercase, [a-z0-9] only, first 400 chars."""
    return re.sub(r"[^a-z0-9]", "", text.lower())[:400]


def _ngrams(text: str) -> set[int]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {zlib.crc32(" ".join(words[i : i + _NGRAM]).encode()) for i in range(len(words) - _NGRAM + 1)}


def _read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def held_out_articles(data: Path) -> dict[str, str]:
    """id -> article of every document the casing evaluation uses."""
    held: dict[str, str] = {}
    for record in _read_jsonl(data / "summarization" / "frank.jsonl"):
        held[record["id"]] = record["article"]
    for name in ("realsumm.jsonl", "sumllm_cnndm_test.jsonl"):
        for record in _read_jsonl(data / "summarization" / name):
            held[record["id"]] = record["article"]
    return held


def training_records(data: Path) -> tuple[list[dict], list[str]]:
    """The news_text records safe to train on, and the ids of those excluded."""
    held = held_out_articles(data)
    keys = {normalized_key(a) for a in held.values()}
    grams: set[int] = set()
    for article in held.values():
        grams |= _ngrams(article)
    kept, excluded = [], []
    for record in _read_jsonl(data / "casing" / "news_text.jsonl"):
        text = record["text"]
        record_grams = _ngrams(text)
        overlap = len(record_grams & grams) / max(1, len(record_grams))
        if record["id"] in held or normalized_key(text) in keys or overlap >= 0.5:
            excluded.append(record["id"])
        else:
            kept.append(record)
    return kept, excluded


def tokenized_lines(records: Iterable[dict]) -> Iterator[str]:
    """Cased PTB-tokenized lines (paragraphs) of the records."""
    for record in records:
        text = record["text"]
        if not record.get("tokenized"):
            text = tokenize_ptb(_GLUED.sub(" ", text))
        for line in text.split("\n"):
            if line.strip():
                yield line


def hyphen_lexicon(records: Iterable[dict], min_pair_count: int = 1) -> dict:
    """Counts of `a-b` (compound) versus `a - b` (spaced dash) in raw text, per pair and side."""
    pairs: collections.Counter = collections.Counter()
    for record in records:
        text = record["text"]
        for match in re.finditer(r"(?<![\w-])([^\W_][\w'.,]*(?:-[\w'.,]+)+)", text):
            parts = [p.strip(".,'") for p in match.group(1).split("-")]
            for a, b in zip(parts, parts[1:], strict=False):
                if a and b:
                    pairs[(hyphen_key(a), hyphen_key(b)), 0] += 1
        for match in re.finditer(r"([\w.,]+) (?:-|--|–|—) (?=([\w.,]+))", text):
            a, b = match.group(1).strip(".,"), match.group(2).strip(".,")
            if a and b and match.group(1)[-1:] not in ",." and (a.isalnum() or _is_num(a)):
                pairs[(hyphen_key(a), hyphen_key(b)), 1] += 1
    table: dict[tuple[str, str], list[int]] = collections.defaultdict(lambda: [0, 0])
    for (pair, kind), count in pairs.items():
        table[pair][kind] += count
    left: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    right: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for (a, b), counts in table.items():
        for side, key in ((left, a), (right, b)):
            side[key][0] += counts[0]
            side[key][1] += counts[1]
    return {
        "pairs": {f"{a} {b}": c for (a, b), c in sorted(table.items()) if sum(c) >= min_pair_count},
        "left": dict(sorted(left.items())),
        "right": dict(sorted(right.items())),
    }


def _is_num(token: str) -> bool:
    return hyphen_key(token) == "<num>"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", default=str(data_root()), help="data root (default: $SUMMARIZER_DATA, else shared/data)"
    )
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = BuildConfig(data=args.data, out=args.out)
    config.out.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    records, excluded = training_records(config.data)
    logger.info("training on %d news_text records (%d excluded)", len(records), len(excluded))

    lexicon = hyphen_lexicon(records, config.min_pair_count)
    write_json_gz(config.out / "hyphens_en.json.gz", lexicon)

    truecaser = StatisticalTruecaser()
    truecaser.train(tokenized_lines(records))
    model_path = config.out / "truecaser_en.json.gz"
    truecaser.save(model_path)

    summary = {
        "config": {"data": str(config.data), "min_pair_count": config.min_pair_count},
        "truecaser_config": asdict(truecaser.config),
        "records": len(records),
        "excluded_ids": sorted(excluded),
        "model_bytes": model_path.stat().st_size,
    }
    (config.out / "truecaser_en.build.json").write_text(json.dumps(summary, indent=1) + "\n")
    logger.info(
        "wrote %s (%d bytes) in %.0fs", model_path, summary["model_bytes"], time.perf_counter() - start
    )
    return summary


if __name__ == "__main__":
    main()
