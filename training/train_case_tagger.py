"""Train the case tagger (`summarizer.casing.tagger`) on a CPU: featurize, then train; both resume.

    python -m training.build_truecaser --allsides half --out runs/tables/half    # the tables, once
    python -m training.train_case_tagger featurize --tables runs/tables/half
    python -m training.train_case_tagger train --tables runs/tables/half --minutes 60
    python -m training.train_case_tagger calibrate --tables runs/tables/half

`featurize` reads AllSides half "b" (split=train; the half the tables never counted), lays each
article out as wire copy (half the articles as one running line, half a sentence a line with
final periods dropped and compound hyphens split, as `eval.wirecopy` does), lowercases it, and
stores the lowercased tokens, the gold case classes and the count decoder's classes in shards
(`--workers` processes; shards already written are skipped). `train` fits the BiGRU on windows of
those documents for `--minutes`, scores wire-copy dev (running layout, `--dev_articles`) every
`--eval_minutes`, keeps the best, checkpoints, and resumes from the checkpoint when rerun.
Writes `<out>/tagger.pt` (the best on dev) and `<out>/train_log.jsonl`. `calibrate` then chooses
how much more the tagger trusts the decoder's own class on dev (`CaseTagger.keep_bias`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import multiprocessing
import random
import time
from collections import Counter
from pathlib import Path

import torch
from torch import nn

from bench.wirecopy import load_set, score_set
from eval.wirecopy import WireArticle, article_key, article_split, lines_copy, running_copy, wire_articles
from summarizer.casing.decoder import CaseDecoder
from summarizer.casing.ngrams import DEFAULT_NGRAMS, CaseNgrams
from summarizer.casing.tagger import (
    CLASSES,
    CaseTagger,
    CaseTaggerNet,
    TaggerConfig,
    TypeFeatures,
    case_class,
)
from summarizer.casing.truecaser import StatisticalTruecaser
from summarizer.paths import data_root
from summarizer.text.sentences import unglue
from training.build_truecaser import ALLSIDES, stable_half
from training.timed import TimedRun, train_timed

logger = logging.getLogger(__name__)
SHARD = 400
NEWS_FEATURES = {"b": "features_news", "a": "features_news_a"}
_decoder: CaseDecoder | None = None


def load_decoder(tables: Path) -> CaseDecoder:
    """The count decoder of one build (`training.build_truecaser --out tables`)."""
    return CaseDecoder(StatisticalTruecaser.load(tables / "truecaser_en.json.gz"), CaseNgrams.load(tables / DEFAULT_NGRAMS))


def training_articles(data: Path, source: str = "allsides", half: str = "b") -> list[dict]:
    """Half `half` of the AllSides train articles, or (`source` "news") of the wire-copy set's
    train articles (`eval.wirecopy`; a build with `--holdout-half b` never counted them)."""
    if source == "news":
        return [
            {"id": a.id, "text": a.text}
            for a in wire_articles(data)
            if article_split(a.text) == "train" and stable_half(article_key(a.text)) == half
        ]
    with gzip.open(data / ALLSIDES, "rt", encoding="utf-8") as handle:
        return [
            {"id": r["id"], "text": r["text"]}
            for r in map(json.loads, handle)
            if r.get("split") == "train" and r.get("text") and stable_half(r["id"]) == half
        ]


def wire_layout(record: dict) -> str:
    """The article as cased PTB wire copy, running or a sentence a line (by its id's half)."""
    article = WireArticle(id=record["id"], dataset="allsides", text=unglue(record["text"]))
    running = stable_half(record["id"] + "/layout") == "a"
    return running_copy(article) if running else lines_copy(article)


def _init(tables: str) -> None:
    global _decoder
    _decoder = load_decoder(Path(tables))


def _featurize_shard(args: tuple[list[dict], str]) -> str:
    records, path = args
    docs = []
    for record in records:
        lines = [line.split() for line in wire_layout(record).split("\n") if line.strip()]
        lower = [[t.lower() for t in line] for line in lines]
        decoded = _decoder.restore_document(lower)
        docs.append({
            "lower": "\n".join(" ".join(line) for line in lower),
            "gold": torch.tensor([case_class(t) for line in lines for t in line], dtype=torch.int8),
            "decoded": torch.tensor([case_class(t) for line in decoded for t in line], dtype=torch.int8),
        })
    torch.save(docs, path + ".tmp")
    Path(path + ".tmp").rename(path)
    return path


def featurize(args: argparse.Namespace) -> None:
    out = Path(args.out) / ("features" if args.source == "allsides" else NEWS_FEATURES[args.half])
    out.mkdir(parents=True, exist_ok=True)
    articles = training_articles(Path(args.data), args.source, args.half)[: args.articles or None]
    jobs = [(articles[i: i + SHARD], str(out / f"shard_{i // SHARD:04d}.pt")) for i in range(0, len(articles), SHARD)]
    todo = [job for job in jobs if not Path(job[1]).is_file()]
    logger.info("%d articles, %d shards, %d to write", len(articles), len(jobs), len(todo))
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers, _init, (args.tables,)) as pool:
        for n, path in enumerate(pool.imap_unordered(_featurize_shard, todo), 1):
            logger.info("%s (%d/%d, %.0f s)", path, n, len(todo), time.perf_counter() - start)


def load_documents(features: Path, shards: int = 0, news_repeat: int = 0, news_halves: str = "b") -> list[dict]:
    """The AllSides documents (the first `shards` shards, 0: all) and, `news_repeat` times over,
    the news documents of `news_halves`; each news document says its half (`news`)."""
    paths = sorted((features / "features").glob("shard_*.pt"))[: shards or None]
    for half in news_halves:
        paths += sorted((features / NEWS_FEATURES[half]).glob("shard_*.pt")) * news_repeat
    half_of = {name: half for half, name in NEWS_FEATURES.items()}
    return [{**doc, "news": half_of.get(path.parent.name)} for path in paths
            for doc in torch.load(path, weights_only=False)]


def build_vocab(docs: list[dict], size: int, min_count: int = 3) -> dict[str, int]:
    counts = Counter(w for doc in docs for w in doc["lower"].split())
    frequent = [w for w, n in counts.most_common(size - 1) if n >= min_count]
    return {w: i + 1 for i, w in enumerate(frequent)}


def tensorize(
    docs: list[dict], features: TypeFeatures, news: dict[str, TypeFeatures] | None = None
) -> list[tuple[torch.Tensor, ...]]:
    """Model inputs and gold classes of each document. The news documents of each half read the
    priors of the tables they were featurized with (`news[half]`), which never counted them."""
    out = []
    for doc in docs:
        features_of = (news or {}).get(doc.get("news"), features)
        lines = [line.split() for line in doc["lower"].split("\n")]
        decoded, n = [], 0
        for line in lines:
            decoded.append(doc["decoded"][n: n + len(line)].tolist())
            n += len(line)
        ids, suffix, dense = features_of.tensors(lines, decoded)
        out.append((ids, suffix, dense, doc["gold"].long()))
    return out


class DevSet:
    """Wire-copy dev (running layout): the decoder's classes computed once, scored by the metric."""

    def __init__(self, decoder: CaseDecoder, articles: int) -> None:
        self.records = load_set("running", "dev")[: articles or None]
        self.lines = [[line.split() for line in r.input.split("\n")] for r in self.records]
        self.decoded = [decoder.restore_document(lines) for lines in self.lines]

    def score(self, tagger: CaseTagger, keep_bias: float | None = None) -> float:
        tagger.net.eval()
        outputs = []
        bias = tagger.keep_bias if keep_bias is None else keep_bias
        for lines, decoded in zip(self.lines, self.decoded, strict=True):
            classes = tagger.logits(lines, [[case_class(t) for t in line] for line in decoded], bias).argmax(-1).tolist()
            k, cased = iter(classes), []
            for words, guesses in zip(lines, decoded, strict=True):
                cased.append(" ".join(tagger._cased(w, g, next(k)) for w, g in zip(words, guesses, strict=True)))
            outputs.append("\n".join(cased))
        return score_set(self.records, outputs, 1.0).scores.f1

    def decoder_f1(self) -> float:
        return score_set(self.records, ["\n".join(" ".join(x) for x in d) for d in self.decoded], 1.0).scores.f1


def batches(data: list[tuple[torch.Tensor, ...]], window: int, size: int, rng: random.Random):
    spans = []
    for d, (ids, *_rest) in enumerate(data):
        offset = rng.randrange(window)
        spans += [(d, max(0, s)) for s in range(offset - window, len(ids), window) if s + window > 0]
    rng.shuffle(spans)
    for b in range(0, len(spans), size):
        parts = [[t[s: s + window] for t in data[d]] for d, s in spans[b: b + size]]
        yield [nn.utils.rnn.pad_sequence([p[i] for p in parts], batch_first=True, padding_value=-100 if i == 3 else 0)
               for i in range(4)]


def train(args: argparse.Namespace) -> None:
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    decoder = load_decoder(Path(args.tables))
    news_tables = dict(zip("ba", [args.news_tables, args.news_a_tables], strict=True))
    halves = "".join(h for h, t in news_tables.items() if t)
    docs = load_documents(Path(args.features or out), args.shards, args.news_repeat, halves)
    checkpoint_path = out / "checkpoint.pt"
    checkpoint = torch.load(checkpoint_path, weights_only=False) if checkpoint_path.is_file() else None
    init = torch.load(args.init, weights_only=False) if args.init and not checkpoint else None
    vocab = (checkpoint or init or {}).get("vocab") or build_vocab(docs, args.vocab)
    config = TaggerConfig(vocab=args.vocab, hidden=args.hidden, dropout=args.dropout)
    net = CaseTaggerNet(config)
    tagger = CaseTagger(decoder, net, vocab)
    news = {h: TypeFeatures(StatisticalTruecaser.load(Path(news_tables[h]) / "truecaser_en.json.gz"), vocab) for h in halves}
    data = tensorize(docs, tagger.features, news)
    tokens = sum(len(d[0]) for d in data)
    optimizer = torch.optim.Adam(net.parameters(), lr=args.lr)
    if init:  # warm start: the best weights of another run (a checkpoint of this run overrides it)
        net.load_state_dict(init["state"]["best_state"])
    dev = DevSet(decoder, args.dev_articles)
    logger.info("%d documents, %d tokens, vocab %d; dev decoder F1 %.4f", len(data), tokens, len(vocab), dev.decoder_f1())

    def loss_of(batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, int]:
        ids, suffix, dense, gold = batch
        logits = net(ids, suffix, dense)
        loss = nn.functional.cross_entropy(logits.reshape(-1, len(CLASSES)), gold.reshape(-1), ignore_index=-100)
        return loss, int((gold != -100).sum())

    run = TimedRun(out, args.minutes, args.eval_minutes, args.lr, args.word_dropout, metric="dev_f1")
    state = train_timed(net, optimizer, run, lambda rng: batches(data, args.window, args.batch, rng), loss_of,
                        lambda: dev.score(tagger), saved={"vocab": vocab})
    tagger.save(out / "tagger.pt")
    logger.info("best dev F1 %.4f after %d tokens; wrote %s", state["best"], state["seen"], out / "tagger.pt")


def calibrate(args: argparse.Namespace) -> None:
    """Choose the tagger's `keep_bias` on wire-copy dev (the articles training scored on) and
    write it into `<out>/tagger.pt`."""
    out = Path(args.out)
    tagger = CaseTagger.load(out / "tagger.pt", load_decoder(Path(args.tables)))
    dev = DevSet(tagger.decoder, args.dev_articles)
    tried = {bias: dev.score(tagger, bias) for bias in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)}
    for bias, f1 in tried.items():
        logger.info("keep_bias %.1f: dev F1 %.4f", bias, f1)
    tagger.keep_bias = max(tried, key=lambda b: (tried[b], -b))
    tagger.save(out / "tagger.pt")
    logger.info("decoder alone %.4f; chose keep_bias %.1f (F1 %.4f)", dev.decoder_f1(), tagger.keep_bias, tried[tagger.keep_bias])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", choices=("featurize", "train", "calibrate"))
    parser.add_argument("--tables", required=True, help="a build_truecaser --allsides half output folder")
    parser.add_argument("--data", default=str(data_root()))
    parser.add_argument("--out", default="runs/case_tagger")
    parser.add_argument("--articles", type=int, default=0, help="featurize only the first N (0: all of half b)")
    parser.add_argument("--source", choices=("allsides", "news"), default="allsides",
                        help="what featurize reads: AllSides half b, or the news articles' half b (tables built "
                        "with --holdout-half b)")
    parser.add_argument("--news_repeat", type=int, default=0,
                        help="train on the news shards (features_news/) too, this many times over")
    parser.add_argument("--news_tables", default=None, help="the tables the news shards were featurized with "
                        "(build_truecaser --holdout-half b): their priors")
    parser.add_argument("--news_a_tables", default=None, help="the same for the news articles' half a "
                        "(featurize --source news --half a, tables built with --holdout-half a)")
    parser.add_argument("--half", choices=("a", "b"), default="b", help="which half of the news articles featurize reads")
    parser.add_argument("--features", default=None, help="the folder holding features/ and features_news/ (default: --out)")
    parser.add_argument("--init", default=None, help="start from the best weights (and vocab) of this checkpoint.pt")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shards", type=int, default=0, help="train on the first N shards (0: all)")
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--eval_minutes", type=float, default=5)
    parser.add_argument("--dev_articles", type=int, default=150)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--vocab", type=int, default=50000)
    parser.add_argument("--hidden", type=int, default=160)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--word_dropout", type=float, default=0.05)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--window", type=int, default=128)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    {"featurize": featurize, "train": train, "calibrate": calibrate}[args.stage](args)


if __name__ == "__main__":
    main()
