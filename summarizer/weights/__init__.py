"""Model weights: loading checkpoints, LoRA adapters, the embedded GGUF base and the shipped default."""
