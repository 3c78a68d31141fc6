"""Train the main-point scorer (`summarizer.generation.point`) on AllSides articles and their headlines.

    python -m training.train_point featurize --split train --out runs/point/train.pt
    python -m training.train_point featurize --split dev --offset 100 --limit 1000 --out runs/point/dev.pt
    python -m training.train_point train --train runs/point/train.pt --dev runs/point/dev.pt --out runs/point/scorer.pt

`featurize` reads each article as `summarize` does (`prepare_article`), takes the first five
content sentences the compressive styles offer, and gives each a target: how much of the
outlet's headline it holds (recall of the headline's content words plus its word pairs,
`headline_overlap`). `train` fits a listwise softmax over each article's sentences (the target
as a distribution at a temperature) and reports on dev how close the sentence each scorer puts
first comes to the headline, beside the lead and the best any could pick. Dev items 0-99 by id are
the read set (`eval.reading`): featurize dev from 100. Never the test split.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from multiprocessing import Pool
from pathlib import Path

import torch
from tqdm.auto import tqdm

from summarizer.casing.wire import prepare_article
from summarizer.generation.extractive import extract
from summarizer.generation.point import POSITIONS, PointScorer, point_inputs
from summarizer.generation.selection import candidate_sentences
from summarizer.paths import data_root
from summarizer.text.debris import is_debris
from training.build_truecaser import ALLSIDES

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("the a an and or of to in on at for with by from as is are was be it its this that".split())


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def headline_overlap(sentence: str, headline: str) -> float:
    """Share of the headline's content words in `sentence` plus share of its word pairs."""
    words = [_stem(w) for w in _WORD.findall(sentence.lower())]
    title = [_stem(w) for w in _WORD.findall(headline.lower())]
    content = {w for w in title if w not in _STOP}
    pairs = set(zip(title, title[1:], strict=False))
    if not content:
        return 0.0
    unigram = len(content & set(words)) / len(content)
    bigram = len(pairs & set(zip(words, words[1:], strict=False))) / len(pairs) if pairs else 0.0
    return unigram + bigram


def offered_sentences(text: str, limit: int = POSITIONS) -> tuple[str, list[str]]:
    """(the prepared article, its first `limit` content sentences as the compressive styles see them)."""
    article = prepare_article(text, "plain").text
    shown = candidate_sentences(extract(article, max_sentences=limit))
    return article, [s for s in shown if not is_debris(s)][:limit]


def _featurize_one(task: tuple[dict, int]) -> dict | None:
    record, limit = task
    try:
        article, sentences = offered_sentences(record["text"], limit)
    except ValueError:
        return None
    if len(sentences) < 2:
        return None
    return {"id": record["id"], "inputs": point_inputs(sentences, article),
            "targets": [headline_overlap(s, record["title"]) for s in sentences]}


def records(split: str, offset: int, limit: int | None) -> list[dict]:
    """`split` records sorted by id (train shuffled with a fixed seed), `offset` on: the one
    ordering `experiments.headline_choice` shares (its fit set is this one's first 1,500)."""
    with gzip.open(data_root() / ALLSIDES, "rt", encoding="utf-8") as handle:
        rows = [r for r in map(json.loads, handle) if r.get("split") == split]
    rows.sort(key=lambda r: r["id"])
    if split == "train":
        random.Random(0).shuffle(rows)
    return rows[offset: None if limit is None else offset + limit]


def featurize(args: argparse.Namespace) -> None:
    rows = records(args.split, args.offset, args.limit)
    with Pool(args.workers) as pool:
        items = [x for x in tqdm(pool.imap(_featurize_one, [(r, args.sentences) for r in rows], chunksize=32), total=len(rows),
                                 desc=f"featurize {args.split}", unit="doc") if x is not None]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    torch.save(items, args.out)
    print(f"{len(items)} articles of {len(rows)} -> {args.out}")


def _evaluate(scorer: PointScorer | None, items: list[dict]) -> dict[str, float]:
    """Mean target of the sentence put first (None: the lead), and how often it is the lead."""
    total, lead = 0.0, 0
    for item in items:
        if scorer is None:
            k = 0
        else:
            with torch.no_grad():
                k = int(torch.argmax(scorer(*scorer.batch(item["inputs"]))))
        total += item["targets"][k]
        lead += k == 0
    return {"target": round(total / len(items), 4), "lead": round(lead / len(items), 3)}


def train(args: argparse.Namespace) -> None:
    items = [i for i in torch.load(args.train, weights_only=False) if max(i["targets"]) > 0]
    dev = torch.load(args.dev, weights_only=False)
    torch.manual_seed(0)
    scorer = PointScorer()
    optimizer = torch.optim.Adam([{"params": scorer.words.parameters(), "lr": args.word_lr},
                                  {"params": scorer.dense.parameters(), "lr": args.lr}])
    oracle = sum(max(i["targets"]) for i in dev) / len(dev)
    print(f"train {len(items)} dev {len(dev)}: lead {_evaluate(None, dev)}, oracle {oracle:.4f}")
    for epoch in range(args.epochs):
        random.Random(epoch).shuffle(items)
        scorer.train()
        for start in tqdm(range(0, len(items), args.batch), desc=f"epoch {epoch}", unit="batch", leave=False):
            chunk = items[start: start + args.batch]
            inputs = [x for i in chunk for x in i["inputs"]]
            logits = scorer(*scorer.batch(inputs))
            loss, at = 0.0, 0
            for i in chunk:
                n = len(i["targets"])
                target = torch.softmax(torch.tensor(i["targets"]) / args.temperature, 0)
                loss = loss - (target * torch.log_softmax(logits[at: at + n], 0)).sum()
                at += n
            loss = loss / len(chunk) + args.l1 * scorer.words.weight.abs().sum() / len(chunk)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scorer.eval()
        print(f"epoch {epoch}: dev {_evaluate(scorer, dev)}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    scorer.save(args.out)
    print(f"saved {args.out}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("featurize")
    f.add_argument("--split", choices=("train", "dev"), required=True)
    f.add_argument("--offset", type=int, default=0)
    f.add_argument("--limit", type=int, default=None)
    f.add_argument("--workers", type=int, default=2)
    f.add_argument("--sentences", type=int, default=5, help="lead sentences offered (the compressive styles' `source_sentences`)")
    f.add_argument("--out", required=True)
    t = sub.add_parser("train")
    t.add_argument("--train", required=True)
    t.add_argument("--dev", required=True)
    t.add_argument("--epochs", type=int, default=3)
    t.add_argument("--batch", type=int, default=64)
    t.add_argument("--lr", type=float, default=0.01)
    t.add_argument("--temperature", type=float, default=0.2)
    t.add_argument("--word_lr", type=float, default=0.001, help="learning rate of the word weights (0: none)")
    t.add_argument("--l1", type=float, default=0.0)
    t.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    featurize(args) if args.command == "featurize" else train(args)


if __name__ == "__main__":
    main()
