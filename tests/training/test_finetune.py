"""End to end on the tiny models: train, checkpoint, resume exactly, export, load, summarize."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from training_helpers import ARTICLE, losses, read_log, run_args

from summarizer import Summarizer
from summarizer.weights.adapters import load_adapter_model
from training.config import CONFIG_NAME, FinetuneModelArguments, parse_args, resolved_config
from training.finetune import main
from training.loop import load_base_model
from training.lora import add_lora


@pytest.fixture(scope="module")
def lora_run(tiny_dir, tiny_data_dir, tmp_path_factory):
    """A LoRA run of 4 steps (dropout on), checkpoints every 2, dev scored every 2; then the same
    run interrupted after its step-2 checkpoint and resumed."""
    root = tmp_path_factory.mktemp("lora_run")
    args = run_args(tiny_dir, tiny_data_dir, root / "full", "--max_steps", "4", "--save_steps", "2",
                    "--eval_steps", "2", "--save_total_limit", "0", "--lora_dropout", "0.1")  # fmt: skip
    main(args)
    resumed = root / "resumed"
    # An interrupted copy: it got as far as the step-4 checkpoint being written, but not kept.
    shutil.copytree(root / "full", resumed)
    shutil.rmtree(resumed / "checkpoints" / "checkpoint-000004")
    main([a if a != str(root / "full") else str(resumed) for a in args] + ["--resume"])
    return root / "full", resumed, args


def test_run_logs_checkpoints_and_keeps_the_best(lora_run):
    out, _, _ = lora_run
    log = read_log(out)
    assert [r["step"] for r in log if "loss" in r] == [1, 2, 3, 4]
    assert all(
        r["examples_per_s"] > 0 and r["tokens_per_s"] > 0 and r["peak_rss_mb"] > 0 for r in log if "loss" in r
    )
    evals = [r for r in log if "eval" in r]
    assert [r["step"] for r in evals] == [2, 4]
    assert set(evals[0]["eval"]["tasks"]) == {"highlights", "headline", "casing"}
    assert {"rouge1", "rouge2", "rougeLsum", "entity_precision", "number_precision"} <= set(
        evals[0]["eval"]["tasks"]["highlights"]
    )
    assert "casing_f1" in evals[0]["eval"]["tasks"]["casing"]
    best = max(evals, key=lambda r: (r["eval"]["score"], -r["step"]))
    assert log[-1]["done"] and log[-1]["best_step"] == best["step"]
    assert json.loads((out / "best" / "best.json").read_text())["step"] == best["step"]
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == [
        "checkpoint-000002",
        "checkpoint-000004",
    ]
    assert {p.name for p in (out / "checkpoints" / "checkpoint-000002").iterdir()} == {
        "trainable.safetensors", "optimizer.pt", "scheduler.pt", "rng_state_0.pt", "trainer_state.json",
    }  # fmt: skip


def test_resume_reproduces_the_uninterrupted_run(lora_run):
    full, resumed, _ = lora_run
    assert losses(resumed) == pytest.approx(losses(full), rel=1e-6)
    a = load_file(full / "checkpoints" / "checkpoint-000004" / "trainable.safetensors")
    b = load_file(resumed / "checkpoints" / "checkpoint-000004" / "trainable.safetensors")
    assert a.keys() == b.keys() and all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def test_output_loads_as_a_summarizer_and_summarizes(lora_run):
    out, _, _ = lora_run
    summarizer = Summarizer.from_pretrained(out, device="cpu")
    (summary,) = summarizer.summarize([ARTICLE], style="headline")
    assert isinstance(summary.text, str) and summary.style == "headline"
    (normalized,) = summarizer.normalize(["the bridge reopened ."], method="model", detokenize=False)
    assert normalized.cased.lower() == "the bridge reopened ."


def test_adapter_loads_on_its_base_and_merges_to_the_same_model(lora_run):
    out, _, _ = lora_run
    adapter = out / "adapter"
    assert (adapter / "adapter_model.safetensors").stat().st_size < 1_000_000
    # fp32 throughout (backend "torch"): the logits are compared to 1e-5, and load_adapter_model
    # below loads in fp32 whatever backend "auto" would choose.
    merged = Summarizer.from_pretrained(out, device="cpu", backend="torch")
    # The library loads the adapter folder on the base it names, merged by default ...
    merged_on_load = Summarizer.from_pretrained(adapter, device="cpu", backend="torch")
    assert merged_on_load.config == merged.config
    # ... and, one level down, unmerged (peft layers kept).
    with_adapter, _, _ = load_adapter_model(adapter, merge=False, device="cpu")
    inputs = merged.tokenizer([ARTICLE], return_tensors="pt")
    if merged.family == "seq2seq":
        inputs["decoder_input_ids"] = torch.tensor([[merged.model.config.decoder_start_token_id, 5, 6]])
    with torch.no_grad():
        reference = merged.model(**inputs).logits
        assert torch.allclose(with_adapter(**inputs).logits, reference, atol=1e-5)
        assert torch.allclose(merged_on_load.model(**inputs).logits, reference, atol=1e-5)
        base = Summarizer.from_pretrained(
            json.loads((adapter / "base_model.json").read_text())["model_name_or_path"], backend="torch"
        )
        assert not torch.allclose(base.model(**inputs).logits, reference, atol=1e-5)


def test_resolved_config_is_saved_and_reads_back(lora_run):
    out, _, args = lora_run
    saved = json.loads((out / CONFIG_NAME).read_text())
    assert saved["max_steps"] == 4 and [t["name"] for t in saved["tasks"]] == [
        "highlights",
        "headline",
        "casing",
    ]
    assert resolved_config(*parse_args(["--config", str(out / CONFIG_NAME)])) == saved
    overridden = parse_args(["--config", str(out / CONFIG_NAME), "--max_steps", "7"])[2]
    assert overridden.max_steps == 7


def test_a_second_run_into_the_same_folder_needs_resume(lora_run, tiny_dir, tiny_data_dir):
    out, _, _ = lora_run
    with pytest.raises(ValueError, match="--resume"):
        main(run_args(tiny_dir, tiny_data_dir, out, "--max_steps", "1"))


def test_full_finetuning_with_bf16_autocast_exports_a_loadable_model(tiny_dir, tiny_data_dir, tmp_path):
    out = tmp_path / "full"
    main(run_args(tiny_dir, tiny_data_dir, out, "--finetune", "full", "--max_steps", "2", "--bf16",
                  "--dev_examples_per_task", "0", "--save_steps", "0"))  # fmt: skip
    assert not (out / "adapter").exists() and not (out / "checkpoints").exists()
    before = Summarizer.from_pretrained(tiny_dir, device="cpu").model.state_dict()
    after = Summarizer.from_pretrained(out, device="cpu")
    changed = [k for k, v in after.model.state_dict().items() if not torch.equal(v, before[k])]
    assert changed
    assert after.summarize([ARTICLE], style="one_sentence")[0].style == "one_sentence"


def test_loss_goes_down_when_overfitting_a_handful_of_examples(tiny_dir, tiny_data_dir, tmp_path):
    out = tmp_path / "overfit"
    main(run_args(tiny_dir, tiny_data_dir, out, "--tasks", "headline", "--num_train_examples", "4",
                  "--per_device_batch_size", "4", "--gradient_accumulation_steps", "1", "--max_steps", "30",
                  "--finetune", "full", "--learning_rate", "1e-2", "--lr_scheduler", "constant",
                  "--warmup_ratio", "0", "--dev_examples_per_task", "0", "--save_steps", "0"))  # fmt: skip
    curve = losses(out)  # measured: causal 5.97 -> 0.15, seq2seq 5.97 -> 0.18
    assert curve[1] > 4.0
    assert curve[30] < curve[15] < curve[1]
    assert curve[30] < 0.1 * curve[1]


def test_lora_with_gradient_checkpointing_trains_the_adapter(tiny_dir, tiny_data_dir, tmp_path):
    out = tmp_path / "ckpt"
    main(run_args(tiny_dir, tiny_data_dir, out, "--max_steps", "2", "--gradient_checkpointing",
                  "--dev_examples_per_task", "0", "--save_steps", "0", "--no_merge", "--learning_rate", "1e-2"))  # fmt: skip
    assert not (out / "model.safetensors").exists()  # --no_merge: the adapter alone
    weights = load_file(out / "adapter" / "adapter_model.safetensors")
    assert any("lora_B" in name and weights[name].abs().sum() > 0 for name in weights)


def test_init_adapter_continues_an_adapter_and_checks_its_rank(lora_run, tiny_dir):
    out, _, _ = lora_run
    start = out / "adapter"
    before = load_file(start / "adapter_model.safetensors")
    assert any(v.abs().sum() > 0 for k, v in before.items() if "lora_B" in k)
    args = FinetuneModelArguments(model_name_or_path=str(tiny_dir), lora_r=4, init_adapter=str(start))
    model = add_lora(load_base_model(args, torch.device("cpu")), args)
    loaded = {k: v for k, v in model.state_dict().items() if "lora_" in k}
    assert len(loaded) == len(before)
    # peft's state-dict names carry the adapter name; the saved file's do not.
    for name, value in loaded.items():
        saved = name.replace(".default.", ".")
        assert torch.equal(value, before[saved].to(value.dtype)), name
    with pytest.raises(ValueError, match="rank/alpha"):
        add_lora(load_base_model(args, torch.device("cpu")), dataclasses.replace(args, lora_r=8))


@pytest.mark.parametrize(
    "name", ["cpu_smoke.json", "cpu_recipe.json", "gpu_recipe.json", "default_recipe.json", "writing_recipe.json"]
)
def test_example_configs_parse(name):
    path = Path(__file__).resolve().parents[2] / "training" / "configs" / name
    model_args, data_args, train_args = parse_args(["--config", str(path)])
    assert data_args.task_configs and train_args.output_dir.startswith("out/")
