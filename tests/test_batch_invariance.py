"""An article's summary does not depend on the articles batched with it: 16 real articles in one
batch and one at a time give identical text, for every default style and every backend `auto`
may pick (bf16 on CPUs with native bf16 and on CUDA; int8 elsewhere: one activation scale per
row, `summarizer.weights.int8`), and fp32 "torch". The int8 configuration follows the CPU's GEMM
(7-bit weights and every projection int8 without VNNI), so `make test` runs the int8 case with
the AVX2 variables too (marker avx2_path; docs/results_speed.md, session 19). Issue 34."""

from __future__ import annotations

import pytest
import torch

from bench.speed import load_articles
from summarizer import Summarizer
from summarizer.paths import data_root
from summarizer.weights.loading import choose_backend

STYLES = ("highlights", "one_sentence", "headline", "one_sentence_abstractive")


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["torch", "bf16", pytest.param("int8", marks=pytest.mark.avx2_path)])
def test_sixteen_articles_batched_equal_one_at_a_time(backend):
    try:
        articles, _ = load_articles(data_root(), 16)
    except OSError as error:
        pytest.skip(f"SumLLM articles not found ({error})")
    if backend == "bf16" and choose_backend(torch.device("cpu"))[0] != "bf16":
        pytest.skip("auto does not pick bf16 on this CPU (no native bf16): emulated, it is slow and never chosen")
    summarizer = Summarizer.from_pretrained(None, backend=backend)
    for style in STYLES:
        batched = [s.text for s in summarizer.summarize(articles, style=style, batch_size=16)]
        alone = [summarizer.summarize([a], style=style)[0].text for a in articles]
        differ = [i for i, (b, a) in enumerate(zip(batched, alone, strict=True)) if b != a]
        assert differ == [], f"{backend} {style}: articles {differ} change with their batch"
