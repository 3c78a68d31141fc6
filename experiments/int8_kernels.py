"""What torch's int8 GEMM does on this machine's kernels (issue 34): is it exact with 8-bit and
with 7-bit weights, and how long does a call take, by row count, with the weight row-major (in,
out) as until session 18, column-major as `Int8Linear` keeps it now, and the same integers
multiplied in fp32?

    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 python -m experiments.int8_kernels
    python -m experiments.int8_kernels

Results: docs/results_speed.md, session 18.
"""

from __future__ import annotations

import time

import torch

SHAPES = ((576, 1536), (576, 576), (1536, 576), (576, 49152))  # SmolLM2-135M's layers, the output head
ROWS = (1, 4, 8, 16, 32, 48, 64, 128)


def exact(limit: int) -> tuple[bool, int]:
    """(int8 GEMM == exact int32 product, max error) for random activations and weights in +-limit."""
    torch.manual_seed(0)
    a = torch.randint(-127, 128, (64, 1536), dtype=torch.int8)
    b = torch.randint(-limit, limit + 1, (1536, 576), dtype=torch.int8)
    error = (torch._int_mm(a, b) - a.to(torch.int32) @ b.to(torch.int32)).abs().max().item()
    return error == 0, error


def ms(call, repeats: int = 30) -> float:
    call()
    start = time.perf_counter()
    for _ in range(repeats):
        call()
    return (time.perf_counter() - start) / repeats * 1e3


def main() -> None:
    torch.set_num_threads(2)
    print(f"torch kernels {torch.backends.cpu.get_cpu_capability()}, 2 threads")
    for limit in (127, 63):
        ok, error = exact(limit)
        print(f"weights in +-{limit}: exact {ok} (max error {error})")
    print("| layer (in x out) | " + " | ".join(f"{m} rows: int8 row-major / column-major / fp32 ms" for m in ROWS) + " |")
    for k, n in SHAPES:
        column_major = torch.randint(-63, 64, (n, k), dtype=torch.int8).t()
        row_major, wf = column_major.contiguous(), column_major.float().contiguous()
        cells = []
        for m in ROWS:
            a = torch.randint(-127, 128, (m, k), dtype=torch.int8)
            rows = ms(lambda a=a, b=row_major: torch._int_mm(a, b))
            columns = ms(lambda a=a, b=column_major: torch._int_mm(a, b))
            fp32 = ms(lambda a=a, b=wf: a.float() @ b)
            cells.append(f"{rows:.2f} / {columns:.2f} / {fp32:.2f}")
        print(f"| {k} x {n} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
