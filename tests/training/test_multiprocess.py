"""Two processes on CPU (torchrun, gloo backend) train like one process with the same global batch."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from training_helpers import losses, run_args

from training.finetune import main


@pytest.mark.slow  # ~25 s: two fresh interpreters import torch and transformers
def test_two_cpu_processes_match_one_process(tiny_causal_dir, tiny_data_dir, tmp_path):
    tiny_dir = tiny_causal_dir
    common = ["--max_steps", "3", "--lora_dropout", "0", "--dev_examples_per_task", "1", "--eval_steps", "3",
              "--save_steps", "3", "--cpu"]  # fmt: skip
    one = tmp_path / "one"
    main(run_args(tiny_dir, tiny_data_dir, one, *common))  # 1 process x 2 micro-batches of 2
    two = tmp_path / "two"
    args = run_args(tiny_dir, tiny_data_dir, two, *common, "--gradient_accumulation_steps", "1")
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([*torchrun, "-m", "training.finetune", *args], env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    log = [line for line in (two / "train_log.jsonl").read_text().splitlines() if '"processes"' in line]
    assert '"processes": 2' in log[0] and '"global_batch": 4' in log[0]
    assert losses(two) == pytest.approx(losses(one), rel=1e-4)
    assert sorted(p.name for p in (two / "checkpoints" / "checkpoint-000003").glob("rng_state_*")) == [
        "rng_state_0.pt", "rng_state_1.pt",
    ]  # fmt: skip
    assert (two / "model.safetensors").is_file() and (two / "adapter" / "adapter_config.json").is_file()
