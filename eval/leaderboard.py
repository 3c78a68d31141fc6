"""The summarization leaderboard's typed records: one `SystemResult` per system, and the rows
every reader shows (`leaderboard_rows`: report.md, `eval.score`'s CSV, the demo's table).

`eval.summarize` builds the results; metrics.json stores them as `SystemResult.to_dict()`
(unchanged JSON), and readers get them back with `system_results(metrics)`, so no reader
indexes a system by string keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from eval.metrics.stats import Interval

__all__ = [
    "SIGNAL_LABELS",
    "SORT_KEY",
    "Comparison",
    "LeaderboardRow",
    "Mean",
    "PrecisionMean",
    "SystemResult",
    "leaderboard_rows",
    "shown_signals",
    "system_results",
    "versus",
]

# Systems are ranked by this ROUGE key (the mean of and R-Lsum, x100).
SORT_KEY = "rouge_mean"
# The faithfulness signals and their column labels.
SIGNAL_LABELS = {"entity_precision": "entity P", "number_precision": "number P"}


@dataclass(frozen=True)
class Mean:
    """A mean over the documents where a signal is defined (None when it is nowhere)."""

    mean: float | None
    n: int


@dataclass(frozen=True)
class PrecisionMean(Mean):
    """A precision's mean over documents, its micro average over items, and the item count."""

    micro: float | None = None
    items: int = 0


@dataclass(frozen=True)
class Comparison:
    """System `a` minus system `b` in ROUGE mean (x100): paired bootstrap and permutation test."""

    a: str
    b: str
    delta: float
    low: float
    high: float
    p_bootstrap: float
    p_permutation: float
    n: int

    def flipped(self) -> Comparison:
        """The same test read as `b` minus `a`."""
        return replace(self, a=self.b, b=self.a, delta=-self.delta, low=-self.high, high=-self.low)


@dataclass(frozen=True)
class SystemResult:
    """One system's scores on the leaderboard's documents."""

    name: str
    kind: Literal["ours", "baseline", "peer"]
    description: str
    # rouge1, rouge2, rougeL, rougeLsum and rouge_mean (x100), with bootstrap intervals.
    rouge: Mapping[str, Interval]
    # Words per summary, with a bootstrap interval.
    length: Interval
    # compression, novel_1..3, repeated_2..3 (eval.metrics.text_stats).
    abstractiveness: Mapping[str, Mean]
    # entity_precision, number_precision.
    faithfulness: Mapping[str, PrecisionMean]
    # "as written", or how a lowercase system was recased before extracting names.
    entity_casing: str = "as written"
    # The paired test against the top system (None for the top system itself).
    vs_best: Comparison | None = None

    def to_dict(self) -> dict[str, Any]:
        """The system's entry in metrics.json."""
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "rouge": {key: asdict(value) for key, value in self.rouge.items()},
            "length": asdict(self.length),
            "abstractiveness": {key: asdict(value) for key, value in self.abstractiveness.items()},
            "faithfulness": {
                **{key: asdict(value) for key, value in self.faithfulness.items()},
                "entity_casing": self.entity_casing,
            },
            "vs_best": None if self.vs_best is None else asdict(self.vs_best),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SystemResult:
        """Back from a metrics.json entry (`to_dict`)."""
        faithfulness = dict(data["faithfulness"])
        entity_casing = faithfulness.pop("entity_casing", "as written")
        return cls(
            name=data["name"],
            kind=data["kind"],
            description=data.get("description", ""),
            rouge={key: Interval(**value) for key, value in data["rouge"].items()},
            length=Interval(**data["length"]),
            abstractiveness={key: Mean(**value) for key, value in data["abstractiveness"].items()},
            faithfulness={key: PrecisionMean(**value) for key, value in faithfulness.items()},
            entity_casing=entity_casing,
            vs_best=None if data.get("vs_best") is None else Comparison(**data["vs_best"]),
        )


def system_results(metrics: Mapping[str, Any]) -> list[SystemResult]:
    """The systems of a metrics dict (what `eval.summarize` writes to metrics.json), best first."""
    return [SystemResult.from_dict(system) for system in metrics["systems"]]


def versus(pairs: Sequence[Comparison], name: str, other: str) -> Comparison | None:
    """The test of `name` minus `other`, whichever way round it was computed."""
    for pair in pairs:
        if (pair.a, pair.b) == (name, other):
            return pair
        if (pair.a, pair.b) == (other, name):
            return pair.flipped()
    return None


def shown_signals(metrics: Mapping[str, Any]) -> list[str]:
    """Faithfulness signals validated on a dataset present in the data (the others are left
    out of every table)."""
    present = set(metrics["datasets"])
    return [s for s, datasets in metrics["faithfulness_validated_on"].items() if present & set(datasets)]


@dataclass(frozen=True)
class LeaderboardRow:
    """One row of the leaderboard, as every reader shows it (each formats it its own way)."""

    rank: int
    system: SystemResult
    # The shown faithfulness signals' means, by signal (see `shown_signals`).
    signals: Mapping[str, float | None]

    @property
    def vs_best(self) -> Comparison | None:
        return self.system.vs_best


def leaderboard_rows(metrics: Mapping[str, Any]) -> list[LeaderboardRow]:
    """The leaderboard's rows, best first, with the signals validated on this data."""
    signals = shown_signals(metrics)
    return [
        LeaderboardRow(rank, system, {s: system.faithfulness[s].mean for s in signals})
        for rank, system in enumerate(system_results(metrics), 1)
    ]
