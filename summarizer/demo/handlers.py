"""What the demo's buttons do: thin calls of the service (`summarizer.serve.service.Service`, the
code path of the HTTP API) and of the batch readers, drawn with `summarizer.demo.markup`.

Every handler takes the `Service` first; `summarizer.demo.layout` binds it. Bad input becomes a
`gr.Error` with a message an editor can act on; nothing here decides what a summary says.
"""

from __future__ import annotations

import asyncio
import html
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from summarizer.batch.records import SUFFIXES, BadRecord, read_records
from summarizer.casing.headline import headline_case
from summarizer.config import DEFAULT_NORMALIZE_METHOD
from summarizer.demo.markup import (
    GuardView,
    align,
    diff_segments,
    render_diff,
    render_provenance,
    render_warnings,
    source_paragraphs,
)
from summarizer.generation.summary import Summary
from summarizer.guard.actions import review
from summarizer.paths import resolve_data_path
from summarizer.serve.service import ClientGone, DeadlinePassed, QueueFull, Service, clean
from summarizer.text.sentences import split_sentences

__all__ = [
    "EVAL_SETS",
    "HEADLINE_CASES",
    "OURS_EXTRACTIVE",
    "UPLOADED",
    "SummaryResult",
    "evaluate",
    "load_upload",
    "normalize_text",
    "pick_record",
    "summarize",
]

# Headline casing the Normalize tab may apply (`summarizer.casing.headline.headline_case`).
HEADLINE_CASES = [("No headline casing", "none"), ("Sentence case", "sentence"), ("Title case", "title")]


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
# Uploads: read by the batch readers, as `summarizer summarize FILE` reads them


def load_upload(path: str | None) -> tuple[Any, dict, dict[str, str]]:
    """Read an uploaded file with `summarizer.batch.records.read_records`: .txt or a saved page
    (one article), .jsonl or .csv (one per line or row, text under "article"). Returns the first
    article, a dropdown update listing the records, and the records by id; records the reader
    rejects are named in a warning, and a file with none left is an error."""
    if not path:
        return gr.skip(), gr.update(visible=False), {}
    name = Path(path).name
    if not name.lower().endswith(SUFFIXES):
        raise gr.Error(f"{name}: upload a .txt or .html file (one article), or a .jsonl or .csv file "
                       '(one article a line or row, under "article").')
    records: dict[str, str] = {}
    bad: list[str] = []
    for item in read_records([path]):
        where = item.origin.replace(path, name)
        if isinstance(item, BadRecord):
            bad.append(f"{where}: {item.reason}")
        elif item.id in records:
            bad.append(f"{where}: id {item.id!r} appears twice; the first is kept")
        else:
            records[item.id] = item.text
    if not records:
        raise gr.Error(f"{name} has no article to summarize. " + " ".join(bad[:3]), title="Cannot read the file")
    if bad:
        gr.Warning(f"{len(bad)} record(s) of {name} skipped: " + " ".join(bad[:3]))
    first = next(iter(records))
    several = len(records) > 1
    return records[first], gr.update(
        visible=several, choices=list(records), value=first, label=f"Article in {name} ({len(records)})"
    ), records


def pick_record(key: str | None, records: dict[str, str]) -> Any:
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

    def outputs(self) -> tuple[str, str, str, str, str]:
        return self.text, self.warnings_html, self.provenance_html, self.details, self.normalized_html


def check_article(text: str | None) -> None:
    """A gr.Error for an empty article, before it is queued."""
    if text is None or not text.strip():
        raise gr.Error("The article is empty: paste some text or upload a file.", title="Cannot summarize")


async def summarize(service: Service, article: str, style: str, limit: float, guard: bool) -> tuple[str, ...]:
    """Summarize one article through the service (batched with the API's and other users' requests);
    the summary, the guard's notice, the provenance, the details line and the normalized article."""
    check_article(article)
    start = time.perf_counter()
    overrides = {"max_words": int(limit)} if limit else {}
    summary = (await _call(service.summarize([article], style, overrides, faithful=bool(guard))))[0]
    # The article as `summarize` read it (a page's text, wire copy cased), to draw provenance on.
    prepared = (await asyncio.to_thread(service.summarizer.prepare, clean([article])))[0]
    result = _present(summary, prepared.text, service, bool(guard))
    return (*result.outputs()[:3], f"{result.details} · {time.perf_counter() - start:.1f} s", result.outputs()[4])


async def _call(call: Any) -> list[Any]:
    """The service's answer, or a gr.Error saying why there is none."""
    try:
        return await call
    except QueueFull:
        raise gr.Error("The summarizer is busy; try again in a moment.", title="Busy") from None
    except DeadlinePassed as error:
        raise gr.Error(f"No answer in time: {error}.", title="Too slow") from None
    except ClientGone:
        raise gr.Error("The request was cancelled.") from None
    except (ValueError, TypeError) as error:
        raise gr.Error(str(error), title="Cannot do that") from None


def _guard_view(summary: Summary, article: str, extractive: bool, guard: bool) -> GuardView:
    """What to show of the guard: the record the library kept (`Summary.guard`) with it on; with
    it off, what the library's guard would drop (`guard.actions.review`), flagged, not removed."""
    if extractive:
        return GuardView(summary.text, guard, ())
    if guard:
        return GuardView(summary.text, True, summary.guard)
    # Off, the record holds at most the extractive fallback (a selection that chose nothing).
    return GuardView(summary.text, False, (*review(summary.text, article).actions, *summary.guard))


def _present(summary: Summary, article: str, service: Service, guard: bool) -> SummaryResult:
    """Draw one summary: the guard's notice, the provenance and the details line."""
    style = service.summarizer.config.style(summary.style)
    view = _guard_view(summary, article, style.extractive, guard)
    sentences = split_sentences(view.text) if view.text else []
    flagged_sentences = {action.sentence for action in view.dropped} if not view.guard else set()
    flagged = [i for i, sentence in enumerate(sentences) if sentence in flagged_sentences]
    paragraphs = source_paragraphs(article)
    supports = align(sentences, [s for p in paragraphs for s in p])
    return SummaryResult(
        text=view.text,
        warnings_html=render_warnings(view, extractive_style=style.extractive),
        provenance_html=render_provenance(sentences, paragraphs, supports, flagged, view.actions if guard else ()),
        details=" · ".join(_details(summary, view.text, style.extractive)),
        normalized_html=render_normalized(article) if summary.input_format == "wire" else "",
    )


def _details(summary: Summary, text: str, extractive: bool) -> list[str]:
    details = [f"style **{summary.style}**", f"{len(text.split())} words", f"article {summary.input_tokens:,} tokens"]
    if not extractive:
        details.append(f"generated {summary.output_tokens} tokens")
    if summary.chunked:
        details.append(f"long article: summarized in {summary.num_chunks} parts, then combined")
    if summary.input_format == "wire":
        details.append("wire copy: case and spacing restored before summarizing")
    if summary.title:
        details.append(f"title line kept apart: “{summary.title}”")
    if summary.metadata:
        details.append(", ".join(f"{k} {v}" for k, v in summary.metadata.items() if v))
    return details


def render_normalized(article: str) -> str:
    """The normalized article, shown beside the summary of wire copy."""
    return (
        '<div class="normalized-article"><p><strong>Wire copy detected.</strong> The summarizer read '
        "it with case and spacing restored (words unchanged):</p>"
        f'<div style="white-space:pre-wrap">{html.escape(article)}</div></div>'
    )


# ---------------------------------------------------------------------------------------------
# Normalize


async def normalize_text(service: Service, text: str, method: str = DEFAULT_NORMALIZE_METHOD, headline: str = "none",
                         detokenize: bool = True) -> tuple[str, str]:
    """Normalize wire copy (the whole text, one document) through the service; returns (normalized
    text, HTML diff against the input)."""
    if text is None or not text.strip():
        raise gr.Error("The wire copy is empty: paste some text.", title="Cannot normalize")
    if headline not in dict(map(reversed, HEADLINE_CASES)):
        raise gr.Error(f"Unknown headline casing {headline!r}; choose none, sentence or title.")
    # The whole text at once, as one document: the decoder's memory reads all of it.
    normalized = (await _call(service.normalize([text], method, detokenize)))[0]
    lines = normalized.text.split("\n")
    if headline != "none":
        lines = [headline_case(line, style=headline) if line.strip() else line for line in lines]
    output = "\n".join(lines)
    return output, render_diff(diff_segments(text, output))


# ---------------------------------------------------------------------------------------------
# Evaluate: the repository's evaluation harness (`eval`), run in-process

_EVAL_ROOT = Path(tempfile.gettempdir()) / "summarizer-demo-eval"
_KEEP_EVAL_RUNS = 5


def _new_run_dir() -> Path:
    """A fresh output folder; only the latest few runs are kept."""
    _EVAL_ROOT.mkdir(parents=True, exist_ok=True)
    runs = sorted(_EVAL_ROOT.glob("run-*"), key=lambda p: p.stat().st_mtime)
    for old in runs[: max(0, len(runs) - _KEEP_EVAL_RUNS + 1)]:
        shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix="run-", dir=_EVAL_ROOT))


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
    """Run `eval.summarize` on one evaluation set; returns (leaderboard table, plot paths,
    report files, status markdown)."""
    from eval.interactive import EvalRequest, run_request

    if set_name not in EVAL_SETS:
        raise gr.Error(f"Unknown evaluation set {set_name!r}; choose one of: {', '.join(EVAL_SETS)}.")
    spec = EVAL_SETS[set_name]
    try:
        data_path = resolve_data_path(spec.path)
    except ValueError as error:  # names the data root and SUMMARIZER_DATA
        raise gr.Error(str(error), title="Evaluation set not found") from None
    name = (system_name or "").strip() or "mine"
    if source == UPLOADED and not predictions:
        raise gr.Error('Upload a predictions .jsonl file (one {"id", "summary"} object per line) first.')
    if source not in (UPLOADED, OURS_EXTRACTIVE):
        raise gr.Error(f"Unknown system source {source!r}.")
    request = EvalRequest(str(data_path), spec.split, spec.dataset, predictions if source == UPLOADED else None,
                          name, allow_missing, peers, int(resamples))
    start = time.perf_counter()
    try:
        result = run_request(request, _new_run_dir())
    except ValueError as error:
        raise gr.Error(str(error), title="Evaluation failed") from None
    status = result.status + f" ({time.perf_counter() - start:.0f} s)"
    return {"headers": result.header, "data": result.rows}, result.plots, result.files, status
