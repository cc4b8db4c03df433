"""The benchmark runner: ``python -m benchmarks [workload ...] [--backend numpy,cupy]
[--tf32 off|on|both] [--quick] [--json F] [--plot F.png]``."""

import argparse
import datetime
import importlib
import json
import platform
import sys
import time
import traceback

from .common import Options

WORKLOADS = ["op_overhead", "footprint", "mlp", "wide_mlp", "mlp_predict"]
TF32_CHOICES = {"off": ("off",), "on": ("on",), "both": ("off", "on")}
# Columns first in this order when present; the rest follow as met, the note last.
COLUMNS = ["workload", "device", "compare", "tf32", "impl", "samples_per_s", "gflops",
           "pct_gemm", "ratio", "seconds", "per_op_us", "ratio_vs_torch"]


def _available_backends():
    from gpukeras import backends
    return backends.available()


def _format(rows):
    keys = [k for k in COLUMNS if any(k in row for row in rows)]
    for row in rows:
        keys += [k for k in row if k not in keys and k != "note"]
    if any("note" in row for row in rows):
        keys.append("note")
    cells = [[_cell(row.get(k)) for k in keys] for row in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    line = "  ".join(k.ljust(w) for k, w in zip(keys, widths))
    out = [line, "-" * len(line)]
    out += ["  ".join(c.ljust(w) for c, w in zip(cell, widths)) for cell in cells]
    return "\n".join(out)


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("workloads", nargs="*", help=f"any of {', '.join(WORKLOADS)} (default all)")
    parser.add_argument("--backend", default=None,
                        help="comma-separated backends (default: every available one)")
    parser.add_argument("--tf32", choices=sorted(TF32_CHOICES), default="off",
                        help="TF32 mode(s) of the GPU training rows (default off)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats (smoke runs)")
    parser.add_argument("--peers", choices=("all", "torch", "none"), default="all",
                        help="peers to run: all, native PyTorch only, or none (default all)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="CPU sections: run every implementation this many times in turn "
                             "and report medians (default 3; --quick: 1)")
    parser.add_argument("--json", default=None, help="also write the rows to this JSON file")
    parser.add_argument("--plot", default=None, metavar="FILE.png",
                        help="also draw the CPU-vs-GPU and gpukeras/peer ratios (matplotlib)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.workloads if n not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; choose from {WORKLOADS}")
    args.workloads = args.workloads or list(WORKLOADS)
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")
    args.options = Options(tf32=TF32_CHOICES[args.tf32], quick=args.quick, peers=args.peers,
                           rounds=args.rounds)
    return args


def main(argv=None):
    args = parse_args(argv)
    backends = args.backend.split(",") if args.backend else _available_backends()
    print(f"gpukeras benchmarks, {datetime.date.today()}, Python {platform.python_version()}, "
          f"{platform.machine()}, backends: {', '.join(backends)}"
          + (f", TF32 (GPU rows): {args.tf32}" if "cupy" in backends else "")
          + (", quick" if args.quick else ""), flush=True)
    all_rows, failed = [], []
    for name in args.workloads:
        module = importlib.import_module(f"benchmarks.{name}")
        start = time.perf_counter()
        try:
            rows = module.run(backends, args.options)
        except Exception as exc:  # noqa: BLE001 - report it, keep the other workloads' rows
            traceback.print_exc()
            failed.append(name)
            rows = [{"workload": name, "impl": "-", "note": f"failed: {exc!r}"[:120]}]
        all_rows += rows
        print(f"\n== {name} ({time.perf_counter() - start:.0f} s) ==")
        print(_format(rows), flush=True)
    from . import plot
    ratios = plot.ratio_rows(all_rows)
    if ratios:
        print("\n== ratios (>= 1.0: gpukeras faster) ==")
        print(_format(ratios))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(all_rows, fh, indent=2)
    if args.plot:
        print(plot.save_plot(all_rows, args.plot))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
