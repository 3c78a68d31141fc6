"""Metrics: small pure functions returning frozen records. Aggregation lives in `stats`.

- `rouge`: ROUGE-1/2/L/Lsum through a local `evaluate` module (rouge-score underneath).
- `stats`: seeded bootstrap intervals, paired bootstrap and permutation tests, rank correlation.
- `text_stats`: length, compression, novel and repeated n-grams.
- `faithfulness`: entity and number precision against the source.
- `casing`: case-sensitive word-level metrics for casing restoration.
"""
