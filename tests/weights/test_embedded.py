"""The embedded default model: cache location (fast) and the real model (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import paths
from summarizer.guard.faithfulness import drop_unsupported
from summarizer.weights import embedded

REPO = Path(__file__).resolve().parents[2]


def test_cache_dir_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "c"))
    assert paths.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("SUMMARIZER_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert paths.cache_dir() == tmp_path / "x" / "summarizer"


def test_gguf_is_found_in_the_installed_package():
    path = embedded.gguf_path()
    assert path.name == embedded.GGUF_FILE and path.stat().st_size > 50_000_000


@pytest.fixture(scope="module")
def default_summarizer():
    from summarizer import Summarizer

    return Summarizer.from_pretrained()


@pytest.mark.slow
def test_real_model_summarizes_the_example_article(default_summarizer):
    article = (REPO / "examples" / "harbour_bridge.txt").read_text()
    raw = default_summarizer.summarize([article], faithful=False)[0]
    assert raw.text and len(raw.text.split()) < len(article.split()) / 2
    assert raw.output_tokens > 0 and not raw.chunked
    # The main entity: the bridge (or the town it stands in).
    assert any(name in raw.text for name in ("Harbour Street", "Millbrook")), raw.text
    # The default guard keeps only sentences whose names and numbers are in the article.
    guarded = default_summarizer.summarize([article])[0]
    assert guarded.text and not drop_unsupported(guarded.text, article).dropped


@pytest.mark.slow
def test_real_model_headline_and_one_sentence(default_summarizer):
    article = (REPO / "examples" / "harbour_bridge.txt").read_text()
    headline, one = (default_summarizer.summarize([article], style=s)[0] for s in ("headline", "one_sentence"))
    assert 0 < len(headline.text.split()) <= 14 and "\n" not in headline.text
    assert one.text.count(". ") == 0 and len(one.text.split()) > 3


@pytest.mark.slow
def test_converted_model_is_cached(default_summarizer):
    folder = embedded.base_model_path()
    assert (folder / "model.safetensors").is_file() and (folder / "converted_from.json").is_file()


@pytest.mark.slow
def test_default_is_the_base_with_the_shipped_adapter_merged(default_summarizer):
    from summarizer.weights.shipped import default_model_path, has_shipped_adapter

    folder = default_model_path()
    if not has_shipped_adapter():
        pytest.fail("the package must ship its trained adapter (summarizer/resources/default_model)")
    assert (folder / "merged_from.json").is_file() and folder != embedded.base_model_path()
    assert default_summarizer.config.style("highlights").select_sentences


@pytest.mark.slow
def test_default_model_round_trips_through_save_pretrained(default_summarizer, tmp_path):
    from summarizer import Summarizer

    article = (REPO / "examples" / "harbour_bridge.txt").read_text()
    default_summarizer.save_pretrained(tmp_path / "copy")
    assert "quantization_config" not in (tmp_path / "copy" / "config.json").read_text()
    copy = Summarizer.from_pretrained(tmp_path / "copy")
    assert copy.summarize([article], style="headline") == default_summarizer.summarize([article], style="headline")


def test_auto_backend_follows_the_hardware(tiny_causal_dir):
    import torch

    from summarizer import Summarizer
    from summarizer.weights.loading import choose_backend

    cpu = torch.device("cpu")
    assert choose_backend(cpu, frozenset({"avx2", "amx_bf16"}))[0] == "bf16"
    assert choose_backend(cpu, frozenset({"avx512_bf16"}))[0] == "bf16"
    backend, why = choose_backend(cpu, frozenset({"avx2", "avx512f"}))
    assert backend == "int8" and "without native bfloat16" in why
    s = Summarizer.from_pretrained(tiny_causal_dir, device="cpu")
    assert s.backend == choose_backend(cpu)[0]
    assert Summarizer.from_pretrained(tiny_causal_dir, device="cpu", dtype="float32").backend == "torch"


def test_auto_backend_takes_int8_where_torch_kernels_are_capped_at_avx2(monkeypatch):
    # ATEN_CPU_CAPABILITY=avx2 on a CPU with bf16 units: bf16 would run emulated.
    import torch

    from summarizer.weights import loading

    monkeypatch.setattr(loading, "cpu_flags", lambda: frozenset({"avx2", "avx512f", "avx512_bf16"}))
    monkeypatch.setattr(loading, "kernel_capability", lambda: "AVX2")
    backend, why = loading.choose_backend(torch.device("cpu"))
    assert backend == "int8" and "ATEN_CPU_CAPABILITY" in why
    monkeypatch.setattr(loading, "kernel_capability", lambda: "AVX512")
    assert loading.choose_backend(torch.device("cpu"))[0] == "bf16"


def test_force_bf16_makes_auto_choose_bf16_on_any_cpu(tiny_causal_dir, monkeypatch):
    import torch

    from summarizer import Summarizer
    from summarizer.weights.loading import choose_backend

    cpu = torch.device("cpu")
    monkeypatch.setenv("SUMMARIZER_FORCE_BF16", "1")
    backend, why = choose_backend(cpu)
    assert backend == "bf16" and "SUMMARIZER_FORCE_BF16" in why
    assert choose_backend(cpu, frozenset({"avx2"}))[0] == "int8"  # flags of another CPU: not forced
    s = Summarizer.from_pretrained(tiny_causal_dir, device="cpu")
    assert s.backend == "bf16" and s.model.dtype == torch.bfloat16
    monkeypatch.setenv("SUMMARIZER_FORCE_BF16", "0")
    assert "SUMMARIZER_FORCE_BF16" not in choose_backend(cpu)[1]
    monkeypatch.setenv("SUMMARIZER_FORCE_BF16", "yes")
    with pytest.raises(ValueError, match="SUMMARIZER_FORCE_BF16='yes'"):
        choose_backend(cpu)
