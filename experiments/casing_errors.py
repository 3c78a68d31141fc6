"""Wire-copy casing errors by class: the per-word table, the decoder without and with document memory.

    python -m experiments.casing_errors --split dev --set lines

A wrong word (its case differs from the published text) is put in the first class that fits:

* `sentence start`: the gold word opens a sentence (first of a line or after . ! ?);
* `acronym / all caps`: the gold or the output form is all capitals (US, ISIS, IRGC);
* `inside a name`: mid-sentence, and a neighbouring gold word is capitalized (Human Rights,
  Information Commissioner's Office, the common nouns inside names);
* `clitic`: `’ s` / `' s` and the other split clitics;
* `lone word`: every other mid-sentence word (a lone name, a common noun over-capitalized).

`memory fixes` / `memory breaks`: words the decoder gets right / wrong only with memory.
`--sample N`: N of the decoder's wrong words drawn at random (`--seed`), each in its context as
`gold [gold/output] gold`, for reading by hand (the audit in docs/results_wirecopy.md, session 10).
"""

from __future__ import annotations

import argparse
import collections
import random
from collections.abc import Sequence

from bench.wirecopy import load_set
from summarizer.casing.decoder import CaseDecoder, DecoderConfig
from summarizer.casing.positions import START, position_kinds
from summarizer.casing.truecaser import StatisticalTruecaser

CLASSES = ("sentence start", "acronym / all caps", "inside a name", "clitic", "lone word")


def error_class(gold: Sequence[str], out: Sequence[str], kinds: Sequence[str], i: int) -> str:
    word = gold[i]
    if kinds[i] == START:
        return "sentence start"
    if (len(word) > 1 and word.isupper()) or (len(out[i]) > 1 and out[i].isupper()):
        return "acronym / all caps"
    if i > 0 and gold[i - 1] in ("'", "’"):
        return "clitic"
    neighbours = [gold[j] for j in (i - 1, i + 1) if 0 <= j < len(gold)]
    if any(n[:1].isupper() for n in neighbours):
        return "inside a name"
    return "lone word"


def wrong_words(records, outputs) -> collections.Counter:
    """(record, line, token) of each wrong word, keyed to its class."""
    wrong: dict[tuple[int, int, int], str] = {}
    for r, (record, output) in enumerate(zip(records, outputs, strict=True)):
        for n, (out_line, gold_line) in enumerate(zip(output.split("\n"), record.target.split("\n"), strict=True)):
            out, gold = out_line.split(), gold_line.split()
            kinds = position_kinds([t.lower() for t in gold])
            for i, (a, b) in enumerate(zip(out, gold, strict=True)):
                if a != b and any(c.isalpha() for c in b):
                    wrong[(r, n, i)] = error_class(gold, out, kinds, i)
    return wrong


def in_context(record, output: str, key: tuple[int, int, int], width: int = 6) -> str:
    """One wrong word of `output` in its gold line: `... gold [gold/output] gold ...`."""
    _, n, i = key
    gold, out = record.target.split("\n")[n].split(), output.split("\n")[n].split()
    return " ".join([*gold[max(0, i - width):i], f"[{gold[i]}/{out[i]}]", *gold[i + 1:i + 1 + width]])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="dev", choices=["dev", "test"])
    parser.add_argument("--set", default="lines", choices=["running", "lines"])
    parser.add_argument("--sample", type=int, default=0, help="print this many of the decoder's wrong words")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    records = load_set(args.set, args.split)
    table = StatisticalTruecaser.from_pretrained()
    decoder = CaseDecoder.from_pretrained()
    plain = CaseDecoder(decoder.table, decoder.ngrams, DecoderConfig(memory_strength=0.0))
    systems = {
        "table": [table.restore(r.input) for r in records],
        "decoder, no memory": [plain.restore(r.input) for r in records],
        "decoder": [decoder.restore(r.input) for r in records],
    }
    wrong = {name: wrong_words(records, outputs) for name, outputs in systems.items()}
    print(f"| class ({args.split} {args.set}, {len(records)} articles) | " + " | ".join(systems) + " |")
    print("|---|" + "---|" * len(systems))
    for cls in (*CLASSES, None):
        counts = [sum(1 for c in w.values() if cls is None or c == cls) for w in wrong.values()]
        print(f"| {cls or 'all wrong words'} | " + " | ".join(f"{n:,}" for n in counts) + " |")
    fixes = set(wrong["decoder, no memory"]) - set(wrong["decoder"])
    breaks = set(wrong["decoder"]) - set(wrong["decoder, no memory"])
    print(f"\nmemory fixes {len(fixes)} words, breaks {len(breaks)}")
    keys = sorted(wrong["decoder"])
    for key in random.Random(args.seed).sample(keys, min(args.sample, len(keys))):
        print(f"{wrong['decoder'][key]:>20} | {in_context(records[key[0]], systems['decoder'][key[0]], key)}")


if __name__ == "__main__":
    main()
