"""Time loading the embedded default model: first load (GGUF conversion) vs cached load.

    python -m bench.load [--runs 3] [--json OUT.json]

Each load runs in a fresh Python process (so nothing is warm in memory) against a fresh
temporary cache, and reports wall time and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence

_CHILD = """
import json, resource, time
start = time.perf_counter()
from summarizer import Summarizer
s = Summarizer.from_pretrained()
s.summarize(["The council approved the budget on Monday."], max_new_tokens=4)
print(json.dumps({"seconds": time.perf_counter() - start,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _load_once(cache: str) -> dict[str, float]:
    env = dict(os.environ, SUMMARIZER_CACHE=cache)
    out = subprocess.run([sys.executable, "-c", _CHILD], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="cached loads to time")
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as cache:
        first = _load_once(cache)
        cached = [_load_once(cache) for _ in range(args.runs)]
    result = {
        "first_load_s": round(first["seconds"], 2),
        "first_load_peak_rss_mb": round(first["peak_rss_mb"]),
        "cached_load_s_median": round(statistics.median(r["seconds"] for r in cached), 2),
        "cached_load_peak_rss_mb": round(max(r["peak_rss_mb"] for r in cached)),
        "runs": args.runs,
        "note": "load + one 4-token generation, fresh process each, fp32 on CPU",
    }
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == "__main__":
    main()
