"""A first probe for issue 35: does a small bidirectional tagger, reading the count decoder's
answer and the words around it on both sides, correct the decoder's casing?

For each token of lowercased PTB text a BiGRU predicts its case class (lower, Title, UPPER, or a
mixed form such as "McDonald", spelled as the table's most frequent mixed form of the word) from
the word (top `--vocab` words), its 3-letter suffix, its shape, the table's counts of each form,
and the decoder's own choice (`summarizer.casing.decoder`, document memory on). Trained on cased
AllSides train articles (`news/allsides_articles.jsonl.gz`, PTB-tokenized); scored with the
project's casing metric on the wire-copy dev set (whole articles, running layout), beside the
decoder alone.

    python experiments/case_tagger_probe.py --articles 3000 --minutes 12

Results: docs/results_wirecopy.md, session 13. A probe, not the shipped design.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import time
import zlib
from collections import Counter
from pathlib import Path

import torch
from torch import nn

from bench.wirecopy import load_set, score_set
from summarizer.casing.decoder import CaseDecoder
from summarizer.casing.detokenize import tokenize_ptb
from summarizer.casing.forms import apply_form as _apply
from summarizer.casing.forms import form_code as _form_code
from summarizer.casing.ngrams import CaseNgrams
from summarizer.casing.truecaser import StatisticalTruecaser
from summarizer.paths import data_root

CLASSES = ("l", "t", "u", "m")
CODE_CLASS = {"l": 0, "t": 1, "u": 2}
SUFFIXES = 4096


def code_class(code: str) -> int:
    return CODE_CLASS.get(code, 3)


class Featurizer:
    """Token ids and dense features of one line of lowercased tokens."""

    def __init__(self, table: StatisticalTruecaser, vocab: dict[str, int], decoder_choice: bool = True) -> None:
        self.table, self.vocab, self.decoder_choice = table, vocab, decoder_choice
        self._prior: dict[str, list[float]] = {}

    def prior(self, word: str) -> list[float]:
        if word not in self._prior:
            counts = [0.0] * 4
            for code, n in zip(self.table.forms.get(word, ()), self.table.counts.get(word, ()), strict=False):
                counts[code_class(code)] += n
            total = sum(counts)
            shares = [c / total for c in counts] if total else [0.0] * 4
            self._prior[word] = [*shares, math.log1p(total) / 10, float(total > 0)]
        return self._prior[word]

    def __call__(self, lower: list[str], decoded: list[str]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        ids = [self.vocab.get(w, 0) for w in lower]
        suffix = [zlib.crc32(w[-3:].encode()) % SUFFIXES for w in lower]
        dense = []
        for word, guess in zip(lower, decoded, strict=True):
            shape = [float(word[:1].isalpha()), float(any(c.isdigit() for c in word)), float("-" in word),
                     float("." in word), float(not any(c.isalnum() for c in word))]
            choice = [0.0] * 4
            if self.decoder_choice:
                choice[code_class(_form_code(guess))] = 1.0
            dense.append([*self.prior(word), *shape, *choice])
        return torch.tensor(ids), torch.tensor(suffix), torch.tensor(dense)


class Tagger(nn.Module):
    def __init__(self, vocab: int, dense: int = 15, hidden: int = 128) -> None:
        super().__init__()
        self.words = nn.Embedding(vocab, 64)
        self.suffix = nn.Embedding(SUFFIXES, 16)
        self.rnn = nn.GRU(64 + 16 + dense, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, len(CLASSES))

    def forward(self, ids: torch.Tensor, suffix: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
        x = torch.cat([self.words(ids), self.suffix(suffix), dense], -1)
        return self.out(self.rnn(x)[0])


def training_articles(n: int) -> list[list[str]]:
    """Cased PTB tokens of the first `n` AllSides train articles."""
    out = []
    with gzip.open(data_root() / "news" / "allsides_articles.jsonl.gz", "rt", encoding="utf-8") as handle:
        for record in map(json.loads, handle):
            if record.get("split") == "train" and record.get("text"):
                out.append(tokenize_ptb(record["text"]).split())
                if len(out) == n:
                    break
    return out


def restore(model: Tagger, featurize: Featurizer, decoder: CaseDecoder, text: str) -> str:
    """Case one lowercased token text (its lines kept) with the tagger."""
    decoded_text = decoder.restore(text)
    lines = []
    for line, decoded_line in zip(text.split("\n"), decoded_text.split("\n"), strict=True):
        lower, decoded = line.split(), decoded_line.split()
        if not lower:
            lines.append(line)
            continue
        with torch.inference_mode():
            classes = model(*(t.unsqueeze(0) for t in featurize(lower, decoded)))[0].argmax(-1).tolist()
        words = []
        for word, guess, k in zip(lower, decoded, classes, strict=True):
            if k == 3:  # a mixed form: the decoder's if it chose one, else the table's most frequent
                mixed = [c for c in featurize.table.forms.get(word, ()) if c not in CODE_CLASS]
                code = _form_code(guess) if _form_code(guess) not in CODE_CLASS else (mixed[0] if mixed else "t")
            else:
                code = CLASSES[k]
            words.append(_apply(word, code))
        lines.append(" ".join(words))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--vocab", type=int, default=40000)
    parser.add_argument("--minutes", type=float, default=12)
    parser.add_argument("--window", type=int, default=96)
    parser.add_argument("--no_decoder_choice", action="store_true", help="leave the decoder's choice out of the features")
    parser.add_argument("--eval_limit", type=int, default=0, help="dev articles scored (0: all)")
    args = parser.parse_args()
    torch.manual_seed(0)
    table = StatisticalTruecaser.from_pretrained()
    decoder = CaseDecoder(table, CaseNgrams.from_pretrained())
    start = time.perf_counter()
    articles = training_articles(args.articles)
    words = sum(map(len, articles))
    vocab_counts = Counter(w.lower() for a in articles for w in a)
    vocab = {w: i + 1 for i, (w, _) in enumerate(vocab_counts.most_common(args.vocab - 1))}
    featurize = Featurizer(table, vocab, decoder_choice=not args.no_decoder_choice)
    xs, ys = [], []
    for tokens in articles:
        lower = [w.lower() for w in tokens]
        decoded = decoder.restore(" ".join(lower)).split()
        xs.append(featurize(lower, decoded))
        ys.append(torch.tensor([code_class(_form_code(w)) for w in tokens]))
    print(f"{len(articles)} articles, {words:,} tokens featurized in {time.perf_counter() - start:.0f} s", flush=True)
    model = Tagger(len(vocab) + 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    windows = [(a, s) for a, y in enumerate(ys) for s in range(0, len(y), args.window)]
    deadline, step, seen = time.perf_counter() + 60 * args.minutes, 0, 0
    while time.perf_counter() < deadline:
        order = torch.randperm(len(windows)).tolist()
        for b in range(0, len(order), 32):
            batch = [windows[k] for k in order[b: b + 32]]
            parts = [[x[i][s: s + args.window] for i in range(3)] + [ys[a][s: s + args.window]] for a, s in
                     ((a, s) for a, s in batch) for x in (xs[a],)]
            padded = [nn.utils.rnn.pad_sequence([p[i] for p in parts], batch_first=True,
                                                padding_value=-100 if i == 3 else 0) for i in range(4)]
            logits = model(*padded[:3])
            loss = nn.functional.cross_entropy(logits.reshape(-1, len(CLASSES)), padded[3].reshape(-1), ignore_index=-100)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step, seen = step + 1, seen + sum(len(p[3]) for p in parts)
            if step % 200 == 0:
                print(f"step {step}, {seen:,} tokens, loss {loss.item():.4f}", flush=True)
            if time.perf_counter() > deadline:
                break
    model.eval()
    records = load_set("running", "dev")
    if args.eval_limit:
        records = records[: args.eval_limit]
    for name, run in (("decoder", decoder.restore), ("tagger", lambda t: restore(model, featurize, decoder, t))):
        begin = time.perf_counter()
        outputs = [run(r.input) for r in records]
        result = score_set(records, outputs, time.perf_counter() - begin)
        s = result.scores
        print(f"{name}: F1 {s.f1:.4f} acc {s.accuracy:.4f} start {s.sentence_start_accuracy:.4f} "
              f"WER {result.wer:.4f} words/s {result.words_per_second:,.0f} ({len(records)} dev articles)", flush=True)
    Path("runs/case_tagger_probe").mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), "runs/case_tagger_probe/model.pt")


if __name__ == "__main__":
    main()
