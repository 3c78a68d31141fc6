"""The Summarizer API on tiny random models of both families."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from summarizer import GenerationSettings, StyleConfig, Summarizer, SummarizerConfig, Summary
from summarizer.weights.int8 import weight_limit


@pytest.fixture(scope="module")
def loaded(tiny_dir) -> Summarizer:
    return Summarizer.from_pretrained(tiny_dir)


def test_family_is_read_from_the_config(tiny_causal_dir, tiny_seq2seq_dir):
    assert Summarizer.from_pretrained(tiny_causal_dir).family == "causal"
    assert Summarizer.from_pretrained(tiny_seq2seq_dir).family == "seq2seq"


def test_returns_typed_summaries_in_input_order(loaded, example_articles):
    summaries = loaded.summarize(example_articles, style="highlights_abstractive", batch_size=3, max_new_tokens=12)
    assert len(summaries) == len(example_articles)
    assert all(isinstance(s, Summary) and s.style == "highlights_abstractive" for s in summaries)
    # Input token counts identify each article: order is the input order, not the sorted one.
    assert [s.input_tokens for s in summaries] == [loaded.count_tokens(a) for a in example_articles]
    assert all(0 <= s.output_tokens <= 12 for s in summaries)
    assert not any(s.chunked for s in summaries)


def test_batched_equals_one_by_one(loaded, example_articles):
    kw = {"style": "highlights_abstractive", "max_new_tokens": 10}
    batched = loaded.summarize(example_articles, batch_size=4, **kw)
    single = [loaded.summarize([a], batch_size=1, **kw)[0] for a in example_articles]
    assert [s.text for s in batched] == [s.text for s in single]
    assert [s.output_tokens for s in batched] == [s.output_tokens for s in single]


@pytest.mark.parametrize(("style", "overrides"), [("one_sentence", {}), ("headline_free", {"max_new_tokens": 10})])
def test_deterministic(loaded, example_articles, style, overrides):
    first = loaded.summarize(example_articles, style=style, **overrides)
    second = loaded.summarize(example_articles, style=style, **overrides)
    assert first == second


@pytest.mark.parametrize("bad", ["", "   \n\t "])
def test_empty_article_names_its_index(loaded, bad):
    with pytest.raises(ValueError, match="article 1 is empty"):
        loaded.summarize(["fine text.", bad])


def test_bad_arguments_are_specific(loaded):
    with pytest.raises(TypeError, match="sequence of articles"):
        loaded.summarize("a single string")
    with pytest.raises(TypeError, match="article 0 is int"):
        loaded.summarize([3])
    with pytest.raises(ValueError, match="unknown style 'poem'"):
        loaded.summarize(["text."], style="poem")
    with pytest.raises(TypeError, match="unknown generation setting"):
        loaded.summarize(["text."], temperature=0.7)
    with pytest.raises(ValueError, match="num_beams must be >= 1"):
        loaded.summarize(["text."], style="headline_free", num_beams=0)
    assert loaded.summarize([]) == []


def test_long_article_is_chunked_not_cut(loaded, example_articles):
    long_article = " ".join(example_articles * 20)
    assert loaded.count_tokens(long_article) > loaded.context_length
    summary, short = loaded.summarize(
        [long_article, example_articles[0]], style="highlights_abstractive", max_new_tokens=8
    )
    assert summary.chunked and summary.num_chunks > 1
    assert summary.input_tokens == loaded.count_tokens(long_article)
    assert not short.chunked and short.num_chunks == 1


def test_max_input_tokens_forces_chunking(tiny_causal_dir, example_articles):
    config = SummarizerConfig(max_input_tokens=260)
    s = Summarizer.from_pretrained(tiny_causal_dir, config=config)
    article = " ".join(example_articles * 3)
    (summary,) = s.summarize([article], style="highlights_abstractive", max_new_tokens=8)
    assert summary.chunked


def test_word_budget(loaded, example_articles):
    for summary in loaded.summarize(example_articles, max_words=5):
        assert len(summary.text.split()) <= 5


@pytest.mark.parametrize("style", ["highlights", "one_sentence", "extractive"])
@pytest.mark.parametrize("setting", [{"num_beams": 4}, {"max_new_tokens": 20}, {"no_repeat_ngram_size": 3}])
def test_copying_styles_refuse_settings_they_cannot_honour(loaded, style, setting):
    with pytest.raises(ValueError, match=rf"style '{style}' copies whole article sentences .*{next(iter(setting))}"):
        loaded.summarize(["The council met on Monday. It approved the budget."], style=style, **setting)
    assert loaded.summarize(["The council met on Monday. It approved the budget."], style=style, max_words=4)


def test_beam_search_is_what_generate_gives(loaded, example_articles):
    """The style's beams reach `model.generate`: the summary is the decoded best beam."""
    import torch

    from summarizer.generation.postprocess import clean_output

    style = loaded.config.style("highlights_abstractive")
    settings = style.generation.override(max_new_tokens=8, num_beams=3)
    beams = loaded.summarize(example_articles, style="highlights_abstractive", max_new_tokens=8, num_beams=3, faithful=False)
    greedy = loaded.summarize(example_articles, style="highlights_abstractive", max_new_tokens=8, faithful=False)
    for article, summary in zip(example_articles, beams, strict=True):
        ids = torch.tensor([loaded.prompter.prompt_ids(article, style)])
        out = loaded.model.generate(
            input_ids=ids, attention_mask=torch.ones_like(ids), pad_token_id=loaded.tokenizer.pad_token_id,
            eos_token_id=loaded.tokenizer.eos_token_id, **settings.generate_kwargs(),
        )
        new = out[0, ids.shape[1] :] if loaded.family == "causal" else out[0]
        raw = loaded.tokenizer.decode(new, skip_special_tokens=True)
        assert summary.text == clean_output(raw, style, settings.max_words, truncated=summary.output_tokens >= 8)
    assert [s.text for s in beams] != [s.text for s in greedy]  # the beams were really searched


def test_save_and_load_round_trip(loaded, tmp_path, example_articles):
    custom = StyleConfig(
        name="teaser", instruction="Write a teaser.", generation=GenerationSettings(max_new_tokens=7)
    )
    loaded.config.styles["teaser"] = custom
    try:
        before = loaded.summarize(example_articles, style="teaser")
        loaded.save_pretrained(tmp_path / "saved")
        assert (tmp_path / "saved" / "model.safetensors").is_file()
        reloaded = Summarizer.from_pretrained(tmp_path / "saved")
    finally:
        del loaded.config.styles["teaser"]
    assert reloaded.config.styles["teaser"] == custom
    assert reloaded.family == loaded.family
    assert reloaded.summarize(example_articles, style="teaser") == before


def test_config_validation():
    with pytest.raises(ValueError, match="max_new_tokens"):
        GenerationSettings(max_new_tokens=0)
    with pytest.raises(ValueError, match="map_style"):
        SummarizerConfig(map_style="nope")
    config = SummarizerConfig()
    assert SummarizerConfig.from_dict(config.to_dict()) == config
    settings = GenerationSettings().override(max_words=10)
    assert settings.max_words == 10 and settings.max_new_tokens >= 16
    assert dataclasses.replace(settings, num_beams=2).generate_kwargs()["num_beams"] == 2


def test_decoder_only_without_chat_template_uses_a_plain_prompt(tiny_causal_dir, example_articles):
    s = Summarizer.from_pretrained(tiny_causal_dir, config=SummarizerConfig(use_chat_template=False))
    prompt = s.build_prompt("Body text.", s.config.style("headline"))
    assert "<|im_start|>" not in prompt and prompt.endswith("Headline:") and "Body text." in prompt
    assert len(s.summarize(example_articles[:2], style="headline")) == 2


def test_seq2seq_prompt_is_prefix_and_article(tiny_seq2seq_dir):
    s = Summarizer.from_pretrained(tiny_seq2seq_dir)
    style = StyleConfig(name="t5", instruction="unused", seq2seq_prefix="summarize: ")
    assert s.build_prompt("Body.", style) == "summarize: Body."


def test_lora_adapter_folder_loads_merged(tiny_causal_dir, tmp_path, example_articles):
    import json

    from peft import LoraConfig, get_peft_model

    base = Summarizer.from_pretrained(tiny_causal_dir, backend="torch")  # trainable, as training loads it
    lora = LoraConfig(r=2, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    peft_model = get_peft_model(base.model, lora)
    adapter = tmp_path / "adapter"
    peft_model.save_pretrained(adapter)
    base.tokenizer.save_pretrained(adapter)
    (adapter / "base_model.json").write_text(json.dumps({"model_name_or_path": str(tiny_causal_dir)}))
    loaded = Summarizer.from_pretrained(adapter, backend="torch")
    expected = peft_model.merge_and_unload()
    ids = loaded.tokenizer(example_articles[0], return_tensors="pt")["input_ids"]
    assert torch.allclose(loaded.model(ids).logits, expected(ids).logits, atol=1e-5)


@pytest.mark.parametrize("backend", ["bf16", "int8"])
def test_backends_load_and_summarize(tiny_causal_dir, example_articles, backend):
    s = Summarizer.from_pretrained(tiny_causal_dir, backend=backend)
    assert s.backend == backend
    if backend == "bf16":
        assert next(s.model.parameters()).dtype == torch.bfloat16
    else:
        quantized = {n for n, m in s.model.named_modules() if type(m).__name__ == "Int8Linear"}
        # A Llama is smoothed (weights.smoothing): the MLP down projections, which read the massive
        # activations, go int8 where the GEMM keeps 7-bit weights; the output head stays fp32.
        assert any(n.endswith("down_proj") for n in quantized) == (weight_limit() < 127)
        assert quantized and type(s.model.lm_head) is torch.nn.Linear
    for style, overrides in (("highlights", {}), ("one_sentence", {}), ("headline_free", {"max_new_tokens": 6})):
        out = s.summarize(example_articles[:2], style=style, **overrides)
        assert len(out) == 2 and all(isinstance(x.text, str) for x in out)


def test_unknown_or_contradicting_backend(tiny_causal_dir):
    with pytest.raises(ValueError, match="unknown backend 'onnx'"):
        Summarizer.from_pretrained(tiny_causal_dir, backend="onnx")
    with pytest.raises(ValueError, match="contradicts"):
        Summarizer.from_pretrained(tiny_causal_dir, backend="bf16", dtype="float32")


def test_a_style_with_a_case_comes_back_in_headline_case(tiny_causal_dir):
    s = Summarizer.from_pretrained(tiny_causal_dir)
    s.config.styles["title_line"] = StyleConfig(
        name="title_line", instruction="", extractive=True, max_sentences=1, single_line=True, case="title"
    )
    (summary,) = s.summarize(["Maria Lopez opened the new bridge in Leeds on Monday. It cost a lot."],
                             style="title_line")  # fmt: skip
    assert summary.text == "Maria Lopez Opened the New Bridge in Leeds on Monday"
    assert s.config.style("headline").case == "sentence"
    with pytest.raises(ValueError, match="case"):
        StyleConfig(name="x", instruction="", case="upper")


def test_setting_overrides_parse_from_the_command_line_form():
    from summarizer.config import parse_setting_overrides

    assert parse_setting_overrides(["copy_bias=1.5", "prompt_lookup_tokens=10", "max_words=9"]) == {
        "copy_bias": 1.5, "prompt_lookup_tokens": 10, "max_words": 9,
    }  # fmt: skip
    for bad in (["copy_bias"], ["colour=3"]):
        with pytest.raises(ValueError, match="NAME=VALUE"):
            parse_setting_overrides(bad)
    assert parse_setting_overrides(["copy_names=true"]) == {"copy_names": True}
    with pytest.raises(ValueError, match="must be JSON"):
        parse_setting_overrides(["copy_names=yes"])


def test_an_int8_model_saves_the_weights_it_was_loaded_from(tiny_causal_dir, tmp_path, example_articles):
    from safetensors.torch import load_file

    s = Summarizer.from_pretrained(tiny_causal_dir, backend="int8")
    s.save_pretrained(tmp_path / "copy")
    saved = load_file(tmp_path / "copy" / "model.safetensors")
    source = Summarizer.from_pretrained(tiny_causal_dir, backend="torch").model.state_dict()
    assert set(saved) <= set(source) and not any(k.endswith("weight_int8") for k in saved)
    assert all(torch.equal(saved[k], source[k]) for k in saved)
    copy = Summarizer.from_pretrained(tmp_path / "copy", backend="int8")
    assert copy.summarize(example_articles[:1], style="one_sentence") == s.summarize(example_articles[:1], style="one_sentence")
