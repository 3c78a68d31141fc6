"""Turning prompts into summaries: batching, free generation, sentence selection, chunking, post-processing, extraction."""
