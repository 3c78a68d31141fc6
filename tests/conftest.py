"""Shared fixtures: tiny random models (one decoder-only, one encoder-decoder) built from configs.

They load in milliseconds and need no network. Their output is noise, but deterministic noise,
which is all the plumbing tests need. A BPE tokenizer is trained on a few sentences in-process.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SUMMARIZER_DATA", REPO.parent / "shared" / "data"))

_CORPUS = [
    "Engineers reopened the Harbour Street bridge on Tuesday after a storm damaged it.",
    "The repair cost 4.2 million pounds, more than the council had budgeted.",
    "Council leader Margaret Okafor said the overspend would be covered from reserves.",
    "The ferry operator said bookings had fallen by a third while the bridge was closed.",
    "The city library will stay open until 10pm on weekdays from next month.",
    "A cider maker in Somerset has planted 3,000 apple trees of old local varieties.",
    "Summarize the news article below in one sentence. Article: Headline: Highlights:",
] * 3

# Fixtures that load a model. A test using one, with backend "auto", runs in bf16 on a CPU with
# native bf16 and in int8 elsewhere: it is marked `backend_sensitive`, and `make test` runs those
# again with SUMMARIZER_FORCE_BF16=1 so a CPU without bf16 checks them as a bf16 CPU would, and
# with the kernels capped at AVX2 (int8 with 7-bit weights) as an AVX2 server would.
_MODEL_FIXTURES = frozenset({"tiny_dir", "tiny_causal_dir", "tiny_seq2seq_dir", "default_summarizer"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.backend_sensitive)


def pytest_report_header(config):
    from summarizer.weights.loading import choose_backend

    return "backend auto on cpu -> {} ({})".format(*choose_backend(torch.device("cpu")))


CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def _train_tokenizer(chat: bool):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(_CORPUS, trainer)
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="<|im_end|>" if chat else "</s>",
    )
    if chat:
        wrapped.chat_template = CHAT_TEMPLATE
    return wrapped


@pytest.fixture(scope="session")
def tiny_causal_dir(tmp_path_factory) -> Path:
    """A 2-layer Llama with a chat template and a 512-token context (so chunking is reachable)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = _train_tokenizer(chat=True)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
    )
    model = LlamaForCausalLM(config)
    path = tmp_path_factory.mktemp("tiny_causal")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_seq2seq_dir(tmp_path_factory) -> Path:
    """A 1+1-layer BART with a 128-position encoder."""
    from transformers import BartConfig, BartForConditionalGeneration

    tokenizer = _train_tokenizer(chat=False)
    torch.manual_seed(0)
    config = BartConfig(
        vocab_size=len(tokenizer),
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=128,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        forced_eos_token_id=None,
    )
    model = BartForConditionalGeneration(config)
    path = tmp_path_factory.mktemp("tiny_seq2seq")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session", params=["causal", "seq2seq"])
def tiny_dir(request, tiny_causal_dir, tiny_seq2seq_dir) -> Path:
    return tiny_causal_dir if request.param == "causal" else tiny_seq2seq_dir


@pytest.fixture(scope="session")
def example_articles() -> list[str]:
    return [
        "Engineers reopened the Harbour Street bridge on Tuesday. The repair cost 4.2 million pounds.",
        "The city library will stay open until 10pm on weekdays from next month. Students used it most.",
        "A cider maker in Somerset has planted 3,000 apple trees.",
        "Council leader Margaret Okafor said the overspend would be covered from reserves. "
        "The ferry operator said bookings had fallen by a third while the bridge was closed. "
        "Engineers will inspect the piers every six months.",
    ]


# The two inputs this project exists for (../shared/examples/README.md): a cased article whose
# first line is its publisher's headline, and a piece of wire copy.
EXAMPLES = REPO.parent / "shared" / "examples"


@pytest.fixture(scope="session")
def cased_example() -> tuple[str, str]:
    """(headline, article) of `article_with_headline.txt`."""
    path = EXAMPLES / "article_with_headline.txt"
    if not path.is_file():
        pytest.skip(f"{path} not found (../shared/examples beside the repository)")
    headline, article = path.read_text(encoding="utf-8").split("\n", 1)
    return headline.strip(), article.strip()


@pytest.fixture(scope="session")
def wire_example() -> str:
    path = EXAMPLES / "wire_copy.txt"
    if not path.is_file():
        pytest.skip(f"{path} not found (../shared/examples beside the repository)")
    return path.read_text(encoding="utf-8")


# ------------------------------------------------------------------ servers on localhost (real HTTP)


def free_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(base: str, seconds: float, alive=None) -> None:
    """Until `base`/ready answers 200 (or `seconds` pass); `alive()` may raise if the server died."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return
        if alive is not None:
            alive()
        time.sleep(0.05)


@contextlib.contextmanager
def serving(summarizer, settings=None, demo_path: str | None = None):
    """The service for `summarizer` (`summarizer.serve.create_app`) on a free local port, stopped on exit."""
    import uvicorn

    from summarizer.serve import create_app

    app = create_app(summarizer, settings)
    if demo_path is not None:
        from summarizer.demo import mount_demo

        app = mount_demo(app, app.state.service, demo_path)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    wait_ready(base, 10)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def running():
    """`serving`: a context manager giving the base URL of the service for a summarizer."""
    return serving


@pytest.fixture(scope="session")
def local_server():
    """(free_port, wait_ready) for tests that start a server of their own."""
    return free_port, wait_ready
