"""Rebuild the shipped statistical truecaser and hyphen-compound lexicon from cased news.

Run from the repository root (one command; ~10 min on 2 cores, tokenized text cached):

    python -m training.build_truecaser                    # data: summarizer.paths.data_root()
    python -m training.build_truecaser --data /path/to/data --out summarizer/resources

Training text, all cased and read from the data root:

* every article of `eval.wirecopy.SOURCES` (`casing/news_text.jsonl`, `casing/news_text_extra.jsonl`,
  the articles of `summarization/*.jsonl`), de-duplicated by `eval.wirecopy.article_key`;
* the descriptions of `headlines/rss_news.jsonl` (~10M words). Headlines are not used: title
  case says nothing about a word's running-text case;
* the cased sentences of `casing/wsj_ptb_pairs.jsonl` split=train (already PTB-tokenized).

Held out, never trained on: every article the casing evaluation touches: the wire-copy dev
and test splits (`eval.wirecopy.article_split` != "train", all of them, not only the capped
sample that is scored), all FRANK documents (frank_refs summarize them), and every article of
`summarization/realsumm.jsonl` and `summarization/sumllm_cnndm_test.jsonl`; and the WSJ
split=valid sentences. A record or description is dropped when its id names such a document,
when its normalized text (`article_key`) matches one, or when half or more of its word 8-grams
occur in them. Each kept text is PTB-tokenized with `tokenize_ptb` (cased); the model learns
from the tokens.

Writes `truecaser_en.json.gz` (the per-word table), `case_ngrams_en.json.gz` (the decoder's
capitalization-pattern n-grams, `summarizer.casing.ngrams`) and `hyphens_en.json.gz`, plus `truecaser_en.build.json` (the
run's config and how many records each rule excluded) beside them.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import json
import logging
import multiprocessing
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from eval.wirecopy import SOURCES, article_body, article_key, article_split
from summarizer.casing.detokenize import hyphen_key, tokenize_ptb
from summarizer.casing.ngrams import DEFAULT_NGRAMS, CaseNgrams
from summarizer.casing.packed import write_json_gz
from summarizer.paths import data_root
from summarizer.text.sentences import unglue
from training.count_truecaser import count_truecaser, prune_contexts
from training.data import HeldOut

logger = logging.getLogger(__name__)

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "summarizer" / "resources"


@dataclass
class BuildConfig:
    data: Path
    out: Path = DEFAULT_OUT
    min_pair_count: int = 1
    # training.count_truecaser.prune_contexts: contexts seen fewer times are dropped. Contexts that
    # only repeat a word's majority form are kept (max_share None): the decoder needs them to
    # hold a word lowercase against its neighbours' capitals (docs/results_wirecopy.md).
    prune_min_count: int = 3
    prune_max_share: float | None = None

    def __post_init__(self) -> None:
        self.data = Path(self.data)
        self.out = Path(self.out)
        if not (self.data / "casing" / "news_text.jsonl").is_file():
            raise ValueError(
                f"no casing/news_text.jsonl under --data {self.data}; pass the shared data folder "
                "or set SUMMARIZER_DATA"
            )


def _read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def held_out_articles(data: Path) -> dict[str, str]:
    """id -> article of every document the casing evaluation uses (see the module docstring)."""
    held: dict[str, str] = {}
    for record in _read_jsonl(data / "summarization" / "frank.jsonl"):
        held[record["id"]] = record["article"]
    for name in ("realsumm.jsonl", "sumllm_cnndm_test.jsonl"):
        path = data / "summarization" / name
        if path.is_file():
            for record in _read_jsonl(path):
                held[record["id"]] = record["article"]
    for name, field in SOURCES:
        path = data / name
        if not path.is_file():
            continue
        for record in _read_jsonl(path):
            text = record.get(field)
            if isinstance(text, str) and not record.get("tokenized"):
                body = article_body(record, text)
                if article_split(body) != "train":
                    held[record["id"]] = body
    return held


def _exclusion(data: Path) -> HeldOut:
    """The held-out filter of the build: ids, keys and >= 50% shared word 8-grams."""
    held = held_out_articles(data)
    return HeldOut.from_texts(held.values(), ngram_overlap=0.5, ids=held.keys())


def training_records(
    data: Path, exclusion: HeldOut | None = None, holdout_half: str | None = None
) -> tuple[list[dict], list[str]]:
    """The article records safe to train on (`text`, `tokenized`), and the ids of those excluded.

    holdout_half: "a" or "b" also leaves out that half of the articles (by `stable_half` of
    their normalized key), for a case tagger to learn from in-domain text these counts never saw."""
    exclusion = exclusion or _exclusion(data)
    kept, excluded, seen = [], [], set()
    for name, field in SOURCES:
        path = data / name
        if not path.is_file():
            continue
        for record in _read_jsonl(path):
            text = record.get(field)
            if not isinstance(text, str) or not text.strip():
                continue
            body = text if record.get("tokenized") else article_body(record, text)
            key = article_key(body)
            if record["id"] in seen or key in seen:
                continue
            seen.update((record["id"], key))
            if (
                exclusion.reason(body, record["id"])
                or (not record.get("tokenized") and article_split(body) != "train")
                or (holdout_half is not None and stable_half(key) == holdout_half)
            ):
                excluded.append(record["id"])
            else:
                kept.append({"id": record["id"], "text": body, "tokenized": bool(record.get("tokenized"))})
    return kept, excluded


def description_records(data: Path, exclusion: HeldOut | None = None) -> tuple[list[dict], int]:
    """RSS descriptions as one-paragraph records (headlines skipped), and how many were excluded."""
    path = data / "headlines" / "rss_news.jsonl"
    if not path.is_file():
        return [], 0
    exclusion = exclusion or _exclusion(data)
    kept, dropped = [], 0
    for record in _read_jsonl(path):
        text = (record.get("description") or "").strip()
        if len(text.split()) < 4:
            continue
        if exclusion.reason(text):
            dropped += 1
        else:
            kept.append({"id": record["id"], "text": " ".join(text.split()), "tokenized": False})
    return kept, dropped


ALLSIDES = Path("news") / "allsides_articles.jsonl.gz"


def stable_half(key: str) -> str:
    """"a" or "b": a stable half of the articles, by id (AllSides) or normalized key (the news
    articles). A build with `--allsides half` counts AllSides half "a" only (`--holdout-half b`
    leaves out half "b" of the news articles), so a case tagger stacked on that build learns
    from text its counts never saw (`training.train_case_tagger`)."""
    return "ab"[hashlib.sha256(key.encode()).digest()[0] % 2]


def allsides_records(data: Path, part: str, exclusion: HeldOut | None = None) -> tuple[list[dict], int]:
    """The cased AllSides train articles (`part`: "all" or "half"), and how many were excluded.

    Titles are skipped (house title case says nothing about running text); split=dev is never read."""
    path = data / ALLSIDES
    if part == "none" or not path.is_file():
        return [], 0
    exclusion = exclusion or _exclusion(data)
    kept, dropped = [], 0
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for record in map(json.loads, handle):
            text = record.get("text") or ""
            if record.get("split") != "train" or not text.strip():
                continue
            if part == "half" and stable_half(record["id"]) != "a":
                continue
            if exclusion.reason(text, record["id"]):
                dropped += 1
            else:
                kept.append({"id": record["id"], "text": text, "tokenized": False})
    return kept, dropped


def wsj_lines(data: Path) -> list[str]:
    """The cased PTB sentences of the WSJ train split."""
    path = data / "casing" / "wsj_ptb_pairs.jsonl"
    if not path.is_file():
        return []
    return [r["target"] for r in _read_jsonl(path) if r.get("split") == "train"]


def _tokenize_record(record: dict) -> list[str]:
    text = record["text"]
    if not record.get("tokenized"):
        text = tokenize_ptb(unglue(text))
    return [line for line in text.split("\n") if line.strip()]


def tokenized_lines(records: Iterable[dict], processes: int = 1) -> Iterator[str]:
    """Cased PTB-tokenized lines (paragraphs) of the records, in order."""
    records = list(records)
    if processes > 1 and len(records) > 1000:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for lines in pool.imap(_tokenize_record, records, chunksize=256):
                yield from lines
        return
    for record in records:
        yield from _tokenize_record(record)


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
    parser.add_argument("--processes", type=int, default=2, help="tokenizer processes")
    parser.add_argument(
        "--tokens-cache",
        default=None,
        help="a .txt.gz of the tokenized training lines: read when it exists, else written (reruns skip tokenizing)",
    )
    parser.add_argument(
        "--holdout-half",
        choices=("a", "b"),
        default=None,
        help="leave out this half of the news articles too (training.train_case_tagger learns from it)",
    )
    parser.add_argument(
        "--allsides",
        choices=("none", "half", "all"),
        default="none",
        help="also count the AllSides train articles (news/allsides_articles.jsonl.gz): all, or half "
        "'a' (the other half is left for a tagger stacked on this build)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = BuildConfig(data=args.data, out=args.out)
    config.out.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    exclusion = _exclusion(config.data)
    records, excluded = training_records(config.data, exclusion, args.holdout_half)
    descriptions, dropped_descriptions = description_records(config.data, exclusion)
    allsides, dropped_allsides = allsides_records(config.data, args.allsides, exclusion)
    descriptions += allsides
    wsj = wsj_lines(config.data)
    logger.info(
        "training on %d articles (%d excluded), %d descriptions (%d excluded), %d AllSides articles "
        "(%d excluded), %d WSJ sentences",
        len(records),
        len(excluded),
        len(descriptions) - len(allsides),
        dropped_descriptions,
        len(allsides),
        dropped_allsides,
        len(wsj),
    )

    lexicon = hyphen_lexicon([r for r in records + descriptions if not r["tokenized"]], config.min_pair_count)
    write_json_gz(config.out / "hyphens_en.json.gz", lexicon)

    cache = Path(args.tokens_cache) if args.tokens_cache else None
    if cache is not None and cache.is_file():
        with gzip.open(cache, "rt", encoding="utf-8") as f:
            lines = [line.rstrip("\n") for line in f]
    else:
        lines = list(tokenized_lines(records + descriptions, args.processes)) + wsj
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            with gzip.open(cache, "wt", encoding="utf-8") as f:
                f.writelines(line + "\n" for line in lines)
    logger.info("%d lines, %d tokens (%.0fs)", len(lines), sum(len(x.split()) for x in lines), time.perf_counter() - start)

    truecaser = prune_contexts(count_truecaser(lines), config.prune_min_count, config.prune_max_share)
    model_path = config.out / "truecaser_en.json.gz"
    truecaser.save(model_path)
    ngrams = CaseNgrams.count(lines)
    ngrams.save(config.out / DEFAULT_NGRAMS)
    logger.info("%d pairs and %d triples seen capitalized", len(ngrams.pairs), len(ngrams.triples))

    summary = {
        "config": {
            "data": str(config.data),
            "min_pair_count": config.min_pair_count,
            "prune_min_count": config.prune_min_count,
            "prune_max_share": config.prune_max_share,
            "allsides": args.allsides,
            "holdout_half": args.holdout_half,
        },
        "truecaser_config": asdict(truecaser.config),
        "records": len(records),
        "descriptions": len(descriptions) - len(allsides),
        "allsides_articles": len(allsides),
        "excluded_allsides": dropped_allsides,
        "wsj_sentences": len(wsj),
        "training_tokens": sum(len(x.split()) for x in lines),
        "excluded_articles": len(excluded),
        "excluded_descriptions": dropped_descriptions,
        "excluded_ids_sha256": hashlib.sha256("\n".join(sorted(excluded)).encode()).hexdigest(),
        "model_bytes": model_path.stat().st_size,
        "hyphen_bytes": (config.out / "hyphens_en.json.gz").stat().st_size,
        "ngram_pairs": len(ngrams.pairs),
        "ngram_triples": len(ngrams.triples),
        "ngram_bytes": (config.out / DEFAULT_NGRAMS).stat().st_size,
    }
    (config.out / "truecaser_en.build.json").write_text(json.dumps(summary, indent=1) + "\n")
    summary["excluded_ids"] = sorted(excluded)
    logger.info(
        "wrote %s (%d bytes) in %.0fs", model_path, summary["model_bytes"], time.perf_counter() - start
    )
    return summary


if __name__ == "__main__":
    main()
