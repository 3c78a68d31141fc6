"""What the demo shows beside a summary or a normalized text: pure functions, no Gradio.

- Provenance: for each summary sentence, the source sentence(s) that support it, found by
  content-word overlap (unigrams, plus bigrams to prefer the sentence the wording came from),
  rendered as the article with those sentences highlighted and numbered.
- Faithfulness: what the library's guard did (`Summary.guard`, see `summarizer.guard.actions`):
  each sentence it dropped and why, a rewrite, the extractive fallback; rendered as a warning
  and beside the provenance. Nothing here decides what the guard drops.
- Normalization diff: what changed between wire copy and its normalized form, with letter-case
  changes, spaces removed or added, and rewritten PTB tokens (`-lrb-` -> `(`) marked differently.

Everything user-supplied is HTML-escaped; styles are inline so the markup looks the same however
the app is launched.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from summarizer.guard.actions import DROPPED, GuardAction
from summarizer.text.sentences import split_sentences

__all__ = [
    "GuardView",
    "Segment",
    "Support",
    "align",
    "content_words",
    "diff_segments",
    "guard_reason",
    "render_diff",
    "render_provenance",
    "render_warnings",
    "source_paragraphs",
]

# Light backgrounds with dark text: readable in the light and the dark theme alike.
PALETTE = ("#fde68a", "#bfdbfe", "#bbf7d0", "#fbcfe8", "#ddd6fe", "#fed7aa", "#a5f3fc", "#e5e7eb")
_INK = "#111827"
_WARN = "#b91c1c"

# ---------------------------------------------------------------------------------------------
# Provenance

_STOPWORDS = frozenset(
    """
    a an the and or but nor so of to in on at by for with from as into onto over under about after
    before than then that this these those there here it its is are was were be been being has have
    had do does did will would shall should can could may might must not no yes he she they we you i
    him her them us me his hers their our your my who whom whose which what when where why how all
    any each both more most other some such only own same too very just also said says say told
    """.split()
)
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)?")
# A second source sentence is added only when it covers this many more of the summary
# sentence's content words (and at least a fifth of them).
_MIN_EXTRA_WORDS = 2


def _stem(word: str) -> str:
    """Crude suffix folding, enough to match `piers` with `pier` and `covered` with `cover`;
    applied to both sides, so its mistakes cost nothing but the odd missed match."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith(("ed", "ing")):
        return word[: -2 if word.endswith("ed") else -3]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    """Lowercased, plural-folded words of `text` without stopwords and possessive endings."""
    out = []
    for match in _WORD.finditer(text.lower()):
        word = re.sub(r"['’]s$", "", match.group(0))
        if word not in _STOPWORDS:
            out.append(_stem(word))
    return out


@dataclass(frozen=True)
class Support:
    """The source sentences behind one summary sentence."""

    # Indices into the flat list of source sentences, best first (empty: nothing matched).
    sources: tuple[int, ...]
    # Share of the summary sentence's content words found in those source sentences (0..1).
    coverage: float


def align(
    summary_sentences: Sequence[str], source_sentences: Sequence[str], max_sources: int = 2
) -> list[Support]:
    """For each summary sentence, the best-matching source sentence(s) by content-word overlap.

    The first source maximizes shared content words plus shared bigrams (the bigrams favour the
    sentence the wording came from over one that merely repeats a name); further sources, up to
    `max_sources`, are added greedily while each covers enough words the earlier ones miss.
    """
    source_words = [content_words(s) for s in source_sentences]
    source_sets = [set(ws) for ws in source_words]
    source_bigrams = [set(zip(ws, ws[1:], strict=False)) for ws in source_words]
    supports = []
    for sentence in summary_sentences:
        wanted = content_words(sentence)
        wanted_set = set(wanted)
        if not wanted_set or not source_sentences:
            supports.append(Support((), 0.0))
            continue
        bigrams = set(zip(wanted, wanted[1:], strict=False))
        chosen: list[int] = []
        covered: set[str] = set()
        for _ in range(max_sources):
            best, best_key = None, None
            for j, words in enumerate(source_sets):
                if j in chosen:
                    continue
                gain = len((wanted_set - covered) & words)
                # First pick: overlap plus bigram overlap; later picks: new words only.
                key = (gain + (len(bigrams & source_bigrams[j]) if not chosen else 0), -len(words))
                if gain and (best_key is None or key > best_key):
                    best, best_key = j, key
            if best is None:
                break
            gain = len((wanted_set - covered) & source_sets[best])
            if chosen and gain < max(_MIN_EXTRA_WORDS, len(wanted_set) / 5):
                break
            chosen.append(best)
            covered |= wanted_set & source_sets[best]
        supports.append(Support(tuple(chosen), len(covered) / len(wanted_set)))
    return supports


def source_paragraphs(article: str) -> list[list[str]]:
    """The article's sentences grouped by paragraph (blank lines); flatten for `align`."""
    paragraphs = [split_sentences(p) for p in re.split(r"\n\s*\n", article)]
    return [p for p in paragraphs if p]


def _guard_record(actions: Sequence[GuardAction]) -> str:
    """The guard's record under the summary: what it dropped (struck through, with the reason)
    and whether the text is a rewrite or the extractive fallback; "" when it did nothing."""
    items = []
    for action in actions:
        if action.reason in DROPPED:
            body = f"<s>{html.escape(action.sentence)}</s> — dropped by the guard: {guard_reason(action)}"
        elif action.reason == "unsure":
            body = (f"The model was unsure of what it wrote first (“{html.escape(action.sentence)}”), so it "
                    "wrote again weighing whole texts (beam search), which keeps closer to the article.")
        elif action.reason == "rewritten":
            body = "Nothing written first was left: the model wrote again with the article's names and numbers only."
        else:
            body = "Nothing written was left: the summary above is the article's lead sentences (extractive fallback)."
        items.append(f'<li class="guard-{action.reason}" data-reason="{action.reason}" style="margin:.2em 0">{body}</li>')
    if not items:
        return ""
    return (
        '<ul class="provenance-guard" style="list-style:none;padding-left:0;margin:0 0 .8em 0;'
        f'opacity:.85;font-size:.9em">{"".join(items)}</ul>'
    )


def _badge(number: int, color: str, title: str = "") -> str:
    title_attr = f' title="{html.escape(title)}"' if title else ""
    return (
        f'<span{title_attr} style="display:inline-block;min-width:1.4em;padding:0 .3em;margin:0 .15em;'
        f"border-radius:.7em;background:{color};color:{_INK};font-size:.8em;font-weight:600;"
        f'text-align:center;border:1px solid rgba(0,0,0,.25)">{number}</span>'
    )


def render_provenance(
    summary_sentences: Sequence[str],
    paragraphs: Sequence[Sequence[str]],
    supports: Sequence[Support],
    flagged: Sequence[int] = (),
    guard: Sequence[GuardAction] = (),
) -> str:
    """The summary, numbered, above the article with each summary sentence's sources highlighted
    in that sentence's colour and tagged with its number. `flagged`: indices of summary sentences
    with names or numbers missing from the article (marked with a warning sign). `guard`: what
    the guard did (`Summary.guard`), listed under the summary: each sentence it dropped with its
    reason, a rewrite, the extractive fallback."""
    assert len(summary_sentences) == len(supports), "one Support per summary sentence"
    flat_count = sum(len(p) for p in paragraphs)
    backers: dict[int, list[int]] = {j: [] for j in range(flat_count)}
    for i, support in enumerate(supports):
        for j in support.sources:
            backers[j].append(i)

    parts = ['<div class="provenance" style="line-height:1.6">']
    parts.append('<ol class="provenance-summary" style="list-style:none;padding-left:0;margin:0 0 .8em 0">')
    for i, (sentence, support) in enumerate(zip(summary_sentences, supports, strict=True)):
        color = PALETTE[i % len(PALETTE)]
        if support.sources:
            where = ", ".join(str(j + 1) for j in support.sources)
            note = f"{support.coverage:.0%} of its content words are in source sentence {where}"
        else:
            note = "no source sentence shares its content words"
        warn = (
            f' <span style="color:{_WARN};font-weight:600" title="names or numbers not in the article">'
            "⚠ not in the article</span>"
            if i in flagged
            else ""
        )
        parts.append(
            f'<li style="margin:.2em 0">{_badge(i + 1, color)}{html.escape(sentence)}{warn} '
            f'<span style="opacity:.7;font-size:.85em">({note})</span></li>'
        )
    parts.append("</ol>")
    parts.append(_guard_record(guard))
    parts.append(
        '<div class="provenance-source" style="border-top:1px solid rgba(127,127,127,.4);padding-top:.5em">'
    )
    j = 0
    for paragraph in paragraphs:
        pieces = []
        for sentence in paragraph:
            text = html.escape(sentence)
            if backers[j]:
                first = backers[j][0]
                badges = "".join(
                    _badge(i + 1, PALETTE[i % len(PALETTE)], f"supports summary sentence {i + 1}")
                    for i in backers[j]
                )
                pieces.append(
                    f'<mark data-source="{j + 1}" data-supports="{",".join(str(i + 1) for i in backers[j])}" '
                    f'style="background:{PALETTE[first % len(PALETTE)]};color:{_INK};padding:.05em .15em;'
                    f'border-radius:.2em">{text}</mark>{badges}'
                )
            else:
                pieces.append(f'<span data-source="{j + 1}" style="opacity:.75">{text}</span>')
            j += 1
        parts.append(f'<p style="margin:.4em 0">{" ".join(pieces)}</p>')
    parts.append("</div></div>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Faithfulness


@dataclass(frozen=True)
class GuardView:
    """What the faithfulness guard did to one summary (or, with the guard off, would do), for display."""

    # The text shown: the summary as the library returned it.
    text: str
    guard: bool
    # The guard's record: `Summary.guard` with the guard on; with it off, the sentences
    # `summarizer.guard.actions.review` would drop (still in `text`, flagged).
    actions: tuple[GuardAction, ...]

    @property
    def dropped(self) -> tuple[GuardAction, ...]:
        return tuple(action for action in self.actions if action.reason in DROPPED)

    @property
    def extractive_fallback(self) -> bool:
        return any(action.reason == "fallback" for action in self.actions)

    @property
    def rewritten(self) -> bool:
        return any(action.reason == "rewritten" for action in self.actions)


def guard_reason(action: GuardAction) -> str:
    """Why the guard dropped one sentence, as HTML."""
    if action.reason == "injected":
        return "follows instructions planted in the article (prompt injection)"
    missing = [f"name <code>{html.escape(n)}</code>" for n in action.names]
    missing += [f"number <code>{html.escape(n)}</code>" for n in action.numbers]
    return f"not in the article: {', '.join(missing)}" if missing else ""


def render_warnings(view: GuardView, *, extractive_style: bool = False) -> str:
    """A short HTML notice: what the guard dropped, or what it would have dropped."""
    if extractive_style:
        return _notice("ok", "Extractive summary: whole sentences copied from the article, nothing invented.")
    dropped = view.dropped
    items = [f"<li>“{html.escape(action.sentence)}” — {guard_reason(action)}</li>" for action in dropped]
    listing = f'<ul style="margin:.3em 0 0 1.2em">{"".join(items)}</ul>' if items else ""
    if not dropped:
        if view.extractive_fallback:
            return _notice(
                "warn",
                "The model wrote nothing usable, so the summary shown is the article's lead sentences "
                "(extractive fallback).",
            )
        if not view.text:
            return _notice(
                "error", "The model wrote nothing. Turn the guard on to fall back to the lead sentences."
            )
        return _notice("ok", "Every name and number in the summary occurs in the article.")
    count = len(dropped)
    sentences = f"{count} generated sentence{'s' if count != 1 else ''}"
    reasons = []
    if any(action.reason == "unsupported" for action in dropped):
        reasons.append("names or numbers that the article does not contain")
    if any(action.reason == "injected" for action in dropped):
        reasons.append("wording from instructions planted in the article")
    why = " or ".join(reasons)
    if view.guard:
        head = f"Faithfulness guard dropped {sentences} with {why}."
        if view.rewritten:
            head += (
                " Nothing the model wrote first was left, so it wrote the summary again with only the "
                "article's names and numbers."
            )
        if view.extractive_fallback:
            head += (
                " Nothing generated was left, so the summary shown is the article's lead sentences "
                "(extractive fallback)."
            )
        return _notice("warn", head + listing)
    return _notice(
        "error",
        f"Guard off: {sentences} of this summary {'has' if count == 1 else 'have'} {why}. Check before use."
        + listing,
    )


def _notice(kind: Literal["ok", "warn", "error"], body: str) -> str:
    colors = {"ok": ("#dcfce7", "#166534"), "warn": ("#fef3c7", "#92400e"), "error": ("#fee2e2", _WARN)}
    background, border = colors[kind]
    return (
        f'<div class="guard-notice guard-{kind}" style="background:{background};color:{_INK};'
        f'border-left:4px solid {border};padding:.5em .8em;border-radius:.3em">{body}</div>'
    )


# ---------------------------------------------------------------------------------------------
# Normalization diff

SegmentKind = Literal["same", "case", "space_removed", "space_added", "rewritten"]


@dataclass(frozen=True)
class Segment:
    """A run of the diff: `before` (input) became `after` (output)."""

    kind: SegmentKind
    before: str
    after: str


# Window, in characters, in which a rewritten PTB token (`-lrb-`, ``` `` ```, `#`) is re-synchronized.
_RESYNC_WINDOW = 48


def _resync(before: str, after: str, i: int, j: int) -> tuple[int, int]:
    """Where `before[i:]` and `after[j:]` agree again (case-insensitively) after a rewrite:
    the first common run of 3+ characters in a window, else of 1+, else both ends."""
    window = _RESYNC_WINDOW
    while True:
        a, b = before[i : i + window].lower(), after[j : j + window].lower()
        blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()[:-1]
        for minimum in (3, 1):
            for block in blocks:
                if block.size >= minimum:
                    return i + block.a, j + block.b
        if i + window >= len(before) and j + window >= len(after):
            return len(before), len(after)
        window *= 2


def diff_segments(before: str, after: str) -> list[Segment]:
    """How `before` (wire copy) became `after` (normalized), as consecutive segments.

    One linear walk: equal letters (up to case) advance both texts, extra whitespace on either
    side is a removed or added space, and anything else is a rewritten token, re-synchronized in
    a small window, so the cost stays linear in the text length. The `before` fields of the
    segments concatenate to `before` and the `after` fields to `after`.
    """
    segments: list[Segment] = []
    i = j = 0
    while i < len(before) and j < len(after):
        a, b = before[i], after[j]
        if a == b or a.lower() == b.lower():
            segments.append(Segment("same" if a == b else "case", a, b))
            i, j = i + 1, j + 1
        elif a.isspace():
            segments.append(Segment("space_removed", a, ""))
            i += 1
        elif b.isspace():
            segments.append(Segment("space_added", "", b))
            j += 1
        else:
            i2, j2 = _resync(before, after, i, j)
            segments.append(Segment("rewritten", before[i:i2], after[j:j2]))
            i, j = i2, j2
    rest_a, rest_b = before[i:], after[j:]
    if rest_a:
        segments.append(Segment("space_removed" if rest_a.isspace() else "rewritten", rest_a, ""))
    if rest_b:
        segments.append(Segment("space_added" if rest_b.isspace() else "rewritten", "", rest_b))
    return _merge(segments)


def _merge(segments: list[Segment]) -> list[Segment]:
    """Join neighbouring segments of the same kind."""
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].kind == segment.kind and segment.kind != "rewritten":
            last = merged[-1]
            merged[-1] = Segment(last.kind, last.before + segment.before, last.after + segment.after)
        else:
            merged.append(segment)
    return merged


_DIFF_STYLES = {
    "case": f"background:#fde68a;color:{_INK};border-radius:.2em",
    "space_removed": f"color:{_WARN};text-decoration:line-through;opacity:.8",
    "space_added": "background:#bbf7d0;color:#166534",
    "rewritten": f"background:#bfdbfe;color:{_INK};border-radius:.2em",
}
DIFF_LEGEND = (
    '<div style="font-size:.85em;margin-bottom:.4em">'
    f'<mark style="{_DIFF_STYLES["case"]}">Case</mark> letter case changed · '
    f'<span style="{_DIFF_STYLES["space_removed"]}">␣</span> space removed · '
    f'<span style="{_DIFF_STYLES["space_added"]}">␣</span> space added · '
    f'<mark style="{_DIFF_STYLES["rewritten"]}">(</mark> PTB token rewritten (hover for the original)'
    "</div>"
)


def render_diff(segments: Sequence[Segment]) -> str:
    """The normalized text with its changes marked (hover a mark for what it was)."""
    parts = [DIFF_LEGEND, '<div class="normalize-diff" style="white-space:pre-wrap;line-height:1.7">']
    for segment in segments:
        if segment.kind == "same":
            parts.append(html.escape(segment.after))
        elif segment.kind == "case":
            parts.append(
                f'<mark class="diff-case" title="was: {html.escape(segment.before)}" '
                f'style="{_DIFF_STYLES["case"]}">{html.escape(segment.after)}</mark>'
            )
        elif segment.kind == "space_removed":
            parts.append(
                f'<span class="diff-space-removed" title="space removed" '
                f'style="{_DIFF_STYLES["space_removed"]}">{"␣" * len(segment.before)}</span>'
            )
        elif segment.kind == "space_added":
            parts.append(
                f'<span class="diff-space-added" title="space added" style="{_DIFF_STYLES["space_added"]}">'
                f"{html.escape(segment.after).replace(' ', '␣')}</span>"
            )
        else:
            parts.append(
                f'<mark class="diff-rewritten" title="was: {html.escape(segment.before)}" '
                f'style="{_DIFF_STYLES["rewritten"]}">{html.escape(segment.after)}</mark>'
            )
    parts.append("</div>")
    return "".join(parts)
