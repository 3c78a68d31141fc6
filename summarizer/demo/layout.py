"""The demo's page: three tabs wired to `summarizer.demo.handlers`, each bound to the service.

The choices come from the loaded model's config: its styles (`StyleConfig.label`) and the
normalize methods (`NORMALIZE_METHOD_HELP`), as the API's schema and the CLI's help read them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import gradio as gr

from summarizer.config import DEFAULT_NORMALIZE_METHOD, NORMALIZE_METHOD_HELP
from summarizer.demo import handlers
from summarizer.serve.service import Service
from summarizer.text.html import PAGE_SUFFIXES

__all__ = ["build_demo"]

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
# The repository's own example (absent from an installed package: then not offered).
REPO_EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"

INTRO = """
# Summarizer
Summaries, wire-copy normalization and evaluation with one small model, running on this machine
(nothing leaves it). Every summary sentence shows the article sentences it came from; names and
numbers that the article does not contain are flagged and, with the guard on, removed.
The same service answers `POST /v1/summarize` (see `/docs`).
"""


def _example(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def _summarize_examples(styles: dict[str, Any]) -> tuple[list[list], list[str]]:
    """(rows of [article, style, limit, guard], labels) for gr.Examples."""
    articles = [
        ("Harbour Street bridge", REPO_EXAMPLES_DIR / "harbour_bridge.txt", "highlights", 0),
        ("Dunmore square", EXAMPLES_DIR / "dunmore_square.txt", "one_sentence", 0),
        ("Gull Point rescue", EXAMPLES_DIR / "gull_point_rescue.txt", "headline", 0),
        ("Kessel frost", EXAMPLES_DIR / "kessel_frost.txt", "extractive", 60),
    ]
    present = [a for a in articles if a[1].exists() and a[2] in styles]
    return [[_example(path), style, limit, True] for _, path, style, limit in present], [a[0] for a in present]


def _summarize_tab(service: Service) -> None:
    """The Summarize tab: article or upload in, summary, guard notice and provenance out."""
    styles = service.summarizer.config.styles

    async def summarize(article, style, limit, guard):
        return await handlers.summarize(service, article, style, limit, guard)

    with gr.Tab("Summarize", id="summarize"):
        with gr.Row():
            with gr.Column(scale=1):
                article = gr.Textbox(label="Article", lines=12, max_lines=30, elem_id="article",
                                     placeholder="Paste a news article here, or upload a file below.")
                upload = gr.File(label='…or upload a .txt or .html (one article), .jsonl or .csv ("article" field)',
                                 file_types=[".txt", *PAGE_SUFFIXES, ".jsonl", ".csv"], elem_id="article-upload",
                                 height=120)
                record = gr.Dropdown(label="Article in file", visible=False, interactive=True)
                records = gr.State({})
                style = gr.Radio([(s.label, name) for name, s in styles.items()], label="Style", elem_id="style",
                                 value="highlights" if "highlights" in styles else next(iter(styles)))
                limit = gr.Slider(0, 150, value=0, step=5, label="Length limit in words (0: the style's default)",
                                  elem_id="limit")
                guard = gr.Checkbox(value=True, elem_id="guard",
                                    label="Faithfulness guard: drop sentences with names or numbers not in the article")
                button = gr.Button("Summarize", variant="primary", elem_id="summarize-button")
                rows, labels = _summarize_examples(styles)
                gr.Examples(rows, inputs=[article, style, limit, guard], label="Example articles (fictional)",
                            example_labels=labels)
            with gr.Column(scale=1):
                summary = gr.Textbox(label="Summary", lines=5, interactive=False, buttons=["copy"], elem_id="summary")
                warnings = gr.HTML(elem_id="guard-notice")
                details = gr.Markdown(elem_id="summary-details")
                normalized = gr.HTML(elem_id="normalized-article")
        gr.Markdown("### Where each summary sentence comes from")
        provenance = gr.HTML(elem_id="provenance")
    upload.upload(handlers.load_upload, [upload], [article, record, records], api_visibility="private")
    record.change(handlers.pick_record, [record, records], [article], queue=False, api_visibility="private")
    button.click(handlers.check_article, [article], None, show_progress="hidden", concurrency_limit=None,
                 api_visibility="private").success(
        # No limit here: the service's batcher merges concurrent requests and runs one call at a time.
        summarize, [article, style, limit, guard], [summary, warnings, provenance, details, normalized],
        api_name="summarize", concurrency_limit=None,
    )


def _normalize_tab(service: Service) -> None:
    """The Normalize wire copy tab: wire copy in, normalized text and a diff out."""

    async def normalize(text, method, headline, detokenize):
        return await handlers.normalize_text(service, text, method, headline, detokenize)

    with gr.Tab("Normalize wire copy", id="normalize"), gr.Row():
        with gr.Column(scale=1):
            wire = gr.Textbox(label="Wire copy (lowercased, tokenized; one text per line)", lines=6, elem_id="wire",
                              placeholder="council leader margaret okafor said the overspend would be covered "
                              "from reserves , not taxes .")
            method = gr.Radio([(f"{name}: {what}", name) for name, what in NORMALIZE_METHOD_HELP.items()],
                              value=DEFAULT_NORMALIZE_METHOD, label="Method", elem_id="method")
            headline = gr.Radio(handlers.HEADLINE_CASES, value="none", label="Headline casing", elem_id="headline")
            detokenize = gr.Checkbox(value=True, label="Detokenize (state - run → state-run, -lrb- → ( …)",
                                     elem_id="detokenize")
            button = gr.Button("Normalize", variant="primary", elem_id="normalize-button")
            lines = _example(EXAMPLES_DIR / "wire_copy.txt").splitlines()
            examples = [[line, DEFAULT_NORMALIZE_METHOD, "none", True] for line in lines]
            examples.append(["council votes to close dunmore market square to cars", DEFAULT_NORMALIZE_METHOD, "title", True])
            gr.Examples(examples, inputs=[wire, method, headline, detokenize], label="Example wire copy (fictional)",
                        visible_columns=[0, 2])
        with gr.Column(scale=1):
            normalized = gr.Textbox(label="Normalized", lines=6, interactive=False, buttons=["copy"],
                                    elem_id="normalized")
            diff = gr.HTML(label="What changed", elem_id="normalize-diff")
    button.click(normalize, [wire, method, headline, detokenize], [normalized, diff], api_name="normalize",
                 concurrency_limit=None)


def _evaluate_tab() -> None:
    """The Evaluate tab: a predictions file or our extractive summarizer, scored by `eval.summarize`."""
    with gr.Tab("Evaluate", id="evaluate"):
        gr.Markdown(
            'Score a predictions file (`{"id", "summary"}` per line, ids of the chosen set) or our '
            "extractive summarizer against the references, beside Lead-1/Lead-3/TextRank and the "
            "published systems, with the evaluation harness (`python -m eval summarize`)."
        )
        with gr.Row():
            eval_set = gr.Dropdown(list(handlers.EVAL_SETS), value=next(iter(handlers.EVAL_SETS)),
                                   label="Evaluation set", elem_id="eval-set")
            source = gr.Radio([handlers.OURS_EXTRACTIVE, handlers.UPLOADED], value=handlers.OURS_EXTRACTIVE,
                              label="System to score")
            predictions = gr.File(label="Predictions (.jsonl)", file_types=[".jsonl"], height=120)
            system_name = gr.Textbox(value="mine", label="Name of the uploaded system")
        with gr.Row(equal_height=True):
            allow_missing = gr.Checkbox(value=False, label="Score only the documents my file covers (--allow-missing)")
            peers = gr.Checkbox(value=True, label="Include published systems")
            resamples = gr.Slider(100, 1000, value=1000, step=100, label="Bootstrap resamples")
            button = gr.Button("Evaluate", variant="primary", elem_id="evaluate-button")
        status = gr.Markdown(elem_id="eval-status")
        table = gr.Dataframe(label="Leaderboard", interactive=False, wrap=True, elem_id="leaderboard")
        plots = gr.Gallery(label="Plots", columns=3, height=420, object_fit="contain", elem_id="eval-plots")
        files = gr.File(label="Report, metrics and per-document scores", file_count="multiple")
    button.click(handlers.evaluate, [eval_set, source, predictions, system_name, allow_missing, peers, resamples],
                 [table, plots, files, status], api_name="evaluate", concurrency_limit=1)


def has_evaluation() -> bool:
    """Whether the repository's evaluation harness (`eval`, not installed with the package) is importable."""
    try:
        return importlib.util.find_spec("eval.interactive") is not None
    except ModuleNotFoundError:
        return False


def build_demo(service: Service) -> gr.Blocks:
    """The Blocks app over `service` (its summarizer, config and batcher)."""
    with gr.Blocks(title="Summarizer demo", analytics_enabled=False) as app:
        gr.Markdown(INTRO)
        _summarize_tab(service)
        _normalize_tab(service)
        if has_evaluation():
            _evaluate_tab()
    # Waiting clicks are bounded like the service's queue; the batcher refuses past its own limit.
    app.queue(default_concurrency_limit=1, max_size=service.settings.max_queue)
    return app
