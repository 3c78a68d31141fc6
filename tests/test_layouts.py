"""The layout-robustness set (issue 24): the same articles in every layout a user may give.

The extractive style reads the layout exactly as every style does (`prepare_article`: title
line, dateline, wire copy, saved page) and needs no model, so it pins the zero rows here; the
model styles' figures are in docs/results_layout.md (`python -m experiments.layouts`).
"""

from __future__ import annotations

import pytest

from experiments.layouts import LAYOUTS, articles, counts, layout_texts
from summarizer import Summarizer


@pytest.fixture(scope="module")
def texts(tiny_causal_dir):
    if not articles(1):
        pytest.skip("no BBC valid articles in the data root")
    return layout_texts(50)


def test_every_layout_gives_clean_extracts(tiny_causal_dir, texts):
    # The extractive style makes no model call: any model serves; the tiny one loads in ms.
    summarizer = Summarizer.from_pretrained(tiny_causal_dir, backend="torch")
    titles = [title for title, _ in articles(50)]
    reference = [s.text for s in summarizer.summarize(texts["paragraphs"], style="extractive")]
    for name in LAYOUTS:
        out = [s.text for s in summarizer.summarize(texts[name], style="extractive")]
        found = counts(out, titles, summarizer.config.style("extractive").generation.max_words)
        assert found == dict.fromkeys(found, 0), (name, found)
        # The same sentences whatever the layout (wire copy: case and spacing restored).
        same = sum(a.lower() == b.lower() for a, b in zip(out, reference, strict=True))
        assert same >= 0.9 * len(out), (name, same)


def test_summarize_layouts_runs_each_distinct_input_once(tiny_causal_dir, texts, monkeypatch):
    """The experiment's shortcut is sound: every layout gets the summary `summarize` gives its own
    text, and the dateline layout (the dateline stripped: the paragraphs' input) costs no run."""
    from experiments.layouts import summarize_layouts

    summarizer = Summarizer.from_pretrained(tiny_causal_dir, backend="torch")
    some = {name: t[:5] for name, t in texts.items()}
    real, runs = summarizer.summarize, []

    def counted(articles, **kwargs):
        runs.append(len(articles))
        return real(articles, **kwargs)

    monkeypatch.setattr(summarizer, "summarize", counted)
    prepared = {name: summarizer.prepare(t) for name, t in some.items()}
    outputs, same = summarize_layouts(summarizer, some, prepared, "extractive", None)
    assert same["paragraphs"] == same["dateline"] == 5 and same["wire"] < 5
    assert sum(runs) < 5 * len(some)
    for name, raws in some.items():
        assert outputs[name] == [s.text for s in real(raws, style="extractive")], name
