"""Gradio demo for editors: summarize with provenance and a faithfulness check, normalize wire copy
with a visual diff, and score prediction files with the evaluation harness. Runs offline.

    python -m demo                          # http://127.0.0.1:7860, embedded default model
                                            # (or $GRADIO_SERVER_NAME / $GRADIO_SERVER_PORT)
    python -m demo --port 8080 --model PATH # another checkpoint (a folder from save_pretrained)
    gradio demo/app.py                      # reload mode while editing; model from $SUMMARIZER_DEMO_MODEL

Tabs:
- Summarize: paste an article or upload a .txt/.html/.jsonl (a saved page: its article); style and a word limit; the summary, a
  notice of what the faithfulness guard dropped (the library's record, `Summary.guard`; with the
  guard off, what it would have dropped), and the article with the source sentences behind each
  summary sentence highlighted, under the summary and the sentences the guard dropped, with why.
- Normalize wire copy: lowercased PTB-tokenized text -> cased, detokenized text, with case
  changes, removed/added spaces and rewritten tokens marked; optional headline casing. The
  library's three methods: "statistical" (count-based truecaser, the default), "model" (an LM
  check: the truecaser's draft checked word by word by the language model) and "generate"
  (constrained decoding: the model writes the text and only letter case may change).
- Evaluate: a predictions jsonl (`{"id", "summary"}`) or our extractive summarizer on one of the
  evaluation sets, scored in-process by `eval.summarize` (leaderboard, plots, report).

The model is loaded once per process, on the first request (`python -m demo` loads it before
serving). Summarize requests are queued and batched (up to 8 at a time) so that concurrent
users share the model's forward passes.
"""

from __future__ import annotations

import os

# Gradio must not phone home (usage analytics, version check): set before gradio is imported.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import html  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402

from demo.markup import (  # noqa: E402
    GuardView,
    align,
    diff_segments,
    render_diff,
    render_provenance,
    render_warnings,
    source_paragraphs,
)
from summarizer import StyleConfig, Summarizer, Summary, headline_case  # noqa: E402
from summarizer.casing.normalize import normalize  # noqa: E402
from summarizer.casing.wire import prepare_article  # noqa: E402
from summarizer.config import NORMALIZE_METHODS  # noqa: E402
from summarizer.generation.extractive import extract_for_style  # noqa: E402
from summarizer.guard.actions import review  # noqa: E402
from summarizer.paths import resolve_data_path  # noqa: E402
from summarizer.text.html import PAGE_SUFFIXES, NoArticle, extract_article  # noqa: E402
from summarizer.text.sentences import split_sentences  # noqa: E402

__all__ = [
    "MAX_BATCH_SIZE",
    "MAX_INPUT_WORDS",
    "build_demo",
    "demo",
    "evaluate",
    "get_summarizer",
    "load_upload",
    "main",
    "normalize_text",
    "summarize_batch",
]

# Longest input accepted, in whitespace-separated words (an article, or all wire-copy lines).
# Longer articles work in the library (map-reduce), but take minutes on a CPU.
MAX_INPUT_WORDS = 20_000
MAX_UPLOAD_SIZE = "5mb"
# Summarize requests waiting in the queue are run together, up to this many per batch.
MAX_BATCH_SIZE = 8

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
REPO_EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"

STYLES = [
    ("Highlights (the model picks article sentences)", "highlights"),
    ("Highlights, rewritten (abstractive, guarded)", "highlights_abstractive"),
    ("One sentence (picked from the article)", "one_sentence"),
    ("One sentence, rewritten (abstractive, guarded)", "one_sentence_abstractive"),
    ("Headline", "headline"),
    ("Extractive (lead sentences, no model)", "extractive"),
]
# The library's methods (`normalize(method=...)`), under the library's own names.
METHOD_CHOICES = [
    ("statistical: count-based truecaser (default; fast, no model call)", "statistical"),
    ("model: LM check (the truecaser's draft checked word by word by the model)", "model"),
    ("generate: constrained decoding (the model writes the text, case changes only; slow)", "generate"),
]
METHOD_INFO = (
    '"statistical" restores case from word counts. "model" scores each word of the statistical '
    "draft in its lower / Title / UPPER forms with the language model and keeps the form it "
    'prefers. "generate" lets the model write each window under a hard constraint that only '
    "letter case may change; it is slow, and useful only with a model fine-tuned for casing."
)
HEADLINE_STYLES = [("No headline casing", "none"), ("Sentence case", "sentence"), ("Title case", "title")]


@dataclass(frozen=True)
class EvalSet:
    path: str
    split: str | None = None
    dataset: str | None = None


# Paths relative to the data root (`summarizer.paths.data_root()`: $SUMMARIZER_DATA, else
# shared/data beside the repository), found with `summarizer.paths.resolve_data_path`.
EVAL_SETS = {
    "SumLLM CNN/DM test (100 articles, GPT-4 references)": EvalSet("summarization/sumllm_cnndm_test.jsonl"),
    "REALSumm (98 CNN/DM test articles, 24 published systems)": EvalSet("summarization/realsumm.jsonl"),
    "FRANK CNN/DM test (174 articles)": EvalSet("summarization/frank.jsonl", "test", "cnndm"),
    "FRANK XSum test (75 articles)": EvalSet("summarization/frank.jsonl", "test", "xsum"),
}
OURS_EXTRACTIVE = "ours (extractive)"
UPLOADED = "uploaded predictions"

# ---------------------------------------------------------------------------------------------
# The model: loaded once per process and path, on first use.

_LOAD_LOCK = threading.Lock()
_SUMMARIZERS: dict[str, Summarizer] = {}


def get_summarizer(model: str | None = None) -> Summarizer:
    """The summarizer for `model` (None: the embedded default), loaded on the first call only."""
    key = str(model) if model else ""
    with _LOAD_LOCK:
        if key not in _SUMMARIZERS:
            _SUMMARIZERS[key] = Summarizer.from_pretrained(model or None)
        return _SUMMARIZERS[key]


# ---------------------------------------------------------------------------------------------
# Input checks


def input_problem(text: str | None, what: str = "article") -> str | None:
    """Why `text` cannot be processed, or None when it can."""
    if text is None or not text.strip():
        return f"The {what} is empty: paste some text or upload a .txt or .jsonl file."
    words = len(text.split())
    if words > MAX_INPUT_WORDS:
        return (
            f"The {what} has {words:,} words; the limit is {MAX_INPUT_WORDS:,}. "
            "Shorten it or summarize it in parts."
        )
    return None


def check_article(text: str | None) -> None:
    """Raise gr.Error for input the summarizer cannot take (run before the batched handler)."""
    problem = input_problem(text)
    if problem:
        raise gr.Error(problem, title="Cannot summarize")


def _read_text_file(path: str | Path) -> str:
    name = Path(path).name
    data = Path(path).read_bytes()
    if b"\x00" in data:
        raise gr.Error(
            f"{name} is a binary file, not text. Upload a .txt or .jsonl file.", title="Not a text file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise gr.Error(
            f"{name} is not valid UTF-8 text (bad byte at position {error.start}). "
            "Save it as UTF-8 and upload it again.",
            title="Not a text file",
        ) from None


def load_upload(path: str | None) -> tuple[str, dict, dict[str, str]]:
    """Read an uploaded .txt or .html (one article; a page's article with its title line) or
    .jsonl (one article per line, field `article`
    or `text`, optional `id`). Returns the first article, a dropdown update listing the
    records, and the records by id."""
    if not path:
        return gr.skip(), gr.update(visible=False), {}
    name = Path(path).name
    suffix = Path(path).suffix.lower()
    if suffix not in (".txt", ".jsonl", *PAGE_SUFFIXES):
        raise gr.Error(f"{name}: upload a .txt or .html file (one article) or a .jsonl file (one per line).")
    text = _read_text_file(path)
    if suffix in PAGE_SUFFIXES:
        try:  # the page's article, title line first (the summary shows the title apart)
            text = extract_article(text).as_text()
        except NoArticle as error:
            raise gr.Error(f"{name}: {error}", title="No article") from None
    if suffix != ".jsonl":
        problem = input_problem(text, f"article in {name}")
        if problem:
            raise gr.Error(problem)
        return text, gr.update(visible=False, choices=[], value=None), {}
    records: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise gr.Error(f"{name}, line {number}: not valid JSON ({error.msg}).") from None
        if not isinstance(record, dict):
            raise gr.Error(f"{name}, line {number}: expected a JSON object.")
        article = record.get("article", record.get("text"))
        if not isinstance(article, str):
            raise gr.Error(
                f'{name}, line {number}: no text field; put the article under "article" or "text".'
            )
        key = str(record.get("id", f"line {number}"))
        if key in records:
            raise gr.Error(f"{name}, line {number}: id {key!r} appears twice.")
        records[key] = article
    if not records:
        raise gr.Error(f"{name} has no records.")
    first = next(iter(records))
    problem = input_problem(records[first], f"article {first!r} in {name}")
    if problem:
        raise gr.Error(problem)
    return (
        records[first],
        gr.update(
            visible=True, choices=list(records), value=first, label=f"Article in {name} ({len(records)})"
        ),
        records,
    )


def pick_record(key: str | None, records: dict[str, str]) -> str:
    if not key or key not in records:
        return gr.skip()
    return records[key]


# ---------------------------------------------------------------------------------------------
# Summarize


@dataclass(frozen=True)
class SummaryResult:
    """Everything the Summarize tab shows for one article."""

    text: str
    warnings_html: str
    provenance_html: str
    details: str
    # Wire copy: the article as the summarizer read it (case and spacing restored); else "".
    normalized_html: str = ""


def _guard_view(summary: Summary, article: str, style: StyleConfig, guard: bool) -> GuardView:
    """What to show of the guard: the record the library kept (`Summary.guard`) with it on; with
    it off, what the library's guard would drop (`guard.actions.review`), flagged, not removed."""
    if style.extractive:
        return GuardView(summary.text, guard, ())
    if guard:
        return GuardView(summary.text, True, summary.guard)
    # Off, the record holds at most the extractive fallback (a selection that chose nothing).
    return GuardView(summary.text, False, (*review(summary.text, article).actions, *summary.guard))


def _present(summary: Summary, article: str, summarizer: Summarizer, guard: bool) -> SummaryResult:
    """Draw one summary: the guard's notice, the provenance and the details line."""
    style = summarizer.config.style(summary.style)
    view = _guard_view(summary, article, style, guard)
    sentences = split_sentences(view.text) if view.text else []
    flagged_sentences = {action.sentence for action in view.dropped} if not view.guard else set()
    flagged = [i for i, sentence in enumerate(sentences) if sentence in flagged_sentences]
    paragraphs = source_paragraphs(article)
    supports = align(sentences, [s for p in paragraphs for s in p])
    details = [
        f"style **{summary.style}**",
        f"{len(view.text.split())} words",
        f"article {summary.input_tokens:,} tokens",
    ]
    if not style.extractive:
        details.append(f"generated {summary.output_tokens} tokens")
    if summary.chunked:
        details.append(f"long article: summarized in {summary.num_chunks} parts, then combined")
    if summary.input_format == "wire":
        details.append("wire copy: case and spacing restored before summarizing")
    if summary.title:
        details.append(f"title line kept apart: “{summary.title}”")
    return SummaryResult(
        text=view.text,
        warnings_html=render_warnings(view, extractive_style=style.extractive),
        provenance_html=render_provenance(sentences, paragraphs, supports, flagged, view.actions if guard else ()),
        details=" · ".join(details),
        normalized_html=render_normalized(article) if summary.input_format == "wire" else "",
    )


def render_normalized(article: str) -> str:
    """The normalized article, shown beside the summary of wire copy."""
    return (
        '<div class="normalized-article"><p><strong>Wire copy detected.</strong> The summarizer read '
        "it with case and spacing restored (words unchanged):</p>"
        f'<div style="white-space:pre-wrap">{html.escape(article)}</div></div>'
    )


def summarize_batch(
    articles: Sequence[str],
    styles: Sequence[str],
    limits: Sequence[float],
    guards: Sequence[bool],
    *,
    model: str | None = None,
) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """Batched handler: lists in, one list per output component out (Gradio `batch=True`):
    summary, guard notice, provenance, details, and the normalized article (wire copy only).

    Requests with the same style, word limit and guard setting share one `summarize` call, so concurrent users
    share the model's forward passes. A bad request gets its error in the notice rather than
    failing the batch it happens to share with others (the UI checks input before queueing).
    """
    start = time.perf_counter()
    n = len(articles)
    results: list[SummaryResult | None] = [None] * n
    # Each request runs with its own guard setting; the library records what the guard did.
    groups: dict[tuple[str, int, bool], list[int]] = {}
    valid = []
    for i in range(n):
        problem = input_problem(articles[i])
        if problem:
            results[i] = SummaryResult("", render_error(problem), "", "")
        else:
            valid.append(i)
    if valid:
        summarizer = get_summarizer(model)
        for i in valid:
            groups.setdefault((styles[i] or "highlights", int(limits[i] or 0), bool(guards[i])), []).append(i)
        # Wire copy is normalized the way `summarize` does it, here, so that provenance and the
        # guard's report are drawn against the text the summarizer read.
        prepared = {i: prepare_article(articles[i]) for i in valid}
        for (style, limit, guard), members in groups.items():
            overrides = {"max_words": limit} if limit else {}
            try:
                summaries = summarizer.summarize(
                    [prepared[i].text for i in members],
                    style=style,
                    batch_size=MAX_BATCH_SIZE,
                    faithful=guard,
                    input_format="plain",
                    **overrides,
                )
            except ValueError as error:  # unknown style, impossible settings: say so per request
                for i in members:
                    results[i] = SummaryResult("", render_error(str(error)), "", "")
                continue
            for i, summary in zip(members, summaries, strict=True):
                summary = dataclasses.replace(summary, input_format=prepared[i].input_format, title=prepared[i].title)
                results[i] = _present(summary, prepared[i].text, summarizer, guard)
    elapsed = time.perf_counter() - start
    done = [r for r in results if r is not None]
    assert len(done) == n, "every request gets a result"
    timing = f"{elapsed:.1f} s" + (f" (batch of {n} requests)" if n > 1 else "")
    return (
        [r.text for r in done],
        [r.warnings_html for r in done],
        [r.provenance_html for r in done],
        [f"{r.details} · {timing}" if r.details else "" for r in done],
        [r.normalized_html for r in done],
    )


def render_error(message: str) -> str:
    return (
        '<div class="guard-notice guard-error" style="background:#fee2e2;color:#111827;'
        f'border-left:4px solid #b91c1c;padding:.5em .8em;border-radius:.3em">{html.escape(message)}</div>'
    )


# ---------------------------------------------------------------------------------------------
# Normalize


def normalize_text(
    text: str,
    method: str = "statistical",
    headline: str = "none",
    detokenize: bool = True,
    *,
    model: str | None = None,
) -> tuple[str, str]:
    """Normalize wire copy (the whole text, one document); returns (normalized text, HTML diff against the input)."""
    problem = input_problem(text, "wire copy")
    if problem:
        raise gr.Error(problem, title="Cannot normalize")
    if headline not in ("none", "sentence", "title"):
        raise gr.Error(f"Unknown headline style {headline!r}; choose none, sentence or title.")
    if method not in NORMALIZE_METHODS:
        raise gr.Error(f"Unknown method {method!r}; choose one of: {', '.join(NORMALIZE_METHODS)}.")
    try:
        # The whole text at once, as one document: the decoder's memory reads all of it, each
        # line stays a run of sentences, and "statistical" loads no model.
        summarizer = None if method == "statistical" else get_summarizer(model)
        (normalized,) = normalize([text], method=method, model=summarizer, detokenize=detokenize)
    except ValueError as error:  # a checkpoint that cannot run this method: say so
        raise gr.Error(str(error), title="Cannot normalize") from None
    lines = normalized.text.split("\n")
    if headline != "none":
        lines = [headline_case(line, style=headline) if line.strip() else line for line in lines]
    output = "\n".join(lines)
    return output, render_diff(diff_segments(text, output))


# ---------------------------------------------------------------------------------------------
# Evaluate

_EVAL_ROOT = Path(tempfile.gettempdir()) / "summarizer-demo-eval"
_KEEP_EVAL_RUNS = 5


def _new_run_dir() -> Path:
    """A fresh output folder; only the latest few runs are kept."""
    _EVAL_ROOT.mkdir(parents=True, exist_ok=True)
    runs = sorted(_EVAL_ROOT.glob("run-*"), key=lambda p: p.stat().st_mtime)
    for old in runs[: max(0, len(runs) - _KEEP_EVAL_RUNS + 1)]:
        shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix="run-", dir=_EVAL_ROOT))


def _extractive_predictions(articles: list[str]) -> list[str]:
    """The library's extractive style (lead content sentences); needs no model."""
    from summarizer import DEFAULT_STYLES

    return [extract_for_style(article, DEFAULT_STYLES["extractive"]) for article in articles]


def leaderboard_rows(metrics: dict) -> tuple[list[str], list[list]]:
    """Header and rows of the leaderboard table from an `eval.summarize` metrics dict (the rows
    and signal labels are `eval.leaderboard`'s, as in report.md)."""
    from eval.leaderboard import SIGNAL_LABELS, shown_signals
    from eval.leaderboard import leaderboard_rows as board_rows

    header = ["#", "system", "kind", "R-1", "R-2", "R-Lsum", "ROUGE mean (95% CI)", "Δ vs best (p)", "words"]
    header += [SIGNAL_LABELS[s] for s in shown_signals(metrics)]
    rows = []
    for row in board_rows(metrics):
        system, versus = row.system, row.vs_best
        if versus is None:
            delta = "—"
        else:
            p = versus.p_permutation
            delta = f"{versus.delta:+.2f} ({'<0.001' if p < 0.001 else f'{p:.3f}'})"
        mean = system.rouge["rouge_mean"]
        rows.append([
            row.rank,
            system.name,
            system.kind,
            round(system.rouge["rouge1"].mean, 2),
            round(system.rouge["rouge2"].mean, 2),
            round(system.rouge["rougeLsum"].mean, 2),
            f"{mean.mean:.2f} ({mean.low:.2f}–{mean.high:.2f})",
            delta,
            round(system.length.mean, 1),
            *(None if value is None else round(value, 3) for value in row.signals.values()),
        ])
    return header, rows


def evaluate(
    set_name: str,
    source: str,
    predictions: str | None,
    system_name: str = "mine",
    allow_missing: bool = False,
    peers: bool = True,
    resamples: float = 1000,
    progress: gr.Progress = gr.Progress(track_tqdm=True),  # noqa: B008 (Gradio's idiom)
) -> tuple[dict, list[str], list[str], str]:
    """Run `eval.summarize` in-process on one evaluation set; returns (leaderboard table,
    plot paths, report files, status markdown)."""
    from eval.config import BootstrapArguments, ModelArguments, OutputArguments
    from eval.summarize import SummarizeArguments, run

    if set_name not in EVAL_SETS:
        raise gr.Error(f"Unknown evaluation set {set_name!r}; choose one of: {', '.join(EVAL_SETS)}.")
    spec = EVAL_SETS[set_name]
    try:
        data_path = resolve_data_path(spec.path)
    except ValueError as error:  # names the data root and SUMMARIZER_DATA
        raise gr.Error(str(error), title="Evaluation set not found") from None
    name = (system_name or "").strip() or "mine"
    if not name.replace("-", "").replace("_", "").isalnum():
        raise gr.Error(f"System name {name!r}: use letters, digits, - and _ only.")
    out_dir = _new_run_dir()
    systems: list[str] = []
    model = ModelArguments()
    predict_fn = None
    if source == UPLOADED:
        if not predictions:
            raise gr.Error('Upload a predictions .jsonl file (one {"id", "summary"} object per line) first.')
        if Path(predictions).suffix.lower() != ".jsonl":
            raise gr.Error(f"{Path(predictions).name}: predictions must be a .jsonl file.")
        _read_text_file(predictions)  # binary or non-UTF-8 files get a clear message
        systems = [f"{name}={predictions}"]
    elif source == OURS_EXTRACTIVE:
        model = ModelArguments(model="extractive", model_name="ours-extractive", style="extractive")
        predict_fn = _extractive_predictions
    else:
        raise gr.Error(f"Unknown system source {source!r}.")
    args = SummarizeArguments(
        data=str(data_path),
        split=spec.split,
        dataset=spec.dataset,
        system=systems,
        allow_missing=allow_missing,
        peers=peers,
    )
    bootstrap = BootstrapArguments(resamples=int(resamples))
    start = time.perf_counter()
    try:
        metrics = run(args, model, bootstrap, OutputArguments(out=str(out_dir)), predict_fn=predict_fn)
    except ValueError as error:
        raise gr.Error(str(error), title="Evaluation failed") from None
    header, rows = leaderboard_rows(metrics)
    plots = [str(out_dir / name) for name in ("rouge_bars.png", "length_vs_rouge.png", "per_document.png")]
    files = [str(out_dir / "report.md"), str(out_dir / "metrics.json"), str(out_dir / "per_document.jsonl")]
    data = metrics["data"]
    status = (
        f"Scored **{len(rows)} systems** on **{data['documents']} documents** of "
        f"`{Path(data['path']).name}` (sha256 `{data['sha256'][:12]}`) in {time.perf_counter() - start:.0f} s. "
        f"{metrics['settings']['rouge'].get('scorer', 'ROUGE')}; sorted by the mean of R-1, R-2 and R-Lsum."
    )
    if data["allow_missing_dropped"]:
        status += f" {data['allow_missing_dropped']} documents without a prediction were left out."
    return {"headers": header, "data": rows}, [p for p in plots if Path(p).exists()], files, status


# ---------------------------------------------------------------------------------------------
# The app


def _example(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def _summarize_examples() -> tuple[list[list], list[str]]:
    """(rows of [article, style, limit, guard], labels) for gr.Examples."""
    articles = [
        ("Harbour Street bridge", REPO_EXAMPLES_DIR / "harbour_bridge.txt", "highlights", 0),
        ("Dunmore square", EXAMPLES_DIR / "dunmore_square.txt", "one_sentence", 0),
        ("Gull Point rescue", EXAMPLES_DIR / "gull_point_rescue.txt", "headline", 0),
        ("Kessel frost", EXAMPLES_DIR / "kessel_frost.txt", "extractive", 60),
    ]
    present = [a for a in articles if a[1].exists()]
    return [[_example(path), style, limit, True] for _, path, style, limit in present], [
        a[0] for a in present
    ]


def _normalize_examples() -> list[list]:
    lines = _example(EXAMPLES_DIR / "wire_copy.txt").splitlines()
    rows = [[line, "statistical", "none", True] for line in lines]
    rows.append(["council votes to close dunmore market square to cars", "statistical", "title", True])
    return rows


INTRO = """
# Summarizer
Summaries, wire-copy normalization and evaluation with one small model, running on this machine
(nothing leaves it). Every summary sentence shows the article sentences it came from; names and
numbers that the article does not contain are flagged and, with the guard on, removed.
"""


def _summarize_tab(model: str | None, max_batch_size: int) -> None:
    """The Summarize tab: article or upload in, summary, guard notice and provenance out."""

    def summarize_handler(articles, styles, limits, guards):
        return summarize_batch(articles, styles, limits, guards, model=model)

    with gr.Tab("Summarize", id="summarize"):
        with gr.Row():
            with gr.Column(scale=1):
                article = gr.Textbox(
                    label="Article",
                    lines=12,
                    max_lines=30,
                    placeholder="Paste a news article here, or upload a .txt or .jsonl file below.",
                    elem_id="article",
                )
                upload = gr.File(
                    label='…or upload a .txt (one article) or .jsonl (field "article" or "text")',
                    file_types=[".txt", *PAGE_SUFFIXES, ".jsonl"],
                    elem_id="article-upload",
                    height=120,
                )
                record = gr.Dropdown(label="Article in file", visible=False, interactive=True)
                records = gr.State({})
                style = gr.Radio(STYLES, value="highlights", label="Style", elem_id="style")
                limit = gr.Slider(
                    0,
                    150,
                    value=0,
                    step=5,
                    label="Length limit in words (0: the style's default)",
                    elem_id="limit",
                )
                guard = gr.Checkbox(
                    value=True,
                    label="Faithfulness guard: drop sentences with names or numbers not in the article",
                    elem_id="guard",
                )
                button = gr.Button("Summarize", variant="primary", elem_id="summarize-button")
                example_rows, example_labels = _summarize_examples()
                gr.Examples(
                    example_rows,
                    inputs=[article, style, limit, guard],
                    label="Example articles (fictional)",
                    example_labels=example_labels,
                )
            with gr.Column(scale=1):
                summary = gr.Textbox(
                    label="Summary", lines=5, interactive=False, buttons=["copy"], elem_id="summary"
                )
                warnings = gr.HTML(elem_id="guard-notice")
                details = gr.Markdown(elem_id="summary-details")
                normalized = gr.HTML(elem_id="normalized-article")
        gr.Markdown("### Where each summary sentence comes from")
        provenance = gr.HTML(elem_id="provenance")
    upload.upload(load_upload, [upload], [article, record, records], api_visibility="private")
    record.change(pick_record, [record, records], [article], queue=False, api_visibility="private")
    button.click(
        check_article,
        [article],
        None,
        show_progress="hidden",
        concurrency_limit=None,
        api_visibility="private",
    ).success(
        summarize_handler,
        [article, style, limit, guard],
        [summary, warnings, provenance, details, normalized],
        api_name="summarize",
        batch=True,
        max_batch_size=max_batch_size,
        concurrency_limit=1,
        concurrency_id="model",
    )


def _normalize_tab(model: str | None) -> None:
    """The Normalize wire copy tab: wire copy in, normalized text and a diff out."""

    def normalize_handler(text, method, headline, detokenize):
        return normalize_text(text, method, headline, detokenize, model=model)

    with gr.Tab("Normalize wire copy", id="normalize"), gr.Row():
        with gr.Column(scale=1):
            wire = gr.Textbox(
                label="Wire copy (lowercased, tokenized; one text per line)",
                lines=6,
                placeholder="council leader margaret okafor said the overspend would be covered "
                "from reserves , not taxes .",
                elem_id="wire",
            )
            method = gr.Radio(
                METHOD_CHOICES, value="statistical", label="Method", info=METHOD_INFO, elem_id="method"
            )
            headline = gr.Radio(HEADLINE_STYLES, value="none", label="Headline casing", elem_id="headline")
            detokenize = gr.Checkbox(
                value=True, label="Detokenize (state - run → state-run, -lrb- → ( …)", elem_id="detokenize"
            )
            button = gr.Button("Normalize", variant="primary", elem_id="normalize-button")
            gr.Examples(
                _normalize_examples(),
                inputs=[wire, method, headline, detokenize],
                label="Example wire copy (fictional)",
                visible_columns=[0, 2],
            )
        with gr.Column(scale=1):
            normalized = gr.Textbox(
                label="Normalized", lines=6, interactive=False, buttons=["copy"], elem_id="normalized"
            )
            diff = gr.HTML(label="What changed", elem_id="normalize-diff")
    button.click(
        normalize_handler,
        [wire, method, headline, detokenize],
        [normalized, diff],
        api_name="normalize",
        concurrency_limit=2,
    )


def _evaluate_tab() -> None:
    """The Evaluate tab: a predictions file or our extractive summarizer, scored by `eval.summarize`."""
    with gr.Tab("Evaluate", id="evaluate"):
        gr.Markdown(
            'Score a predictions file (`{"id", "summary"}` per line, ids of the chosen set) or our '
            "extractive summarizer against the references, beside Lead-1/Lead-3/TextRank and the "
            "published systems, with the evaluation harness (`python -m eval summarize`)."
        )
        with gr.Row():
            eval_set = gr.Dropdown(
                list(EVAL_SETS), value=next(iter(EVAL_SETS)), label="Evaluation set", elem_id="eval-set"
            )
            source = gr.Radio([OURS_EXTRACTIVE, UPLOADED], value=OURS_EXTRACTIVE, label="System to score")
            predictions = gr.File(label="Predictions (.jsonl)", file_types=[".jsonl"], height=120)
            system_name = gr.Textbox(value="mine", label="Name of the uploaded system")
        with gr.Row(equal_height=True):
            allow_missing = gr.Checkbox(
                value=False, label="Score only the documents my file covers (--allow-missing)"
            )
            peers = gr.Checkbox(value=True, label="Include published systems")
            resamples = gr.Slider(100, 1000, value=1000, step=100, label="Bootstrap resamples")
            button = gr.Button("Evaluate", variant="primary", elem_id="evaluate-button")
        status = gr.Markdown(elem_id="eval-status")
        table = gr.Dataframe(label="Leaderboard", interactive=False, wrap=True, elem_id="leaderboard")
        plots = gr.Gallery(label="Plots", columns=3, height=420, object_fit="contain", elem_id="eval-plots")
        files = gr.File(label="Report, metrics and per-document scores", file_count="multiple")
    button.click(
        evaluate,
        [eval_set, source, predictions, system_name, allow_missing, peers, resamples],
        [table, plots, files, status],
        api_name="evaluate",
        concurrency_limit=1,
    )


def build_demo(model: str | None = None, *, max_batch_size: int = MAX_BATCH_SIZE) -> gr.Blocks:
    """The Blocks app; `model` is a checkpoint folder (None: the embedded default).
    `max_batch_size`: summarize requests run together (1 turns batching off, for comparison)."""
    with gr.Blocks(title="Summarizer demo", analytics_enabled=False) as app:
        gr.Markdown(INTRO)
        _summarize_tab(model, max_batch_size)
        _normalize_tab(model)
        _evaluate_tab()
    app.queue(default_concurrency_limit=1, max_size=64)
    return app


# Module scope, so `gradio demo/app.py` finds it; the model loads on the first request.
demo = build_demo(os.environ.get("SUMMARIZER_DEMO_MODEL") or None)


def launch_kwargs() -> dict:
    """Settings shared by `main`, the tests and the benchmark."""
    return {"max_file_size": MAX_UPLOAD_SIZE, "footer_links": ["gradio", "settings"], "show_error": False}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m demo", description="Serve the summarizer demo.")
    # No defaults of our own: without a flag Gradio applies $GRADIO_SERVER_PORT / $GRADIO_SERVER_NAME,
    # else its own 7860 (or the next free port) and 127.0.0.1.
    parser.add_argument(
        "--port", type=int, default=None, help="port (default: $GRADIO_SERVER_PORT, else 7860 or next free)"
    )
    parser.add_argument(
        "--host", default=None, help="interface to serve on (default: $GRADIO_SERVER_NAME, else 127.0.0.1)"
    )
    parser.add_argument("--model", default=None, help="checkpoint folder (default: the embedded model)")
    parser.add_argument(
        "--lazy", action="store_true", help="load the model on the first request instead of before serving"
    )
    args = parser.parse_args(argv)
    model = args.model or os.environ.get("SUMMARIZER_DEMO_MODEL") or None
    app = demo if model == (os.environ.get("SUMMARIZER_DEMO_MODEL") or None) else build_demo(model)
    if not args.lazy:
        print(f"loading {model or 'the embedded default model'} ...", flush=True)
        get_summarizer(model)
    server = {"server_name": args.host, "server_port": args.port}
    app.launch(**{key: value for key, value in server.items() if value is not None}, **launch_kwargs())


if __name__ == "__main__":
    main()
