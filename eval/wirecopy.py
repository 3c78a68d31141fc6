"""The wire-copy casing set: whole cased news articles turned into lowercased PTB wire copy.

    from eval.wirecopy import wirecopy_records
    records = wirecopy_records("dev", "running")      # or "lines"; split "dev" | "test"

Scored by `python -m bench.wirecopy` (docs/results_wirecopy.md). Nothing is written to disk:
the set is rebuilt deterministically from the shared data on each call (a few seconds).

Articles. Every untokenized cased article in the data root: `casing/news_text.jsonl`,
`casing/news_text_extra.jsonl` and the `article` of each `summarization/*.jsonl` file that has
one, de-duplicated by `article_key` (lowercase, [a-z0-9] only, first 400 characters; the first
occurrence wins, sources read in the order of `SOURCES`). A title line is dropped (BBC's
`title_first_line`, or any first line of several without final punctuation, as BBC and WMT
titles are): titles are headline case, not running text.

Split. By article: sha256(article_key) % 20 == 0 -> test, == 1 -> dev, else train, so a
republished copy of an article lands in the same split. Dev and test keep at most
`MAX_PER_DATASET` articles of each source dataset (lowest hash first), so 1987 Reuters copy
(15.5k articles) does not outweigh CNN/DM. Tune on dev only; score test once.
`training.build_truecaser` excludes every dev and test article (by key and by 8-gram overlap).

Layouts (both seen in the wild):

* `running`: the article's paragraphs joined into one line and tokenized by
  `summarizer.casing.detokenize.tokenize_ptb` (CNN/DM style: compounds kept whole, periods kept).
  `published` is the article text, for the end-to-end word error rate.
* `lines`: one sentence a line (`summarizer.text.sentences.split_sentences`), final periods
  dropped, and hyphenated compounds split (`state - run`, `20 - year - old`), as in
  `../shared/examples/wire_copy.txt`. `published` is the article's sentences one a line, each
  without the period the wire copy dropped (the period removed, nothing else).

Each record's `input` is `target.lower()`: only letter case separates them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from summarizer.casing.detokenize import tokenize_ptb
from summarizer.paths import cache_dir, data_root
from summarizer.text.sentences import split_sentences

__all__ = [
    "LAYOUTS",
    "MAX_PER_DATASET",
    "SOURCES",
    "WireArticle",
    "article_key",
    "article_body",
    "article_split",
    "split_articles",
    "wirecopy_records",
    "wire_articles",
]

# (file under the data root, text field); news_text first, so its ids win on duplicates.
SOURCES = (
    ("casing/news_text.jsonl", "text"),
    ("casing/news_text_extra.jsonl", "text"),
    ("summarization/sumllm_cnndm.jsonl", "article"),
    ("summarization/sumllm_cnndm_test.jsonl", "article"),
    ("summarization/frank.jsonl", "article"),
    ("summarization/realsumm.jsonl", "article"),
    ("summarization/qags.jsonl", "article"),
    ("summarization/bbc_summary.jsonl", "article"),
    ("summarization/xsum_extra.jsonl", "article"),
)
LAYOUTS = ("running", "lines")
SPLITS = ("dev", "test")
MAX_PER_DATASET = 150
_BUCKETS = 20
_FINAL = frozenset({"."})  # only periods go; `!` and `?` stay, as in the wild
_COMPOUND_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")


@dataclass(frozen=True)
class WireArticle:
    id: str
    dataset: str
    text: str  # the published article (paragraphs on lines), title line dropped


@dataclass(frozen=True)
class WireRecord:
    id: str
    dataset: str
    layout: str
    input: str
    target: str
    published: str | None


def article_key(text: str) -> str:
    """The de-duplication key of an article: lowercase, [a-z0-9] only, first 400 chars."""
    key = re.sub(r"[^a-z0-9]", "", text[:2000].lower())[:400]
    return key if len(key) == 400 or len(text) <= 2000 else re.sub(r"[^a-z0-9]", "", text.lower())[:400]


def _hash(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


def article_split(text: str) -> str:
    """ "test", "dev" or "train" for an article (by the hash of its key)."""
    bucket = _hash(article_key(text)) % _BUCKETS
    return "test" if bucket == 0 else "dev" if bucket == 1 else "train"


def _read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def article_body(record: dict, text: str) -> str:
    """The article's paragraphs, stripped, without a title line (see the module docstring)."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    title = record.get("title_first_line") or (len(lines) > 1 and not re.search(r"[.!?:'\"”’)]$", lines[0]))
    return "\n".join(lines[1:] if title else lines)


def wire_articles(data: Path | None = None) -> list[WireArticle]:
    """Every untokenized cased article of `SOURCES`, de-duplicated, in reading order."""
    return list(_wire_articles(str(data or data_root())))


@functools.lru_cache(maxsize=2)
def _wire_articles(data: str) -> tuple[WireArticle, ...]:
    seen: set[str] = set()
    out: list[WireArticle] = []
    for name, field in SOURCES:
        path = Path(data) / name
        if not path.is_file():
            continue
        for record in _read_jsonl(path):
            text = record.get(field)
            if not isinstance(text, str) or record.get("tokenized"):
                continue
            body = article_body(record, text)
            key = article_key(body)
            if len(key) < 200 or key in seen:
                continue
            seen.add(key)
            out.append(WireArticle(id=record["id"], dataset=str(record.get("dataset", "")), text=body))
    return tuple(out)


def split_articles(
    split: str, data: Path | None = None, max_per_dataset: int = MAX_PER_DATASET
) -> list[WireArticle]:
    """The dev or test articles: hash-selected, at most `max_per_dataset` per source dataset.

    Memoized in `summarizer.paths.cache_dir()/wirecopy/` under a key of the source files' sizes
    and modification times (reading every source takes ~15 s)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    root = Path(data or data_root())
    stamp = [(n, p.stat().st_size, p.stat().st_mtime_ns) for n, _ in SOURCES if (p := root / n).is_file()]
    digest = hashlib.sha256(json.dumps([str(root), stamp, split, max_per_dataset]).encode()).hexdigest()[:16]
    cached = cache_dir() / "wirecopy" / f"{split}-{digest}.jsonl"
    if cached.is_file():
        return [WireArticle(**r) for r in _read_jsonl(cached)]
    kept = _split_articles(split, root, max_per_dataset)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(vars(a), ensure_ascii=False) + "\n" for a in kept), encoding="utf-8")
    tmp.replace(cached)
    return kept


def _split_articles(split: str, data: Path, max_per_dataset: int) -> list[WireArticle]:
    chosen = [a for a in wire_articles(data) if article_split(a.text) == split]
    chosen.sort(key=lambda a: _hash(article_key(a.text)))
    per_dataset: dict[str, int] = {}
    kept = []
    for article in chosen:
        if per_dataset.get(article.dataset, 0) < max_per_dataset:
            per_dataset[article.dataset] = per_dataset.get(article.dataset, 0) + 1
            kept.append(article)
    return sorted(kept, key=lambda a: a.id)


def running_copy(article: WireArticle) -> str:
    """Cased PTB tokens of the whole article on one line (CNN/DM layout)."""
    return tokenize_ptb(" ".join(article.text.split("\n")))


def lines_copy(article: WireArticle) -> str:
    """Cased PTB tokens, one sentence a line, final periods dropped, compounds split."""
    return _lines(article)[0]


def wire_tokens(sentence: str, layout: str) -> list[str]:
    """A published sentence as cased PTB tokens of one layout: "lines" splits every compound
    hyphen (its final period is dropped by the caller), "running" keeps compounds whole."""
    return tokenize_ptb(_COMPOUND_HYPHEN.sub(" - ", sentence) if layout == "lines" else sentence).split()


def _lines(article: WireArticle) -> tuple[str, str]:
    """(the tokenized lines, the published sentences one a line without their final period)."""
    lines, published = [], []
    for sentence in split_sentences(article.text):
        tokens = wire_tokens(sentence, "lines")
        if tokens and tokens[-1] in _FINAL:
            tokens = tokens[:-1]
            sentence = sentence[: sentence.rindex(".")] + sentence[sentence.rindex(".") + 1 :]
        if tokens:
            lines.append(" ".join(tokens))
            published.append(sentence.strip())
    return "\n".join(lines), "\n".join(published)


def wirecopy_records(
    split: str, layout: str, data: Path | None = None, max_per_dataset: int = MAX_PER_DATASET
) -> list[WireRecord]:
    """The casing records of one split and layout (`input` = `target.lower()`)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    records = []
    for article in split_articles(split, data, max_per_dataset):
        if layout == "running":
            target, published = running_copy(article), article.text
        else:
            target, published = _lines(article)
        records.append(
            WireRecord(
                id=article.id,
                dataset=article.dataset,
                layout=layout,
                input=target.lower(),
                target=target,
                published=published,
            )
        )
    return records
