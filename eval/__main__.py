"""`python -m eval COMMAND [flags]`: the evaluation harness.

Commands:
    summarize     ROUGE leaderboard with intervals, baselines and published systems
    normalize     casing-restoration metrics on token-aligned text
    faithfulness  validate the entity/number precision signals against FRANK human labels

`python -m eval COMMAND --help` lists each command's flags. Data: the project's JSONL, any
csv/tsv/json/jsonl/parquet file, a save_to_disk folder or `--dataset_name` (eval/sources.py);
from Python: `eval.score(predictions, references)` (eval/api.py).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = ("summarize", "normalize", "faithfulness")
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return
    command, rest = argv[0], argv[1:]
    if command == "summarize":
        from eval.summarize import main as run
    elif command == "normalize":
        from eval.normalize import main as run
    elif command == "faithfulness":
        from eval.faithfulness_check import main as run
    else:
        raise SystemExit(f"unknown command {command!r}; choose one of {', '.join(commands)}")
    run(rest)


if __name__ == "__main__":
    main()
