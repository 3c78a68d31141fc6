"""The same articles in every layout a user may give, summarized in every style (issue 24's set).

    python -m experiments.layouts --limit 200 --styles extractive            # no model: seconds
    python -m experiments.layouts --limit 30 --styles highlights one_sentence headline --json runs/layouts.json
    python -m experiments.layouts --limit 60 --styles headline --layouts wire --wire-casing model

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

Per layout and style: how many articles the model reads exactly as in `paragraphs` (each distinct
input is summarized once), outputs with a run-on (the title or the dateline inside the summary),
over the style's word limit, starting with a dateline or byline, starting lowercase, ROUGE-1 of
each summary against the same article's `paragraphs` summary in the same style, and ROUGE-1
against the reference (the BBC summary; the title for `headline`).
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

__all__ = ["LAYOUTS", "articles", "counts", "layout_texts", "references", "summarize_layouts"]

DATELINE = "LONDON (Reuters) - "
_FINAL = re.compile(r"\s*[.!?]$")


def _records(limit: int) -> list[dict]:
    """The first `limit` BBC `valid` records (the headline task's dev split)."""
    out = []
    with (data_root() / "summarization" / "bbc_summary.jsonl").open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record.get("split") == "valid":
                out.append(record)
                if len(out) >= limit:
                    break
    return out


def articles(limit: int) -> list[tuple[str, list[str]]]:
    """(title, body sentences) of the first `limit` BBC `valid` articles."""
    out = []
    for record in _records(limit):
        title, body = record["article"].split("\n", 1)
        out.append((title.strip(), split_sentences(body)))
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


def references(limit: int) -> list[tuple[str, str]]:
    """(title, reference summary) of the same articles as `articles`: the headline style is scored
    against the title, every other style against the BBC summary."""
    return [(r["article"].split("\n", 1)[0].strip(), r["references"][0]) for r in _records(limit)]


def summarize_layouts(summarizer, texts: dict[str, list[str]], prepared: dict[str, list], style: str,
                      wire_casing: str | None):
    """Every layout's summaries in `style`, and per layout how many articles the model reads
    exactly as in `paragraphs`. `prepared`: each layout's articles as `Summarizer.prepare` gives
    them (with the same `wire_casing`; made once for all styles). An article is summarized once
    per distinct input: the text the model is shown (`Prompter.model_input` of the prepared
    article) and the article's words (what the guard checks against). The same input gives the
    same summary, so the cased layouts cost one run, not five."""
    cfg = summarizer.config.style(style)

    def key(text: str) -> str:
        return summarizer.prompter.model_input(text, cfg) + "\0" + " ".join(text.split())

    keys_of = {name: [key(p.text) for p in prepared[name]] for name in texts}
    first: dict[str, str] = {}  # input key -> a raw text that prepares to it
    for name, raws in texts.items():
        for raw, k in zip(raws, keys_of[name], strict=True):
            first.setdefault(k, raw)
    keys = list(first)
    done = summarizer.summarize([first[k] for k in keys], style=style, wire_casing=wire_casing)
    summary_of = {k: s.text for k, s in zip(keys, done, strict=True)}
    outputs = {name: [summary_of[k] for k in keys_of[name]] for name in texts}
    same = {name: sum(a == b for a, b in zip(keys_of[name], keys_of["paragraphs"], strict=True)) for name in texts}
    return outputs, same


def main(argv: list[str] | None = None) -> list[dict]:
    from eval.metrics.rouge import rouge_scores
    from summarizer import Summarizer
    from summarizer.config import NORMALIZE_METHODS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--styles", nargs="+", default=["extractive"])
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--layouts", nargs="+", default=list(LAYOUTS), choices=list(LAYOUTS),
                        help="layouts to run (paragraphs, the reference, always runs)")
    parser.add_argument("--wire-casing", default=None, choices=list(NORMALIZE_METHODS),
                        help="how wire layouts get their case back (default: the model's config)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    texts = {name: t for name, t in layout_texts(args.limit).items() if name in {"paragraphs", *args.layouts}}
    titles = [title for title, _ in articles(args.limit)]
    refs = references(args.limit)
    summarizer = Summarizer.from_pretrained(backend=args.backend)
    rows = []
    print("| style | layout | n | read as paragraphs | run-ons | over limit | dateline starts | lowercase starts "
          "| empty | R-1 vs paragraphs | R-1 vs reference |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    prepared = {name: summarizer.prepare(t, wire_casing=args.wire_casing) for name, t in texts.items()}
    for style in args.styles:
        limit = summarizer.config.style(style).generation.max_words
        outputs, same = summarize_layouts(summarizer, texts, prepared, style, args.wire_casing)
        gold = [[title if style == "headline" else ref] for title, ref in refs]
        for name, out in outputs.items():
            vs_paragraphs = rouge_scores(out, [[ref] for ref in outputs["paragraphs"]])
            vs_reference = rouge_scores(out, gold)
            row = {"style": style, "layout": name, "n": len(out), "read_as_paragraphs": same[name],
                   **counts(out, titles, limit),
                   "rouge1_vs_paragraphs": 100 * sum(s.rouge1 for s in vs_paragraphs) / len(out),
                   "rouge1_vs_reference": 100 * sum(s.rouge1 for s in vs_reference) / len(out)}  # fmt: skip
            rows.append(row)
            print(f"| {style} | {name} | {row['n']} | {same[name]} | {row['run_ons']} | {row['over_limit']} "
                  f"| {row['dateline_starts']} | {row['lowercase_starts']} | {row['empty']} "
                  f"| {row['rouge1_vs_paragraphs']:.1f} | {row['rouge1_vs_reference']:.1f} |", flush=True)  # fmt: skip
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return rows


if __name__ == "__main__":
    main()
