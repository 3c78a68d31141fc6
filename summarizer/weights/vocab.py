"""The bytes each token of a vocabulary writes: what byte-level constraints on decoding match against.

Used by constrained case restoration (`summarizer.casing.constrained`: only letter case may
change) and by the copy prior (`summarizer.generation.copying`: which tokens spell article text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["TokenBytes", "token_bytes_table"]


def _gpt2_byte_decoder() -> dict[str, int]:
    """Inverse of GPT-2's bytes_to_unicode: the printable stand-in character of each byte."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(
        range(ord("®"), ord("ÿ") + 1)
    )
    chars = list(printable)
    n = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(printable, chars, strict=True)}


_SP_BYTE = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")


@dataclass(frozen=True)
class TokenBytes:
    """The bytes each token id writes (None for special and unmappable tokens)."""

    table: tuple[bytes | None, ...]

    def __len__(self) -> int:
        return len(self.table)


def token_bytes_table(tokenizer) -> TokenBytes:
    """Map every token id to its bytes, for byte-level BPE (GPT-2, Llama 3, SmolLM, BART) and
    SentencePiece (T5, PEGASUS: '▁' is a space, '<0xNN>' a byte) vocabularies."""
    vocab_size = len(tokenizer)
    pieces = tokenizer.convert_ids_to_tokens(list(range(vocab_size)))
    special = set(tokenizer.all_special_ids)
    decoder = type(getattr(tokenizer, "backend_tokenizer", None) and tokenizer.backend_tokenizer.decoder).__name__
    byte_level = "ByteLevel" in decoder or all(
        p is None or all(ch in _BYTE_DECODER for ch in p) for p in pieces[:2000]
    )
    table: list[bytes | None] = []
    for token_id, piece in enumerate(pieces):
        if piece is None or token_id in special:
            table.append(None)
        elif byte_level:
            try:
                table.append(bytes(_BYTE_DECODER[ch] for ch in piece))
            except KeyError:
                table.append(None)
        else:
            match = _SP_BYTE.match(piece)
            table.append(bytes([int(match.group(1), 16)]) if match else piece.replace("▁", " ").encode("utf-8"))
    return TokenBytes(tuple(b if b else None for b in table))


_BYTE_DECODER = _gpt2_byte_decoder()
