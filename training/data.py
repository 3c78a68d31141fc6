"""Training data: records from files, the held-out filter, (input, target) pairs and task mixing.

One path for every task: read records (`.jsonl`, `.csv` or a `datasets` folder), drop every
record whose text matches a held-out evaluation article (`HeldOut`), keep the wanted splits, set
dev records aside, and turn the rest into `Pair`s by the task's pairing (see
`training.config.PAIRINGS`). `allocate` splits the mixed set's size over tasks by weight and
`mix` shuffles the tasks' examples together with a seed.

Held out, never trained or tuned on (`HELDOUT_FILES`): `summarization/sumllm_cnndm_test.jsonl`,
`summarization/realsumm.jsonl` and the `split == "test"` records of `summarization/frank.jsonl`.
A task may not read those files, and any record of any task whose text has the same normalized
key (lowercase, [a-z0-9] only, first 400 characters), or shares `ngram_overlap` or more of its
word 8-grams with one of those articles, is dropped. Dev records of every task are held out of
every task's training records the same way.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import logging
import random
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.wirecopy import article_key
from summarizer.casing.decoder import restore_case
from summarizer.casing.detokenize import detokenize, tokenize_ptb
from summarizer.casing.windows import case_windows
from summarizer.guard.faithfulness import entity_precision, number_precision
from summarizer.text.sentences import split_sentences, unglue
from training.config import TaskConfig

__all__ = [
    "HELDOUT_FILES",
    "DevItem",
    "HeldOut",
    "Pair",
    "TaskData",
    "allocate",
    "cut_after",
    "drop_heldout",
    "format_target",
    "id_bucket",
    "load_heldout",
    "load_task",
    "mix",
    "normalized_key",
    "read_records",
    "task_pairs",
]

logger = logging.getLogger(__name__)

# Held-out evaluation files (relative to the data root) and, for each, the splits held out
# (None: every record).
HELDOUT_FILES: dict[str, frozenset[str] | None] = {
    "summarization/sumllm_cnndm_test.jsonl": None,
    "summarization/realsumm.jsonl": None,
    "summarization/frank.jsonl": frozenset({"test"}),
}
_NGRAM = 8


# ------------------------------------------------------------------------------ held-out filter
# An article's de-duplication key (lowercase, [a-z0-9] only, first 400 characters): the one the
# wire-copy evaluation splits by, so the filter and the split agree on what "the same article" is.
normalized_key = article_key


def _ngram_hashes(text: str) -> set[int]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {zlib.crc32(" ".join(words[i : i + _NGRAM]).encode()) for i in range(len(words) - _NGRAM + 1)}


@dataclass(frozen=True)
class HeldOut:
    """Articles no training record may match: by record id (when given), by normalized key, or
    (when `ngram_overlap` > 0) by sharing that share of the record's word 8-grams. The one
    held-out filter: fine-tuning data (`load_heldout`) and the truecaser build use it."""

    keys: frozenset[str]
    ngrams: frozenset[int] = frozenset()
    ngram_overlap: float = 0.0
    ids: frozenset[str] = frozenset()

    @classmethod
    def from_texts(cls, texts: Iterable[str], ngram_overlap: float = 0.0, ids: Iterable[str] = ()) -> HeldOut:
        texts = [t for t in texts if t and t.strip()]
        grams: set[int] = set()
        if ngram_overlap > 0:
            for text in texts:
                grams |= _ngram_hashes(text)
        return cls(frozenset(normalized_key(t) for t in texts), frozenset(grams), ngram_overlap, frozenset(ids))

    def union(self, other: HeldOut) -> HeldOut:
        return HeldOut(
            self.keys | other.keys,
            self.ngrams | other.ngrams,
            max(self.ngram_overlap, other.ngram_overlap),
            self.ids | other.ids,
        )

    def reason(self, text: str, record_id: str | None = None) -> str | None:
        """Why `text` (record `record_id`) is held out: "id", "key" or "ngrams"; None if it is not."""
        if record_id is not None and record_id in self.ids:
            return "id"
        if normalized_key(text) in self.keys:
            return "key"
        if self.ngram_overlap > 0 and self.ngrams:
            grams = _ngram_hashes(text)
            if grams and len(grams & self.ngrams) / len(grams) >= self.ngram_overlap:
                return "ngrams"
        return None

    def matches(self, text: str) -> bool:
        return self.reason(text) is not None


def drop_heldout(
    records: Sequence[dict], heldout: HeldOut, text_of: Callable[[dict], str]
) -> tuple[list[dict], int]:
    """The records whose text matches no held-out article, and how many were dropped."""
    kept = [r for r in records if not heldout.matches(text_of(r))]
    return kept, len(records) - len(kept)


def load_heldout(data_dir: str | Path, ngram_overlap: float = 0.5) -> HeldOut:
    """The held-out evaluation articles under `data_dir` (see `HELDOUT_FILES`)."""
    data_dir = Path(data_dir)
    texts: list[str] = []
    for relative, splits in HELDOUT_FILES.items():
        path = data_dir / relative
        if not path.is_file():
            logger.warning("held-out file %s not found; its articles cannot be filtered out", path)
            continue
        for record in read_records(path):
            if splits is None or record.get("split") in splits:
                texts.append(str(record.get("article") or record.get("document") or ""))
    if not texts:
        logger.warning("no held-out articles under %s: nothing will be filtered", data_dir)
    return HeldOut.from_texts(texts, ngram_overlap)


def check_allowed(path: Path, data_dir: Path) -> None:
    """Refuse a task that reads a held-out file as a whole."""
    for relative, splits in HELDOUT_FILES.items():
        if splits is not None:
            continue  # partly held out: the filter drops its held-out records
        forbidden = data_dir / relative
        same = forbidden.exists() and path.exists() and path.resolve() == forbidden.resolve()
        if same or path.name == Path(relative).name:
            raise ValueError(
                f"{path} is held out for evaluation and may not be trained or tuned on; pick another file"
            )


# ------------------------------------------------------------------------------ reading records
def read_records(path: str | Path) -> list[dict]:
    """Records of a `.jsonl` or `.csv` file, or of a folder saved with `datasets`' `save_to_disk`
    (a DatasetDict's records get their split name in `split`)."""
    path = Path(path)
    if path.is_dir():
        import datasets

        loaded = datasets.load_from_disk(str(path))
        if isinstance(loaded, datasets.DatasetDict):
            return [{**row, "split": row.get("split", name)} for name, part in loaded.items() for row in part]
        return [dict(row) for row in loaded]
    if path.suffix == ".jsonl":
        records = []
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:{number}: not valid JSON ({error.msg})") from error
        return records
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [dict(row) for row in csv.DictReader(handle)]
    raise ValueError(f"{path}: expected a .jsonl or .csv file or a datasets folder")


def _as_list(value: Any) -> list[str]:
    """A references field as a list: JSON lists stay, a CSV cell holding a JSON list is parsed."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError:
                return [value]
            return [str(v) for v in parsed]
        return [value] if text else []
    return [str(v) for v in value]


# ------------------------------------------------------------------------------ pairs
@dataclass(frozen=True)
class Pair:
    """One training example before tokenization. `source` is the article (summary tasks) or the
    lowercased window (casing); `target` what the model must write."""

    task: str
    kind: str
    style: str | None
    source: str
    target: str


@dataclass(frozen=True)
class DevItem:
    """One dev record: the model's input and the reference(s) its output is scored against."""

    task: str
    kind: str
    style: str | None
    source: str
    references: tuple[str, ...]


def format_target(text: str, target_format: str) -> str:
    """A reference as the model should write it (see `TaskConfig.target_format`)."""
    text = text.strip()
    if target_format == "raw":
        return text
    if target_format == "ptb":
        return detokenize(text)
    if target_format == "xsum_gold":
        text = text.replace("\\'", "'")
        text = re.sub(r"''(?=\w)", "'' ", text)
        text = re.sub(r"``(?=\S)", "`` ", text)
        text = re.sub(r"(\d) (m|bn)\b", r"\1\2", text)  # "# 11.2 m" was "£11.2m"
        return detokenize(restore_case(tokenize_ptb(text)))
    raise ValueError(f"unknown target_format {target_format!r}")


def _split_title(text: str) -> tuple[str, str]:
    title, _, body = text.strip().partition("\n")
    return title.strip(), body.strip()


def cut_after(text: str, sentences: Sequence[str]) -> int:
    """Where, in `text`, the given leading sentences of `split_sentences(text)` end.

    split_sentences keeps every non-space character once and in order, so counting them finds
    the spot even where it inserted a space (XSum's glued sentences)."""
    count = sum(len(re.sub(r"\s", "", s)) for s in sentences)
    if count == 0:
        return 0
    for position, char in enumerate(text):
        if not char.isspace():
            count -= 1
            if count == 0:
                return position + 1
    return len(text)


def _split_lead(text: str, n: int) -> tuple[str, str, int]:
    """(first n sentences, the rest of the text as given, sentences in the rest)."""
    sentences = split_sentences(text)
    lead = sentences[:n]
    return " ".join(lead), text[cut_after(text, lead) :].strip(), len(sentences) - len(lead)


def id_bucket(record_id: str, modulus: int) -> int:
    """A record's bucket among `modulus`, from its id alone (dev splits of files without one)."""
    return int(hashlib.sha256(str(record_id).encode()).hexdigest()[:12], 16) % modulus


def _supported(target: str, source: str) -> bool:
    return not (entity_precision(target, source).unsupported or number_precision(target, source).unsupported)


def _reference_targets(task: TaskConfig, record: dict) -> list[str]:
    references = _as_list(record.get(task.references_field))
    kinds = _as_list(record.get("reference_kind")) or [""] * len(references)
    wanted = set(task.reference_kinds) if task.reference_kinds else None
    targets = []
    for reference, kind in zip(references, kinds, strict=False):
        if wanted is not None and not wanted & set(kind.split("+")):
            continue
        formatted = format_target(reference, task.target_format)
        if formatted:
            targets.append(formatted)
    return targets


def _casing_text(record: dict, task: TaskConfig) -> str:
    text = str(record.get(task.text_field) or "")
    return text if record.get("tokenized") else tokenize_ptb(unglue(text))


def task_pairs(task: TaskConfig, record: dict, rng: random.Random, window_words: int) -> list[Pair]:
    """The training pairs of one record (possibly none)."""
    text = str(record.get(task.text_field) or "")
    if not text.strip():
        return []
    if task.pairing == "casing":
        tokenized = _casing_text(record, task)
        # The normalizer's own windows; those without a letter (a lone `''`) teach nothing.
        spans = [
            (s, e)
            for s, e in case_windows(tokenized, task.window_words or window_words)
            if any(ch.isalpha() for ch in tokenized[s:e])
        ]
        chosen = sorted(rng.sample(spans, min(task.windows_per_text, len(spans))))
        return [Pair(task.name, "casing", None, tokenized[s:e].lower(), tokenized[s:e]) for s, e in chosen]
    if task.skip_title:
        text = _split_title(text)[1]
    if task.pairing == "references":
        pairs = [Pair(task.name, "summary", task.style, text, t) for t in _reference_targets(task, record)]
    elif task.pairing == "title":
        title, body = _split_title(text)
        pairs = [Pair(task.name, "summary", task.style, body, title)] if title and body else []
    else:
        lead, rest, left = _split_lead(text, task.lead_sentences)
        enough = lead and left >= max(1, task.min_rest_sentences)
        pairs = [Pair(task.name, "summary", task.style, rest, lead)] if enough else []
    if task.faithful_only:
        pairs = [p for p in pairs if _supported(p.target, p.source)]
    return pairs


def dev_item(task: TaskConfig, record: dict, window_words: int, casing_windows: int = 3) -> DevItem | None:
    """One dev record scored the way the library is used: a whole article (summaries) or the
    first few windows of a text (casing)."""
    if task.pairing == "casing":
        tokenized = _casing_text(record, task)
        spans = case_windows(tokenized, task.window_words or window_words)[:casing_windows]
        if not spans:
            return None
        cased = tokenized[spans[0][0] : spans[-1][1]]
        return DevItem(task.name, "casing", None, cased.lower(), (cased,))
    text = str(record.get(task.text_field) or "")
    if task.skip_title:
        text = _split_title(text)[1]
    if task.pairing == "references":
        references = tuple(_reference_targets(task, record))
        return DevItem(task.name, "summary", task.style, text, references) if references and text else None
    pairs = task_pairs(task, record, random.Random(0), window_words)
    if not pairs:
        return None
    return DevItem(task.name, "summary", task.style, pairs[0].source, (pairs[0].target,))


# ------------------------------------------------------------------------------ tasks
@dataclass
class TaskData:
    """A task's records after filtering: training records (shuffled) and dev records."""

    task: TaskConfig
    train: list[dict]
    dev: list[dict]
    dropped_heldout: int = 0

    def text_of(self, record: dict) -> str:
        return str(record.get(self.task.text_field) or "")


def resolve_path(path: str, data_dir: str | Path) -> Path:
    candidate = Path(path)
    if candidate.exists():
        return candidate
    under_root = Path(data_dir) / path
    if not candidate.is_absolute() and under_root.exists():
        return under_root
    raise ValueError(
        f"task data {path!r} not found (also looked under the data root {data_dir}; set --data_dir)"
    )


def load_task(
    task: TaskConfig, data_dir: str | Path, heldout: HeldOut, seed: int, dev_limit: int | None = None
) -> TaskData:
    """Read, filter and split one task's records. Training records come back shuffled by `seed`.

    dev_limit: at most this many dev records are kept (and, with `dev_size`, held out)."""
    path = resolve_path(task.path, data_dir)
    check_allowed(path, Path(data_dir))
    records = read_records(path)
    if task.datasets is not None:
        records = [r for r in records if r.get("dataset") in task.datasets]
    data = TaskData(task, [], [])
    records, data.dropped_heldout = drop_heldout(records, heldout, data.text_of)
    if data.dropped_heldout:
        logger.info("task %s: dropped %d held-out record(s) of %s", task.name, data.dropped_heldout, path)
    rng = random.Random(f"{seed}:{task.name}")
    if task.min_text_words:
        records = [r for r in records if len(data.text_of(r).split()) >= task.min_text_words]
    if task.dev_modulus:
        in_dev = [id_bucket(r.get("id", ""), task.dev_modulus) == task.dev_remainder for r in records]
        data.dev = [r for r, dev in zip(records, in_dev, strict=True) if dev]
        records = [r for r, dev in zip(records, in_dev, strict=True) if not dev]
    elif task.dev_splits is not None:
        data.dev = [r for r in records if r.get("split") in task.dev_splits]
        records = [r for r in records if r.get("split") not in task.dev_splits]
    if task.splits is not None:
        records = [r for r in records if r.get("split") in task.splits]
    rng.shuffle(records)
    dev_size = task.dev_size if dev_limit is None else min(task.dev_size, dev_limit)
    if task.dev_splits is None and not task.dev_modulus and dev_size:
        if dev_size >= len(records):
            raise ValueError(
                f"task {task.name!r}: dev_size {dev_size} leaves no training records of {len(records)}"
            )
        data.dev, records = records[:dev_size], records[dev_size:]
    elif dev_limit is not None:
        data.dev = data.dev[:dev_limit]
    if task.max_records is not None:
        records = records[: task.max_records]
    if not records:
        raise ValueError(f"task {task.name!r}: no training records left in {path} after filtering")
    data.train = records
    return data


def exclude_dev(tasks: Sequence[TaskData], ngram_overlap: float = 0.0) -> None:
    """Drop from every task's training records any record matching any task's dev record."""
    dev_texts = [t.text_of(r) for t in tasks for r in t.dev]
    if not dev_texts:
        return
    dev = HeldOut.from_texts(dev_texts, ngram_overlap)
    for data in tasks:
        data.train, dropped = drop_heldout(data.train, dev, data.text_of)
        if dropped:
            logger.info(
                "task %s: dropped %d training record(s) that match dev records", data.task.name, dropped
            )
        if not data.train:
            raise ValueError(f"task {data.task.name!r}: every training record matches a dev record")


def iter_pairs(data: TaskData, seed: int, window_words: int) -> Iterator[Pair]:
    """The task's pairs, record by record, starting over (another pass) when records run out."""
    rng = random.Random(f"{seed}:{data.task.name}:pairs")
    for passes in itertools.count():
        produced = False
        for record in data.train:
            for pair in task_pairs(data.task, record, rng, window_words):
                produced = True
                yield pair
        if not produced:
            return
        if passes == 0:
            logger.warning("task %s: records exhausted; repeating them", data.task.name)


# ------------------------------------------------------------------------------ mixing
def allocate(weights: Sequence[float], total: int) -> list[int]:
    """Split `total` over tasks in proportion to `weights` (largest remainder; sums to `total`)."""
    if not weights or any(not w > 0 for w in weights):
        raise ValueError(f"weights must be positive, got {list(weights)}")
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def mix(per_task: Sequence[Sequence[Any]], seed: int) -> list[Any]:
    """All tasks' items in one list, shuffled with `seed`."""
    mixed = [item for items in per_task for item in items]
    random.Random(seed).shuffle(mixed)
    return mixed
