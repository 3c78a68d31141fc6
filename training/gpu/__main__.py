"""`python -m training.gpu pack | run | import`: see `training.gpu`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from training.gpu import environment, staging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training.gpu", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    pack = commands.add_parser("pack", help="here: encode, compress and stage a run")
    pack.add_argument("--config", required=True, help="fine-tuning settings (training.config)")
    pack.add_argument("--name", default=None, help="kit name (default: the config's file name)")
    pack.add_argument("--kit_root", default=".gpu", help="git-ignored folder of the checkout")
    pack.add_argument("--study_limit", type=int, default=100, help="items per writing-study dev set")
    pack.add_argument("--train_seconds", type=float, default=300, help="training time there (run default)")
    pack.add_argument("--base", default=None, help="GGUF to carry (default: the embedded base)")
    pack.add_argument("--call_mib", type=float, default=None, help="MiB per call (default: all a call can carry)")
    pack.add_argument("--no_wheels", action="store_true", help="carry no wheels (the machine has the packages)")
    run = commands.add_parser("run", help="there: stage this call's part; once complete, train")
    run.add_argument("--kit", required=True, help="the kit folder (.gpu/<name>) holding this call's stage")
    run.add_argument("--out", default=os.environ.get("OUT", "out/gpu_run"), help="where returned files go")
    run.add_argument("--work", default="/tmp/summarizer-gpu", help="staging folder outside the checkout")
    run.add_argument("--train_seconds", type=float, default=300)
    run.add_argument("--allow_cpu", action="store_true", help="run without CUDA (tests, rehearsals)")
    run.add_argument("--skip_check", action="store_true", help="only time training steps, no full GPU check")
    run.add_argument("--no_compare", action="store_true", help="score only the new adapter, not its starting point")
    run.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE",
                     help="fine-tuning settings over the packed ones, e.g. init_adapter=DIR seed=43")
    imp = commands.add_parser("import", help="here: the returned files as a model folder")
    imp.add_argument("returned", help="folder holding the returned files (the device tool's files_at)")
    imp.add_argument("--dest", required=True)
    return parser


def _pack(args: argparse.Namespace) -> int:
    from training.gpu.pack import pack, print_calls

    name = args.name or Path(args.config).stem
    run_args = ["--train_seconds", str(args.train_seconds)]
    base = Path(args.base) if args.base else None
    capacity = int(args.call_mib * 2**20) if args.call_mib else None
    manifest = pack(args.config, name, Path(args.kit_root), Path.cwd(), args.study_limit, run_args, base=base,
                    capacity=capacity, with_wheels=not args.no_wheels)  # fmt: skip
    print_calls(manifest, Path(args.kit_root))
    return 0


def _run(args: argparse.Namespace, argv: list[str]) -> int:
    work, out = Path(args.work) / Path(args.kit).name, Path(args.out)
    manifest, missing = staging.stage(Path(args.kit), work)
    args = _parser().parse_args([*argv[:1], *manifest.run_args, *argv[1:]])  # the call's flags win
    out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        handlers=[logging.StreamHandler(), logging.FileHandler(out / "run.log")])  # fmt: skip
    environment.install_wheels(work)
    versions = environment.check_environment(require_cuda=not args.allow_cpu)
    print("machine:", versions, flush=True)
    if missing:
        print(f"staged {len(manifest.parts) - len(missing)} of {len(manifest.parts)} part(s); still missing "
              f"{missing}: make the next call now (the staged parts last while the machine is warm)")  # fmt: skip
        return 0
    from training.gpu import remote

    payload_dir = remote.unpack(manifest, work)
    remote.setup_base(payload_dir, work)
    options = remote.RunOptions(args.train_seconds, args.skip_check, not args.no_compare, tuple(args.set))
    metrics = remote.run_payload(payload_dir, work, out, options)
    for name in ("new", "start"):
        for r in metrics.get(name, {}).get("studies", []):
            print(f"{name:8s} {r['dev']:18s} {r['system']:25s} R-1 {r['rouge1']:.2f} entity P {r['entity_precision']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    if args.command == "pack":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return _pack(args)
    if args.command == "run":
        return _run(args, argv)
    from training.gpu.importing import import_run

    print(import_run(args.returned, args.dest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
