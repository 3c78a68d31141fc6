"""What the guard did to one summary, as a record: `Summary.guard` holds these.

The guard's steps run here once, for every caller: `review` drops the written sentences that
name people, places or numbers the article lacks (`faithfulness.drop_unsupported`), then those
that follow instructions planted in the article (`injection.split_injected`), and says why for
each. The generation code adds the two whole-summary actions: "rewritten" (everything was
dropped, so the model wrote again with the article's names and numbers only) and "fallback"
(nothing was left, so the extractive summary was returned). Readers such as the demo draw the
record; they never repeat the steps. Before all that, "unsure" records a greedy text the model
scored low and wrote again with beam search (`GenerationSettings.rewrite_unsure`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from summarizer.guard.faithfulness import drop_unsupported, unsupported_items
from summarizer.guard.injection import split_injected

__all__ = ["DROPPED", "GuardAction", "GuardReason", "Reviewed", "review", "review_injected"]

GuardReason = Literal["unsure", "unsupported", "injected", "rewritten", "fallback"]
# The reasons that remove one sentence (the others act on the whole summary).
DROPPED: frozenset[str] = frozenset({"unsupported", "injected"})


@dataclass(frozen=True)
class GuardAction:
    """One thing the guard did to a summary.

    reason "unsure": `sentence` is what the model wrote first, at a mean token log-probability
    under the style's `rewrite_unsure`; the text was written again with beam search before the
    guard read it;
    "unsupported": `sentence` was dropped for the `names` / `numbers` the article lacks;
    "injected": `sentence` was dropped for following instructions planted in the article;
    "rewritten": every sentence was dropped, so the model wrote again with the article's names
    and numbers only (`copy_names`), and `sentence` is that new text as written;
    "fallback": nothing was left, and `sentence` is the extractive summary returned instead.
    """

    sentence: str
    reason: GuardReason
    names: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reviewed:
    """A summary after the sentence-level guard: the text left ("" when none) and the drops."""

    text: str
    actions: tuple[GuardAction, ...]


def review_injected(text: str, article: str) -> Reviewed:
    """`text` without the sentences that follow instructions planted in `article`."""
    kept, dropped = split_injected(text, article)
    return Reviewed(kept, tuple(GuardAction(sentence, "injected") for sentence in dropped))


def review(text: str, article: str) -> Reviewed:
    """`text` without its unsupported sentences, then without those that follow an injection."""
    checked = drop_unsupported(text, article)
    unsupported = tuple(
        GuardAction(sentence, "unsupported", *unsupported_items(sentence, article)) for sentence in checked.dropped
    )
    injected = review_injected(checked.text, article)
    return Reviewed(injected.text, unsupported + injected.actions)
