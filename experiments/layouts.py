"""The same articles in every layout a user may give, summarized in every style (issue 24's set).

    python -m experiments.layouts --limit 200 --styles extractive            # no model: seconds
    python -m experiments.layouts --limit 30 --styles highlights one_sentence headline --json runs/layouts.json

Articles: the first `--limit` `summarization/bbc_summary.jsonl` records of the `valid` split (the
headline task's dev split; each has a title line and a body). Layouts, each built from the title
and the body's sentences (`summarizer.text.sentences`):

- `paragraphs`: the body, three sentences a paragraph (the reference layout);
- `lines`: the body, a sentence a line;
- `title_lines`: the title line, then a sentence a line (`../shared/examples/article_with_headline.txt`);
- `dateline`: "LONDON (Reuters) - " before the paragraphs;
- `wire`: the body lowercased and PTB-tokenized, a sentence a line, no final periods;
- `wire_title`: the title in the same form, then the wire body;
- `html`: a page around the title and paragraphs, with navigation, a related-stories box and a
  footer (the seven real pages are tested on their own: tests/text/test_html.py).

Per layout and style: outputs with a run-on (the title or the dateline inside the summary), over
the style's word limit, starting with a dateline or byline, starting lowercase, and ROUGE-1 of each
summary against the same article's `paragraphs` summary in the same style.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path

from summarizer.casing.detokenize import tokenize_ptb
from summarizer.paths import data_root
from summarizer.text.layout import strip_dateline
from summarizer.text.sentences import split_sentences

__all__ = ["LAYOUTS", "articles", "counts", "layout_texts"]

DATELINE = "LONDON (Reuters) - "
_FINAL = re.compile(r"\s*[.!?]$")


def articles(limit: int) -> list[tuple[str, list[str]]]:
    """(title, body sentences) of the first `limit` BBC `valid` articles."""
    out = []
    with (data_root() / "summarization" / "bbc_summary.jsonl").open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record.get("split") != "valid":
                continue
            title, body = record["article"].split("\n", 1)
            out.append((title.strip(), split_sentences(body)))
            if len(out) >= limit:
                break
    return out


def _paragraphs(sentences: list[str]) -> str:
    return "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))


def _wire(sentence: str) -> str:
    return _FINAL.sub("", tokenize_ptb(sentence).lower())


def _html(title: str, sentences: list[str]) -> str:
    paragraphs = "".join(f"<p>{' '.join(sentences[i : i + 3])}</p>" for i in range(0, len(sentences), 3))
    return (
        f"<!doctype html><html><head><title>{title} - News</title></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/news'>News</a> | <a href='/sport'>Sport</a></nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        "<aside><h2>Related stories</h2><ul><li><a href='/a'>Council to review parking charges next year</a></li>"
        "<li><a href='/b'>Weather warning issued for the weekend</a></li></ul></aside>"
        "<footer>Copyright 2005. All rights reserved. Terms of use. Privacy policy.</footer></body></html>"
    )


LAYOUTS: dict[str, Callable[[str, list[str]], str]] = {
    "paragraphs": lambda title, s: _paragraphs(s),
    "lines": lambda title, s: "\n".join(s),
    "title_lines": lambda title, s: title + "\n" + "\n".join(s),
    "dateline": lambda title, s: DATELINE + _paragraphs(s),
    "wire": lambda title, s: "\n".join(_wire(x) for x in s),
    "wire_title": lambda title, s: _wire(title) + "\n" + "\n".join(_wire(x) for x in s),
    "html": _html,
}


def layout_texts(limit: int) -> dict[str, list[str]]:
    """Every layout's texts of the same `limit` articles, in the same order."""
    items = articles(limit)
    return {name: [build(title, sentences) for title, sentences in items] for name, build in LAYOUTS.items()}


def counts(outputs: list[str], titles: list[str], max_words: int) -> dict[str, int]:
    """The defects a layout can cause, counted over one layout's outputs in one style."""
    def run_on(text: str, title: str) -> bool:
        low = text.lower()
        return title.lower() in low or DATELINE.strip().lower() in low or "(reuters)" in low

    return {
        "run_ons": sum(run_on(o, t) for o, t in zip(outputs, titles, strict=True)),
        "over_limit": sum(len(o.split()) > max_words for o in outputs),
        "dateline_starts": sum(strip_dateline(o) != o for o in outputs),
        "lowercase_starts": sum(bool(o) and o.lstrip("\"'‘“(")[:1].islower() for o in outputs),
        "empty": sum(not o.strip() for o in outputs),
    }


def main(argv: list[str] | None = None) -> list[dict]:
    from eval.metrics.rouge import rouge_scores
    from summarizer import Summarizer

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--styles", nargs="+", default=["extractive"])
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--layouts", nargs="+", default=list(LAYOUTS), choices=list(LAYOUTS),
                        help="layouts to run (paragraphs, the reference, always runs)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    texts = {name: t for name, t in layout_texts(args.limit).items() if name in {"paragraphs", *args.layouts}}
    titles = [title for title, _ in articles(args.limit)]
    summarizer = Summarizer.from_pretrained(backend=args.backend)
    rows = []
    print("| style | layout | n | run-ons | over limit | dateline starts | lowercase starts | empty | R-1 vs paragraphs |")
    print("|---|---|---|---|---|---|---|---|---|")
    for style in args.styles:
        limit = summarizer.config.style(style).generation.max_words
        outputs = {name: [s.text for s in summarizer.summarize(t, style=style)] for name, t in texts.items()}
        for name, out in outputs.items():
            scores = rouge_scores(out, [[ref] for ref in outputs["paragraphs"]])
            row = {"style": style, "layout": name, "n": len(out), **counts(out, titles, limit),
                   "rouge1_vs_paragraphs": 100 * sum(s.rouge1 for s in scores) / len(scores)}  # fmt: skip
            rows.append(row)
            print(f"| {style} | {name} | {row['n']} | {row['run_ons']} | {row['over_limit']} | {row['dateline_starts']} "
                  f"| {row['lowercase_starts']} | {row['empty']} | {row['rouge1_vs_paragraphs']:.1f} |", flush=True)  # fmt: skip
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return rows


if __name__ == "__main__":
    main()
