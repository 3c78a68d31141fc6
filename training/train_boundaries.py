"""Train the glued-sentence finder (`summarizer.casing.boundaries`) on a CPU; every stage resumes.

    python -m training.train_boundaries prepare                 # glued training copy, in shards
    python -m training.train_boundaries train --minutes 25      # checkpoints; rerun to resume
    python -m training.train_boundaries evaluate --split dev    # P/R of the splits; sets the threshold

`prepare` lays each training article out as lowercased wire copy, as `eval.wirecopy` does: most
as a sentence a line (final periods dropped, compound hyphens split), the rest as one running
line (periods kept). Then it glues: a sentence joins the line before it (lines layout), or loses
the period before it (running layout), at random, and its first token is labelled a start. The
text is the wire-copy set's train articles (never its dev or test) and AllSides train articles.
`train` fits the BiGRU on windows of those documents and keeps the weights with the best average
precision on glued dev copy. `evaluate` scores the splits `SentenceBoundaries` makes on glued dev
(or, once, test) copy and on the unglued copy (every split there is wrong), and with
`--choose` writes the threshold that reaches `--precision` into the model file.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import multiprocessing
import random
import time
import zlib
from pathlib import Path

import torch
from torch import nn

from eval.wirecopy import article_split, split_articles, wire_articles, wire_tokens
from summarizer.casing.boundaries import (
    BoundaryConfig,
    BoundaryNet,
    SentenceBoundaries,
    document_arrays,
    flag_tensor,
)
from summarizer.paths import data_root
from summarizer.text.sentences import split_sentences, unglue
from training.build_truecaser import ALLSIDES
from training.timed import TimedRun, train_timed

logger = logging.getLogger(__name__)
SHARD = 500
GLUE_LINES, GLUE_RUNNING, RUNNING_SHARE = 0.15, 0.1, 0.35
# The wire-copy set's articles that other evaluations score (kept out of training, as the tables do).
HELD_DATASETS = ("realsumm", "sumllm_cnndm_test")


def glued_document(article_id: str, text: str, seed: int = 0) -> tuple[list[list[str]], list[int]]:
    """(cased token lines, a label per token: 1 a glued start, 0 not) of one article."""
    rng = random.Random(zlib.crc32(f"{seed}/{article_id}".encode()))
    running = rng.random() < RUNNING_SHARE
    lines: list[list[str]] = []
    labels: list[list[int]] = []
    for sentence in split_sentences(unglue(text)):
        tokens = wire_tokens(sentence, "running" if running else "lines")
        if not running and tokens and tokens[-1] == ".":
            tokens = tokens[:-1]
        if not tokens:
            continue
        if not lines:
            lines.append(tokens)
            labels.append([0] * len(tokens))
        elif running:
            glue = lines[-1][-1] == "." and rng.random() < GLUE_RUNNING
            if glue:
                lines[-1].pop()
                labels[-1].pop()
            lines[-1] += tokens
            labels[-1] += [int(glue)] + [0] * (len(tokens) - 1)
        elif rng.random() < GLUE_LINES:
            lines[-1] += tokens
            labels[-1] += [1] + [0] * (len(tokens) - 1)
        else:
            lines.append(tokens)
            labels.append([0] * len(tokens))
    return lines, [y for line in labels for y in line]


def tensorize(article_id: str, text: str, vocab: dict[str, int], seed: int = 0) -> dict | None:
    lines, labels = glued_document(article_id, text, seed)
    ids, suffix, bits = document_arrays(lines, vocab)
    if not ids:
        return None
    return {"ids": torch.tensor(ids, dtype=torch.int32), "suffix": torch.tensor(suffix, dtype=torch.int16),
            "bits": torch.tensor(bits, dtype=torch.uint8), "label": torch.tensor(labels, dtype=torch.int8)}


def training_articles(data: Path, allsides: int) -> list[tuple[str, str]]:
    """(id, text): the wire-copy set's train articles, then the first `allsides` AllSides train articles."""
    articles = [(a.id, a.text) for a in wire_articles(data)
                if article_split(a.text) == "train" and a.dataset not in HELD_DATASETS]
    taken = 0
    with gzip.open(data / ALLSIDES, "rt", encoding="utf-8") as handle:
        for record in map(json.loads, handle):
            if taken >= allsides:
                break
            if record.get("split") == "train" and record.get("text"):
                articles.append((record["id"], record["text"]))
                taken += 1
    return articles


def tagger_vocab() -> dict[str, int]:
    """The shipped case tagger's vocabulary (the 50k most frequent lowercased training words)."""
    from importlib import resources

    from summarizer.casing.tagger import DEFAULT_TAGGER

    with resources.as_file(resources.files("summarizer") / "resources" / DEFAULT_TAGGER) as path:
        return torch.load(path, map_location="cpu", weights_only=True)["vocab"]


def _prepare_shard(job: tuple[list[tuple[str, str]], str, dict[str, int]]) -> str:
    articles, path, vocab = job
    docs = [d for a in articles if (d := tensorize(a[0], a[1], vocab)) is not None]
    torch.save(docs, path + ".tmp")
    Path(path + ".tmp").rename(path)
    return path


def prepare(args: argparse.Namespace) -> None:
    out = Path(args.out) / "features"
    out.mkdir(parents=True, exist_ok=True)
    vocab = tagger_vocab()
    articles = training_articles(Path(args.data), args.allsides)
    random.Random(0).shuffle(articles)
    jobs = [(articles[i: i + SHARD], str(out / f"shard_{i // SHARD:04d}.pt"), vocab) for i in range(0, len(articles), SHARD)]
    todo = [job for job in jobs if not Path(job[1]).is_file()]
    logger.info("%d articles, %d shards, %d to write", len(articles), len(jobs), len(todo))
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        for n, path in enumerate(pool.imap_unordered(_prepare_shard, todo), 1):
            logger.info("%s (%d/%d, %.0f s)", path, n, len(todo), time.perf_counter() - start)


def dev_documents(split: str, vocab: dict[str, int], data: Path, articles: int = 0) -> list[dict]:
    chosen = split_articles(split, data)[: articles or None]
    return [d for a in chosen if (d := tensorize(a.id, a.text, vocab, seed=1)) is not None]


def scores(net: BoundaryNet, docs: list[dict]) -> tuple[torch.Tensor, torch.Tensor]:
    """(probability, label) at every token a split may start."""
    net.eval()
    probs, labels = [], []
    with torch.inference_mode():
        for doc in docs:
            bits = doc["bits"]
            logits = net(doc["ids"].long()[None], doc["suffix"].long()[None], flag_tensor(bits)[None])[0]
            keep = (bits.long() & 0b101) == 0
            probs.append(torch.sigmoid(logits)[keep])
            labels.append(doc["label"][keep].float())
    return torch.cat(probs), torch.cat(labels)


def average_precision(probs: torch.Tensor, labels: torch.Tensor) -> float:
    order = probs.argsort(descending=True)
    hits = labels[order]
    precision = hits.cumsum(0) / torch.arange(1, len(hits) + 1)
    return float((precision * hits).sum() / hits.sum().clamp(min=1))


def batches(docs: list[dict], window: int, size: int, rng: random.Random):
    spans = []
    for d, doc in enumerate(docs):
        offset = rng.randrange(window)
        spans += [(d, max(0, s)) for s in range(offset - window, len(doc["ids"]), window) if s + window > 0]
    rng.shuffle(spans)
    for b in range(0, len(spans), size):
        parts = [{k: docs[d][k][s: s + window].long() for k in ("ids", "suffix", "bits", "label")} for d, s in spans[b: b + size]]
        pad = {k: nn.utils.rnn.pad_sequence([p[k] for p in parts], batch_first=True, padding_value=-1 if k == "label" else 0)
               for k in ("ids", "suffix", "bits", "label")}
        label = pad["label"].masked_fill((pad["bits"] & 0b101) != 0, -1)
        yield pad["ids"], pad["suffix"], flag_tensor(pad["bits"]), label


def train(args: argparse.Namespace) -> None:
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    docs = [d for path in sorted((out / "features").glob("shard_*.pt")) for d in torch.load(path, weights_only=False)]
    vocab = tagger_vocab()
    dev = dev_documents("dev", vocab, Path(args.data), args.dev_articles)
    net = BoundaryNet(BoundaryConfig(vocab=max(vocab.values()) + 1, hidden=args.hidden))
    optimizer = torch.optim.Adam(net.parameters(), lr=args.lr)
    tokens = sum(len(d["ids"]) for d in docs)
    starts = sum(int((d["label"] == 1).sum()) for d in docs)
    logger.info("%d documents, %d tokens, %d glued starts; %d dev documents", len(docs), tokens, starts, len(dev))

    def loss_of(batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, int]:
        ids, suffix, flags, label = batch
        keep = label >= 0
        return nn.functional.binary_cross_entropy_with_logits(net(ids, suffix, flags)[keep], label[keep].float()), int(keep.sum())

    run = TimedRun(out, args.minutes, args.eval_minutes, args.lr, args.word_dropout, metric="dev_ap")
    state = train_timed(net, optimizer, run, lambda rng: batches(docs, args.window, args.batch, rng), loss_of,
                        lambda: average_precision(*scores(net, dev)))
    SentenceBoundaries(net, vocab).save(out / "boundaries.pt")
    logger.info("best dev AP %.4f after %d tokens; wrote %s", state["best"], state["seen"], out / "boundaries.pt")


def split_points(model: SentenceBoundaries, docs: list[tuple[list[list[str]], list[int]]], starts=None) -> dict:
    """P/R/F1 of the starts chosen on glued documents (`starts(lines)`, default the BiGRU's)."""
    tp = fp = fn = 0
    for lines, labels in docs:
        chosen = (starts or model.starts)(lines)
        n = 0
        predicted = set()
        for words, line_starts in zip(lines, chosen, strict=True):
            predicted |= {n + i for i in line_starts}
            n += len(words)
        gold = {i for i, y in enumerate(labels) if y == 1}
        tp, fp, fn = tp + len(predicted & gold), fp + len(predicted - gold), fn + len(gold - predicted)
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return {"P": round(p, 4), "R": round(r, 4), "F1": round(2 * p * r / max(1e-9, p + r), 4), "splits": tp + fp, "gold": tp + fn}


def evaluate(args: argparse.Namespace) -> None:
    model = SentenceBoundaries.load(args.model)
    articles = split_articles(args.split, Path(args.data))[: args.articles or None]
    glued = [glued_document(a.id, a.text, seed=1) for a in articles]
    unglued = [(lines, [0] * sum(map(len, lines))) for lines in
               ([wire_tokens(s, "lines") for s in split_sentences(unglue(a.text))] for a in articles)]
    rows = []
    starts = lm_starts(model, args.model_name) if args.lm else None  # reads model.threshold when called
    for threshold in [float(t) for t in args.thresholds.split(",")]:
        model.threshold = threshold
        rows.append({"threshold": threshold, "lm": args.lm, "glued": split_points(model, glued, starts),
                     "unglued_splits": split_points(model, unglued, starts)["splits"]})
        logger.info("%s", rows[-1])
    lines = sum(len(lines) for lines, _ in unglued)
    logger.info("%d articles, %d unglued lines", len(articles), lines)
    if args.choose:
        chosen = min((r for r in rows if r["glued"]["P"] >= args.precision), key=lambda r: r["threshold"], default=None)
        if chosen is None:
            raise SystemExit(f"no threshold reaches precision {args.precision}")
        model.threshold = chosen["threshold"]
        model.save(args.model)
        logger.info("threshold %.2f written to %s", model.threshold, args.model)
    result = {"split": args.split, "articles": len(articles), "lines": lines, "rows": rows}
    if args.casing:
        result["casing"] = casing_effect(model, glued)
        logger.info("casing of the glued copy at threshold %.2f: %s", model.threshold, result["casing"])
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


def lm_starts(model: SentenceBoundaries, model_name: str | None):
    """`starts(lines)` of the BiGRU and the language model together, reading the tagger's draft."""
    from summarizer import Summarizer
    from summarizer.casing.lm_boundaries import lm_split_starts
    from summarizer.casing.tagger import shipped_tagger

    summarizer = Summarizer.from_pretrained(model_name)
    tagger = shipped_tagger()

    def starts(lines: list[list[str]]) -> list[list[int]]:
        draft = tagger.restore("\n".join(" ".join(line).lower() for line in lines))
        return lm_split_starts(model, summarizer.model, summarizer.tokenizer, [line.split() for line in draft.split("\n")])
    return starts


def casing_effect(model: SentenceBoundaries, glued: list[tuple[list[list[str]], list[int]]]) -> dict:
    """Cased-word F1 of the shipped tagger on the glued copy as it is and after the splits, and
    how many glued starts it cases right either way."""
    from eval.metrics.casing import aggregate_casing, casing_counts
    from summarizer.casing.tagger import shipped_tagger

    tagger, out = shipped_tagger(), {}
    for name, prepare_text in (("as_given", lambda t: t), ("split", model.split)):
        counts, right, starts = [], 0, 0
        for lines, labels in glued:
            target = "\n".join(" ".join(line) for line in lines)
            predicted = tagger.restore(prepare_text(target.lower())).split()
            counts.append(casing_counts(" ".join(predicted), target))
            gold = target.split()
            starts += sum(labels)
            right += sum(predicted[i] == gold[i] for i, y in enumerate(labels) if y)
        out[name] = {"f1": round(aggregate_casing(counts).f1, 4), "glued_starts_right": right, "glued_starts": starts}
    return out


def lm_table(args: argparse.Namespace) -> None:
    """The model's log-ratio and the BiGRU's logit at every candidate of glued dev copy (lines
    layout) and of the same copy unglued; P/R of each (weight, threshold), and the choice."""
    from summarizer import Summarizer
    from summarizer.casing.lm_boundaries import votes
    from summarizer.casing.tagger import shipped_tagger

    summarizer = Summarizer.from_pretrained(args.model_name) if args.model_name else Summarizer.from_pretrained()
    model = SentenceBoundaries.load(args.model)
    tagger, rows = shipped_tagger(), []
    articles = split_articles(args.split, Path(args.data))[args.skip: args.skip + args.articles]
    for a in articles:
        lines, labels = glued_document(a.id, a.text, seed=1)
        if len(lines) < 2:  # the running layout: one line with its periods
            continue
        draft = [line.split() for line in tagger.restore("\n".join(" ".join(w).lower() for w in lines)).split("\n")]
        probs, n = model.probabilities(draft), 0
        for words in draft:
            for i, s, logit in votes(summarizer.model, summarizer.tokenizer, words, probs[n: n + len(words)], model.min_words):
                rows.append((s, logit, labels[n + i]))
            n += len(words)
    gold = sum(sum(labels) for labels in (glued_document(a.id, a.text, seed=1)[1] for a in articles))
    table = []
    for weight in (0.0, 0.25, 0.5, 1.0):
        for threshold in (-0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0):
            hits = [y for s, g, y in rows if s + weight * g >= threshold]
            table.append({"weight": weight, "threshold": threshold, "splits": len(hits), "right": sum(hits),
                          "P": round(sum(hits) / max(1, len(hits)), 4)})
            logger.info("%s", table[-1])
    logger.info("%d candidates, %d glued starts among them, %d in all", len(rows), sum(y for *_, y in rows), gold)
    if args.json:
        Path(args.json).write_text(json.dumps({"split": args.split, "skip": args.skip, "articles": len(articles), "candidates": len(rows),
                                               "glued_starts": gold, "table": table}, indent=1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(data_root()))
    parser.add_argument("--out", default="runs/boundaries")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--allsides", type=int, default=20000, help="AllSides train articles beside the news ones")
    p.add_argument("--workers", type=int, default=2)
    p = sub.add_parser("train")
    p.add_argument("--minutes", type=float, default=25)
    p.add_argument("--eval_minutes", type=float, default=4)
    p.add_argument("--dev_articles", type=int, default=200)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--window", type=int, default=200)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--word_dropout", type=float, default=0.05)
    p.add_argument("--threads", type=int, default=2)
    p = sub.add_parser("evaluate")
    p.add_argument("--model", default="runs/boundaries/boundaries.pt")
    p.add_argument("--split", default="dev", choices=("dev", "test"))
    p.add_argument("--thresholds", default="0.5,0.6,0.7,0.8,0.9,0.95")
    p.add_argument("--choose", action="store_true", help="write the lowest threshold reaching --precision")
    p.add_argument("--precision", type=float, default=0.9)
    p.add_argument("--lm", action="store_true", help="the BiGRU and the base model together (casing.lm_boundaries)")
    p.add_argument("--model_name", default=None, help="with --lm: a summarizer checkpoint; default the shipped one")
    p.add_argument("--articles", type=int, default=0, help="the first N articles (0: all)")
    p.add_argument("--casing", action="store_true", help="also the tagger's casing of the glued copy, split and not")
    p.add_argument("--json")
    p = sub.add_parser("lm", help="the language model's vote on glued dev copy (needs the base model)")
    p.add_argument("--model", default="runs/boundaries/boundaries.pt")
    p.add_argument("--model_name", default=None, help="a summarizer checkpoint; default the shipped one")
    p.add_argument("--split", default="dev", choices=("dev", "test"))
    p.add_argument("--articles", type=int, default=100)
    p.add_argument("--skip", type=int, default=0, help="start after this many articles")
    p.add_argument("--json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    {"prepare": prepare, "train": train, "evaluate": evaluate, "lm": lm_table}[args.command](args)


if __name__ == "__main__":
    main()
