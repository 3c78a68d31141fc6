"""Fine-tuning the summarizer: `python -m training.finetune --config training/configs/cpu_smoke.json`.

Modules: `config` (typed settings and task presets), `data` (records, the held-out filter, pairs,
mixing), `examples` (token ids and target-only labels from the library's prompts), `dev_eval`
(dev scores through `Summarizer.summarize` / `normalize`), `checkpoint`, `lora`, `loop` (setup,
one step, dev evaluation, checkpoints, export) and `finetune` (the entry point that runs them).
`build_truecaser` rebuilds the shipped statistical truecaser.
"""
