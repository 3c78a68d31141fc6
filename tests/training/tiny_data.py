"""A tiny data root shaped like shared/data (same files, same fields), built from words the tiny
test tokenizers know, with held-out files whose first article is also planted, re-spaced and
re-cased, among the training records."""

from __future__ import annotations

import json
import random
from pathlib import Path

_WORDS = (
    "engineers reopened the bridge on tuesday after a storm damaged it repair cost million pounds more than "
    "council had budgeted leader said overspend would be covered from reserves ferry operator bookings fallen "
    "by third while was closed city library will stay open until weekdays next month cider maker has planted "
    "apple trees of old local varieties"
).split()
_NAMES = ["Harbour Street", "Margaret Okafor", "Somerset", "Tuesday", "London", "Engineers"]


def sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(7, 12))
    words.insert(rng.randrange(1, len(words)), rng.choice(_NAMES))
    if rng.random() < 0.5:
        words.insert(rng.randrange(1, len(words)), str(rng.randint(2, 900)))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def article(seed: int, sentences: int = 5) -> str:
    """A made-up article: distinct records share no word 8-grams, as real articles do."""
    rng = random.Random(seed)
    return " ".join(sentence(rng) for _ in range(sentences))


# Held out for evaluation; the first is also planted (with other spacing and case) in the
# training files, which the filter must catch.
HELDOUT_ARTICLE = (
    "Officials in Ravenholt confirmed that the northern quarry will close after seventy years of digging "
    "granite. About forty workers will move to a new site near the coast."
)
PLANTED = (
    "  OFFICIALS in Ravenholt confirmed -- that the northern quarry will close after seventy years of digging "
    "granite! About forty workers will move to a new site near the coast."
)


def _write(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def build_data(root: Path) -> Path:
    sumllm = [
        {
            "id": f"sumllm-{i}",
            "dataset": "cnndm",
            "article": article(i, 7),
            "references": [article(i, 7).split(". ")[0] + ".", article(100 + i, 1)],
            "reference_kind": ["gpt4", "gpt3"],
            "split": "val" if i >= 10 else "train",
        }
        for i in range(12)
    ]
    sumllm.append(
        {
            "id": "sumllm-planted",
            "dataset": "cnndm",
            "article": PLANTED,
            "references": ["Quarry closes."],
            "reference_kind": ["gpt4"],
            "split": "train",
        }
    )
    _write(root / "summarization" / "sumllm_cnndm.jsonl", sumllm)
    _write(
        root / "summarization" / "sumllm_cnndm_test.jsonl",
        [{"id": "test-0", "dataset": "cnndm", "article": HELDOUT_ARTICLE, "references": ["Quarry closes."]}],
    )
    _write(
        root / "summarization" / "realsumm.jsonl",
        [
            {
                "id": "realsumm-0",
                "dataset": "cnndm",
                "article": "A jazz festival in Whitby drew record crowds despite heavy rain over the weekend.",
                "references": ["x"],
            }
        ],
    )
    frank = [
        {
            "id": f"frank-xsum-{i}",
            "dataset": "xsum",
            "article": article(200 + i, 3),
            "references": ["the city library will stay open until 10pm on weekdays."],
            "reference_kind": ["xsum-gold"],
            "split": "valid",
        }
        for i in range(4)
    ] + [
        {
            "id": "frank-cnndm-test",
            "dataset": "cnndm",
            "article": "The storm closed the ferry terminal in Dunmore for two days, stranding travellers.",
            "references": ["The storm closed the ferry ."],
            "reference_kind": ["cnndm-highlights"],
            "split": "test",
        }
    ]
    _write(root / "summarization" / "frank.jsonl", frank)
    bbc = [
        {
            "id": f"bbc-{i}",
            "dataset": "bbc",
            "article": f"Bridge reopens in Somerset {i}\n\n" + article(300 + i, 4),
            "references": [article(300 + i, 1)],
            "reference_kind": ["bbc-extractive"],
            "split": "valid" if i >= 6 else "train",
        }
        for i in range(8)
    ]
    _write(root / "summarization" / "bbc_summary.jsonl", bbc)
    news = [
        {"id": f"news-{i}", "dataset": "cnndm", "text": article(400 + i, 4), "tokenized": False}
        for i in range(10)
    ]
    news.append({"id": "news-planted", "dataset": "cnndm", "text": PLANTED, "tokenized": False})
    _write(root / "casing" / "news_text.jsonl", news)
    return root
