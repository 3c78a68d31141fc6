"""What reading several articles in one model pass would save: one 155-token prompt and one
12-token run (a candidate, a selection step) through the shipped model's decoder, alone and as a
row of a batch of 8 (seconds per row, after a warm-up), per backend.

    python -m experiments.prefill_batching torch int8 bf16
    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 python -m experiments.prefill_batching torch int8

Issue 34 (docs/results_speed.md, session 16): on the AVX2 path fp32 gains little from batching
a prompt, int8 gains 1.4x, and short runs gain 3x.
"""

from __future__ import annotations

import sys
import time

import torch

from summarizer import Summarizer


def per_row(run, rows: int, repeats: int = 3) -> float:
    run()
    start = time.perf_counter()
    for _ in range(repeats):
        run()
    return (time.perf_counter() - start) / repeats / rows


@torch.inference_mode()
def measure(backend: str) -> str:
    decoder = Summarizer.from_pretrained(None, backend=backend).model.base_model
    ids = torch.randint(100, 20000, (8, 155), generator=torch.Generator().manual_seed(0))
    cells = []
    for length in (155, 12):
        batch = ids[:, :length]
        alone = per_row(lambda b=batch: [decoder(input_ids=b[k:k + 1]) for k in range(8)], 8)
        together = per_row(lambda b=batch: decoder(input_ids=b), 8)
        cells += [f"{alone * 1000:.0f} ms", f"{together * 1000:.0f} ms"]
    return f"| {backend} | " + " | ".join(cells) + " |"


def main(backends: list[str]) -> None:
    print(f"torch kernels {torch.backends.cpu.get_cpu_capability()}, {torch.get_num_threads()} threads")
    print("| backend | 155 tokens alone | a row of 8 | 12 tokens alone | a row of 8 |")
    print("|---|---|---|---|---|")
    for backend in backends:
        print(measure(backend), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ["torch", "int8"])
