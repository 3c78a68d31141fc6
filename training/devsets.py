"""The writing studies' fixed dev sets: drawn from what the training tasks hold out, never a
test split (`experiments.headlines`, `experiments.one_sentence` and the GPU kit score them).

- `rss_dev`: `headlines/rss_news.jsonl` items whose description has >= 25 words and whose id
  hashes to dev (sha256(id) % 50 == 1, the bucket the `headline_rss` task never trains on),
  first `limit` by hash; the headline is written from the description alone.
- `bbc_dev`: `summarization/bbc_summary.jsonl` `split == "valid"`, first `limit`; the article's
  first line is its title (the reference), the rest is what the headline is written from.
- `xsum_extra_dev`: `summarization/xsum_extra.jsonl` records in id bucket 0 of 10 (the
  `one_sentence_xsum` task's dev records), first `limit`.
"""

from __future__ import annotations

import json

from summarizer.paths import data_root
from training.data import id_bucket

__all__ = ["MIN_DESCRIPTION_WORDS", "bbc_dev", "rss_dev", "xsum_extra_dev"]

MIN_DESCRIPTION_WORDS = 25


def rss_dev(limit: int) -> list[tuple[str, str]]:
    """(source text, headline) pairs of the RSS dev split."""
    items = []
    with (data_root() / "headlines" / "rss_news.jsonl").open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if id_bucket(record["id"], 50) == 1 and len(record["description"].split()) >= MIN_DESCRIPTION_WORDS:
                items.append((id_bucket(record["id"], 1 << 48), record["description"], record["headline"]))
    return [(text, headline) for _, text, headline in sorted(items)[:limit]]


def bbc_dev(limit: int) -> list[tuple[str, str]]:
    pairs = []
    with (data_root() / "summarization" / "bbc_summary.jsonl").open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record.get("split") == "valid":
                title, body = record["article"].split("\n", 1)
                pairs.append((body.strip(), title.strip()))
    return pairs[:limit]


def xsum_extra_dev(limit: int) -> list[dict]:
    with (data_root() / "summarization" / "xsum_extra.jsonl").open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    return [r for r in records if id_bucket(r["id"], 10) == 0][:limit]
