"""Speed benchmark: our `summarize` / `normalize` per backend against the plain baseline.

    python -m bench.speed [--articles 16] [--threads 2] [--batch_size 8] [--backends torch,bf16]
                         [--styles highlights,one_sentence,headline] [--out runs/bench]

The same fixed articles (the first `--articles` of SumLLM's `val` split: dev data, never the test
sets) go through
- **baseline**: what a user would otherwise write: the same checkpoint loaded with
  `AutoModelForCausalLM` in fp32, the same chat prompt, `model.generate` one article at a time,
  greedy, the style's `max_new_tokens` (free-form writing; `highlights` uses the abstractive
  prompt, since plain generation cannot select sentences);
- **ours**: `Summarizer.summarize(style=...)` per backend (`Summarizer.from_pretrained(backend=)`),
  batched, with its own decoding (sentence selection for `highlights`) and the faithfulness guard;
- **normalize**: `Summarizer.normalize(method=...)` on `casing/frank_refs.jsonl` records.

Each run happens in a fresh process (so peak RSS is that run's own) with `torch.set_num_threads`
fixed. Reported per run: articles/s, generated tokens/s, p50/p95 latency per article (the wall
time of the batch it was in), peak RSS, and quality on the same documents: ROUGE-1/2/Lsum against
the GPT-4 references, or cased-word F1 for normalization. Ratios are against the baseline of the
same style. `--scaling` adds articles/s vs batch size and seconds vs article length, with a plot.
Writes OUT/bench.json, OUT/bench.md and OUT/scaling.png.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from transformers import HfArgumentParser

from summarizer.config import parse_setting_overrides
from summarizer.weights.loading import choose_backend, cpu_flags, kernel_capability

__all__ = ["BenchArguments", "main", "run_job"]

DATA_FILE = "summarization/sumllm_cnndm.jsonl"
CASING_FILE = "casing/frank_refs.jsonl"


@dataclass
class BenchArguments:
    model: str | None = field(default=None, metadata={"help": "Summarizer folder; default: the shipped default"})
    data_dir: str | None = field(default=None, metadata={"help": "default: $SUMMARIZER_DATA or ../shared/data"})
    articles: int = field(default=16, metadata={"help": "first N articles of SumLLM val"})
    casing_records: int = field(default=40, metadata={"help": "first N records of casing/frank_refs.jsonl"})
    threads: int = 2
    batch_size: int = 8
    backends: str = field(default="torch,bf16", metadata={"help": "comma-separated: torch, bf16, int8"})
    styles: str = "highlights,one_sentence,headline"
    settings: str = field(
        default="", metadata={"help": "generation settings for ours, NAME=VALUE,...: e.g. prompt_lookup_tokens=10"}
    )
    normalize_methods: str = field(default="statistical,model", metadata={"help": "'' to skip"})
    baseline: bool = field(default=True, metadata={"help": "time the one-at-a-time fp32 generate baseline"})
    scaling: bool = field(default=False, metadata={"help": "also batch sizes 1..16 and length curve"})
    scaling_style: str = "one_sentence"
    scaling_backend: str = "bf16"
    out: str = "runs/bench"


# ------------------------------------------------------------------------------ data
def _data_dir(args: BenchArguments) -> Path:
    from summarizer.paths import data_root

    return Path(args.data_dir) if args.data_dir else data_root()


def load_articles(data_dir: Path, n: int) -> tuple[list[str], list[list[str]]]:
    """The first `n` SumLLM `val` articles and their GPT-4 references."""
    articles, references = [], []
    with (data_dir / DATA_FILE).open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record.get("split") != "val":
                continue
            articles.append(record["article"])
            references.append(list(record["references"]))
            if len(articles) == n:
                break
    return articles, references


def load_casing(data_dir: Path, n: int) -> tuple[list[str], list[str]]:
    inputs, targets = [], []
    with (data_dir / CASING_FILE).open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            inputs.append(record["input"])
            targets.append(record["target"])
            if len(inputs) == n:
                break
    return inputs, targets


# ------------------------------------------------------------------------------ one run (child process)
def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _baseline(job: dict) -> dict:
    """Plain transformers: fp32, one article at a time, the style's prompt and max_new_tokens."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from summarizer import Summarizer, SummarizerConfig

    path = job["model_path"]
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    # The prompt text comes from the library (wrapping the same model object, no second copy)
    # so both sides read the same words; generation is the plain model's own `generate`.
    ours = Summarizer(model, tokenizer, SummarizerConfig.load(path))
    style = ours.config.style(job["prompt_style"])
    outputs, latencies, generated = [], [], 0
    for article in job["articles"]:
        start = time.perf_counter()
        prompt = ours.build_prompt(article, style)
        ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        with torch.inference_mode():
            out = model.generate(
                **ids,
                max_new_tokens=style.generation.max_new_tokens,
                do_sample=False,
                pad_token_id=tokenizer.eos_token_id,
            )
        new = out[0, ids["input_ids"].shape[1] :]
        outputs.append(tokenizer.decode(new, skip_special_tokens=True).strip())
        latencies.append(time.perf_counter() - start)
        generated += int(new.shape[0])
    return {"outputs": outputs, "latencies": latencies, "generated_tokens": generated}


def _ours(job: dict) -> dict:
    from summarizer import Summarizer

    model = Summarizer.from_pretrained(job["model"], backend=job["backend"])
    articles, batch = job["articles"], job["batch_size"]
    settings = job.get("settings", {})
    model.summarize(articles[:1], style=job["style"], **settings)  # warm-up: first-call allocations
    outputs, latencies, generated, input_tokens = [], [], 0, []
    # Batches of the given size in input order; each article's latency is its batch's time
    # (what a caller waiting on that batch sees).
    for start in range(0, len(articles), batch):
        chunk = articles[start : start + batch]
        began = time.perf_counter()
        summaries = model.summarize(chunk, style=job["style"], batch_size=batch, **settings)
        elapsed = time.perf_counter() - began
        latencies.extend([elapsed] * len(chunk))
        outputs.extend(s.text for s in summaries)
        generated += sum(s.output_tokens for s in summaries)
        input_tokens.extend(s.input_tokens for s in summaries)
    return {"outputs": outputs, "latencies": latencies, "generated_tokens": generated, "input_tokens": input_tokens}


def _normalize(job: dict) -> dict:
    from summarizer import Summarizer

    texts = job["texts"]
    if job["method"] == "statistical":
        from summarizer.casing.normalize import normalize

        run = lambda batch: normalize(batch, detokenize=False)  # noqa: E731
    else:
        model = Summarizer.from_pretrained(job["model"], backend=job["backend"])
        run = lambda batch: model.normalize(batch, method=job["method"], detokenize=False)  # noqa: E731
    run(texts[:1])
    began = time.perf_counter()
    outputs = [n.text for n in run(texts)]
    elapsed = time.perf_counter() - began
    return {"outputs": outputs, "latencies": [elapsed / len(texts)] * len(texts), "generated_tokens": 0}


def run_job(job: dict) -> dict:
    """One timed run in this process (called in a fresh child by `main`)."""
    import torch

    torch.set_num_threads(job["threads"])
    began = time.perf_counter()
    kind = job["kind"]
    result = {"baseline": _baseline, "ours": _ours, "normalize": _normalize}[kind](job)
    result["wall_s"] = time.perf_counter() - began
    result["peak_rss_mb"] = _peak_rss_mb()
    return result


def _in_child(job: dict) -> dict:
    # A fresh interpreter per run: peak RSS is this run's, nothing is warm from another run.
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(run_job, (job,))


# ------------------------------------------------------------------------------ scoring and report
def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summarize_row(name: str, result: dict, n_words: int | None = None) -> dict:
    latencies = result["latencies"]
    elapsed = result["timed_s"]
    row = {
        "run": name,
        "items": len(result["outputs"]),
        "items_per_s": len(result["outputs"]) / elapsed,
        "generated_tokens_per_s": result["generated_tokens"] / elapsed,
        "p50_s": statistics.median(latencies),
        "p95_s": _percentile(latencies, 0.95),
        "timed_s": elapsed,
        "peak_rss_mb": result["peak_rss_mb"],
    }
    if n_words is not None:
        row["words_per_s"] = n_words / elapsed
    return row


def rouge(outputs: Sequence[str], references: Sequence[Sequence[str]]) -> dict:
    from eval.metrics.rouge import rouge_scores

    scores = rouge_scores(list(outputs), [r[:1] for r in references])
    n = len(scores)
    return {
        "rouge1": 100 * sum(s.rouge1 for s in scores) / n,
        "rouge2": 100 * sum(s.rouge2 for s in scores) / n,
        "rougeLsum": 100 * sum(s.rougeLsum for s in scores) / n,
    }


def casing_f1(outputs: Sequence[str], targets: Sequence[str]) -> dict:
    from eval.metrics.casing import aggregate_casing, casing_counts

    scores = aggregate_casing([casing_counts(p, t) for p, t in zip(outputs, targets, strict=True)])
    return {"cased_f1": scores.f1, "word_accuracy": scores.accuracy, "changed_records": scores.changed_records}


def render(rows: list[dict], meta: dict) -> str:
    lines = [
        "# Speed benchmark",
        "",
        f"`{meta['command']}`; {meta['threads']} threads, batch {meta['batch_size']}, "
        f"{meta['articles']} SumLLM val articles, {meta['casing_records']} frank_refs records, "
        f"{meta['cpu']} ({meta['cpu_kind']}; `backend=\"auto\"` chooses {meta['auto_backend']}); "
        f"1-minute load average at the end {meta['load_average_1min']}.",
        "",
        "| run | items/s | gen tok/s | p50 s | p95 s | peak RSS MB | quality | vs baseline |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        quality = (
            f"R1 {r['rouge1']:.2f} / R2 {r['rouge2']:.2f} / RLsum {r['rougeLsum']:.2f}"
            if "rouge1" in r
            else f"F1 {r['cased_f1']:.4f}, acc {r['word_accuracy']:.4f}, changed {r['changed_records']}"
            if "cased_f1" in r
            else ""
        )
        speed = f"{r['items_per_s']:.3f}" + (f" ({r['words_per_s']:.0f} words/s)" if "words_per_s" in r else "")
        ratio = f"{r['speedup']:.1f}x" if "speedup" in r else ""
        lines.append(
            f"| {r['run']} | {speed} | {r['generated_tokens_per_s']:.1f} | {r['p50_s']:.2f} | "
            f"{r['p95_s']:.2f} | {r['peak_rss_mb']:.0f} | {quality} | {ratio} |"
        )
    return "\n".join(lines) + "\n"


def _plot(scaling: list[dict], lengths: list[tuple[int, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot([r["batch_size"] for r in scaling], [r["items_per_s"] for r in scaling], marker="o")
    left.set_xlabel("batch size")
    left.set_ylabel("articles / s")
    left.set_xscale("log", base=2)
    left.set_title("throughput vs batch size")
    if lengths:
        xs, ys = zip(*sorted(lengths), strict=True)
        right.scatter(xs, ys)
        right.set_xlabel("article tokens")
        right.set_ylabel("seconds (batch 1)")
        right.set_title("latency vs article length")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _cpu_kind() -> str:
    """What decides the backend: native bf16 (AMX / AVX-512-BF16), AVX-512 or AVX2 only, and
    the level torch's kernels run at (ATEN_CPU_CAPABILITY=avx2 emulates an AVX2 server)."""
    flags = cpu_flags()
    if flags & {"amx_bf16", "avx512_bf16"}:
        kind = "native bf16 (" + ", ".join(sorted(flags & {"amx_bf16", "avx512_bf16"})) + ")"
    elif "avx512f" in flags:
        kind = "AVX-512 without bf16" + (" (VNNI)" if "avx512_vnni" in flags else "")
    else:
        kind = "AVX2 only" if "avx2" in flags else "unknown"
    onednn = os.environ.get("ONEDNN_MAX_CPU_ISA")
    return f"{kind}; torch kernels {kernel_capability()}" + (f", ONEDNN_MAX_CPU_ISA={onednn}" if onednn else "")


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def main(argv: Sequence[str] | None = None) -> dict:
    (args,) = HfArgumentParser(BenchArguments).parse_args_into_dataclasses(args=argv)
    print(f"[bench] {_cpu_name()}: {_cpu_kind()}; backend='auto' -> {choose_backend(torch.device('cpu'))[0]}")
    from summarizer.weights.shipped import default_model_path

    data_dir = _data_dir(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model_path = str(args.model or default_model_path())
    articles, references = load_articles(data_dir, args.articles)
    base = {"model": args.model, "model_path": model_path, "threads": args.threads,
            "settings": parse_setting_overrides([p for p in args.settings.split(",") if p.strip()])}
    backends = [b for b in args.backends.split(",") if b]
    rows: list[dict] = []

    def timed(name: str, job: dict) -> dict:
        print(f"[bench] {name} ...", flush=True)
        result = _in_child(job)
        result["timed_s"] = sum(result["latencies"]) if job["kind"] != "ours" else _ours_time(result, job)
        return result

    for style in [s for s in args.styles.split(",") if s]:
        baseline_rate = None
        if args.baseline:
            prompt_style = "highlights_abstractive" if style == "highlights" else style
            job = {**base, "kind": "baseline", "articles": articles, "prompt_style": prompt_style}
            result = timed(f"baseline {style}", job)
            row = summarize_row(f"baseline fp32 one-at-a-time: {style}", result)
            row.update(rouge(result["outputs"], references))
            baseline_rate = row["items_per_s"]
            rows.append(row)
        for backend in backends:
            job = {**base, "kind": "ours", "articles": articles, "style": style, "backend": backend,
                   "batch_size": args.batch_size}
            result = timed(f"ours {style} {backend}", job)
            label = f"ours {backend}" + (f" ({args.settings})" if args.settings else "")
            row = summarize_row(f"{label}: {style}", result)
            row.update(rouge(result["outputs"], references))
            if baseline_rate:
                row["speedup"] = row["items_per_s"] / baseline_rate
            rows.append(row)

    methods = [m for m in args.normalize_methods.split(",") if m]
    if methods:
        inputs, targets = load_casing(data_dir, args.casing_records)
        words = sum(len(t.split()) for t in inputs)
        for method in methods:
            for backend in backends if method != "statistical" else ["-"]:
                job = {**base, "kind": "normalize", "texts": inputs, "method": method, "backend": backend}
                result = timed(f"normalize {method} {backend}", job)
                row = summarize_row(f"normalize {method} {backend}".replace(" -", ""), result, n_words=words)
                row.update(casing_f1(result["outputs"], targets))
                rows.append(row)

    scaling, lengths = [], []
    if args.scaling:
        for batch in (1, 2, 4, 8, 16):
            job = {**base, "kind": "ours", "articles": articles, "style": args.scaling_style,
                   "backend": args.scaling_backend, "batch_size": batch}
            result = timed(f"scaling batch {batch}", job)
            row = summarize_row(f"batch {batch}", result)
            scaling.append({"batch_size": batch, **row})
            if batch == 1:
                lengths = list(zip(result["input_tokens"], result["latencies"], strict=True))
        _plot(scaling, lengths, out / "scaling.png")

    meta = {
        "command": "python -m bench.speed " + " ".join(argv if argv is not None else os.sys.argv[1:]),
        "threads": args.threads,
        "batch_size": args.batch_size,
        "articles": len(articles),
        "casing_records": args.casing_records,
        "cpu": _cpu_name(),
        "cpu_kind": _cpu_kind(),
        "auto_backend": "{} ({})".format(*choose_backend(torch.device("cpu"))),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "settings": asdict(args),
    }
    report = {"meta": meta, "rows": rows, "scaling": scaling, "lengths": lengths}
    (out / "bench.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    text = render(rows, meta)
    if scaling:
        text += "\n| batch size | articles/s | p50 s |\n|---|---|---|\n" + "".join(
            f"| {r['batch_size']} | {r['items_per_s']:.3f} | {r['p50_s']:.2f} |\n" for r in scaling
        )
    (out / "bench.md").write_text(text, encoding="utf-8")
    print(text)
    return report


def _ours_time(result: dict, job: dict) -> float:
    # Batches share one latency each; the run's time is the sum over batches.
    batch = job["batch_size"]
    return sum(result["latencies"][i] for i in range(0, len(result["latencies"]), batch))


if __name__ == "__main__":
    main()
