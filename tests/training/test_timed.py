"""The casing networks' timed training loop: best dev weights kept, and a stopped run resumes."""

from __future__ import annotations

import json

import torch

from training.timed import TimedRun, train_timed


def _setup(seed: int = 0):
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Embedding(10, 4), torch.nn.Linear(4, 1))
    ids = torch.randint(1, 10, (32, 5))
    target = (ids % 2).float()

    def epoch(rng):
        order = list(range(0, 32, 8))
        rng.shuffle(order)
        return [(ids[i:i + 8], target[i:i + 8]) for i in order]

    def loss_of(batch):
        x, y = batch
        return torch.nn.functional.binary_cross_entropy_with_logits(net(x).squeeze(-1), y), x.numel()

    scores, weights = [], []

    def dev():  # a dev score that is best in the middle of the run; the weights it scored
        weights.append({n: v.clone() for n, v in net.state_dict().items()})
        scores.append(-abs(len(scores) - 3))
        return float(scores[-1])

    return net, torch.optim.Adam(net.parameters(), lr=0.05), epoch, loss_of, dev, (scores, weights)


def test_the_run_ends_with_its_best_dev_weights_and_resumes(tmp_path):
    net, optimizer, epoch, loss_of, dev, (scores, weights) = _setup()
    run = TimedRun(tmp_path, minutes=0.01, eval_minutes=0.0, lr=0.05, word_dropout=0.2, metric="dev_x")
    state = train_timed(net, optimizer, run, epoch, loss_of, dev, saved={"vocab": {"a": 1}})
    assert state["best"] == 0.0 and len(scores) >= 6
    best = weights[3]  # the weights scored fourth (score 0), not the last ones
    assert all(torch.equal(net.state_dict()[n], best[n]) for n in best)
    assert not all(torch.equal(weights[-1][n], best[n]) for n in best)
    rows = [json.loads(line) for line in (tmp_path / "train_log.jsonl").read_text().splitlines()]
    assert len(rows) == len(scores) and "dev_x" in rows[0]
    saved = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert saved["vocab"] == {"a": 1} and saved["state"]["step"] == state["step"]

    net2, optimizer2, epoch2, loss_of2, dev2, scores2 = _setup(seed=1)
    longer = TimedRun(tmp_path, minutes=0.02, eval_minutes=0.0, lr=0.05, metric="dev_x")
    resumed = train_timed(net2, optimizer2, longer, epoch2, loss_of2, dev2)
    assert resumed["step"] > state["step"] and resumed["elapsed"] >= 60 * 0.02
    assert resumed["best"] == 0.0  # the first run's best still counts
