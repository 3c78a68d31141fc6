"""A training run measured in minutes of wall time, kept at its best dev score, resumable.

The small casing networks (`train_case_tagger`, `train_boundaries`) train for a budget of
minutes on two CPU threads rather than a number of steps: the learning rate falls linearly with
the time spent, dev is scored every `eval_minutes`, and the weights with the best dev score are
the ones the run ends with. `<out>/checkpoint.pt` (written whole, then renamed) holds the
weights, the optimizer and the run's state, so a stopped run goes on where it stopped;
`<out>/train_log.jsonl` has a row per dev score.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

logger = logging.getLogger(__name__)

__all__ = ["TimedRun", "train_timed"]


@dataclass
class TimedRun:
    out: Path
    minutes: float
    eval_minutes: float
    lr: float
    word_dropout: float = 0.0  # share of word ids (the first tensor of a batch) set to 0, unknown
    metric: str = "dev"  # the dev score's name in the log


def train_timed(
    net: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    run: TimedRun,
    epoch_batches: Callable[[random.Random], Iterable[tuple[torch.Tensor, ...]]],
    loss_of: Callable[[tuple[torch.Tensor, ...]], tuple[torch.Tensor, int]],
    dev_score: Callable[[], float],
    saved: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Train until `run.minutes` of training time are spent, then load the best dev weights into
    `net`; returns the run's state (best, seen, step, epoch). `epoch_batches(rng)` gives one
    epoch's batches; `loss_of(batch)` runs the net and gives (loss, tokens counted); `saved` goes
    into each checkpoint beside the weights (e.g. the vocabulary)."""
    path = Path(run.out) / "checkpoint.pt"
    state = {"elapsed": 0.0, "seen": 0, "step": 0, "best": -1.0, "best_state": None, "epoch": 0}
    if path.is_file():
        checkpoint = torch.load(path, weights_only=False)
        net.load_state_dict(checkpoint["net"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        state = checkpoint["state"]
    budget, started, last_eval = 60 * run.minutes, time.perf_counter() - state["elapsed"], state["elapsed"]
    with (Path(run.out) / "train_log.jsonl").open("a") as log:
        while state["elapsed"] < budget:
            for batch in epoch_batches(random.Random(state["epoch"])):
                if state["elapsed"] >= budget:
                    break
                net.train()
                for group in optimizer.param_groups:
                    group["lr"] = run.lr * max(0.05, 1 - state["elapsed"] / budget)
                ids = batch[0].masked_fill(torch.rand(batch[0].shape) < run.word_dropout, 0)
                loss, seen = loss_of((ids, *batch[1:]))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                state["step"] += 1
                state["seen"] += seen
                state["elapsed"] = time.perf_counter() - started
                if state["elapsed"] - last_eval >= 60 * run.eval_minutes or state["elapsed"] >= budget:
                    last_eval = state["elapsed"]
                    _score_and_save(net, optimizer, run, state, dev_score(), loss.item(), log, saved or {})
            else:
                state["epoch"] += 1
    if state["best_state"] is None:
        raise ValueError(f"no dev score in {run.minutes} minutes: give the run more time")
    net.load_state_dict(state["best_state"])
    return state


def _score_and_save(net, optimizer, run: TimedRun, state: dict, score: float, loss: float, log, saved: dict) -> None:
    if score > state["best"]:
        state["best"], state["best_state"] = score, {k: v.clone() for k, v in net.state_dict().items()}
    row = {"step": state["step"], "seen": state["seen"], "elapsed": round(state["elapsed"]),
           "loss": round(loss, 4), run.metric: round(score, 4), "epoch": state["epoch"]}
    log.write(json.dumps(row) + "\n")
    log.flush()
    logger.info("%s", row)
    path = Path(run.out) / "checkpoint.pt"
    torch.save({"net": net.state_dict(), "optimizer": optimizer.state_dict(), "state": state, **saved}, str(path) + ".tmp")
    Path(str(path) + ".tmp").rename(path)
