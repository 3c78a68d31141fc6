"""The GPU kit: pack a training run here, run it on a lent GPU machine, import what comes back.

The GPU machine (see docs/results_gpu.md) has torch, transformers, peft and accelerate of its own
versions, cannot fetch anything, takes at most 64 MiB of the working tree per call and returns at
most 8 files of 16 MiB. Its staged files survive only while it is warm (30 s after a call). So:

    python -m training.gpu pack --config training/configs/gpu_writing_recipe.json   # here
        -> .gpu/<name>/stage1 ... stageN: the payload (base GGUF, encoded training examples,
           dev sets, the seed examples) cut into parts that each fit one call beside the tree,
           with the wheels the machine lacks; prints the N calls to make, in order
    python3 -m training.gpu run --kit .gpu/<name> --out $OUT                        # there, N times
        -> each call stages its part; the call that completes the payload checks the machine,
           runs the GPU check, trains, evaluates on the dev sets and writes the adapter and
           the metrics to $OUT
    python -m training.gpu import <returned files> --dest out/gpu/<name>             # here
        -> a model folder that `Summarizer.from_pretrained` loads

Modules: `limits` (the machine's limits and the size checks made before a run), `staging` (parts,
manifest, reassembly; standard library only, so it runs before anything is installed there),
`payload` (the encoded examples and dev sets on disk), `environment` (wheels, the machine
check), `pack`, `check` (the CUDA path end to end: `make gpu-check`), `remote` (the run there),
`importing`.
"""
