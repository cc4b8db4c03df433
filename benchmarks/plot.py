"""Ratios from a run's rows, as a table and as a PNG (matplotlib, Agg backend).

``speedups``: gpukeras[cupy] / gpukeras[numpy] per workload and TF32 mode (the CPU-vs-GPU
table). ``peer_ratios``: gpukeras / peer on the same device and TF32 mode (>= 1.0: gpukeras is
faster). Re-plot saved runs (``--json`` files, merged) with
``python -m benchmarks.plot OUT.png ROWS.json [ROWS.json ...]``.
"""

import json
import sys

OURS = {"CPU": "gpukeras[numpy]", "GPU": "gpukeras[cupy]"}


def short_name(workload):
    """``"mlp 784-512-512-10 b128 (fit)"`` -> ``"mlp"``."""
    return workload.split(" ")[0]


def speed(row):
    """Work per second of a row (samples/s; 1/seconds for op_overhead), or None."""
    if row.get("samples_per_s"):
        return row["samples_per_s"]
    if short_name(row.get("workload", "")) == "op_overhead" and row.get("seconds"):
        return 1.0 / row["seconds"]
    return None


def _key(row):
    return short_name(row["workload"]), row.get("device"), row.get("tf32")


def speedups(rows):
    """gpukeras GPU / CPU throughput: dicts of workload, tf32 and speedup."""
    cpu = {short_name(r["workload"]): speed(r) for r in rows
           if r.get("impl") == OURS["CPU"] and speed(r)}
    out = []
    for r in rows:
        name = short_name(r.get("workload", ""))
        if r.get("impl") == OURS["GPU"] and speed(r) and name in cpu:
            out.append({"workload": name, "tf32": r.get("tf32"), "speedup": speed(r) / cpu[name]})
    return out


def peer_ratios(rows):
    """gpukeras / peer throughput on the same device and TF32 mode: dicts with ``ratio``."""
    ours = {_key(r): speed(r) for r in rows if r.get("impl") == OURS.get(r.get("device"))}
    out = []
    for r in rows:
        if r.get("impl") in OURS.values() or not speed(r):
            continue
        mine = ours.get(_key(r))
        if mine:
            out.append({"workload": short_name(r["workload"]), "device": r.get("device"),
                        "tf32": r.get("tf32"), "peer": r["impl"], "ratio": mine / speed(r)})
    return out


def ratio_rows(rows):
    """One table of both kinds of ratio, for the runner's summary."""
    table = [{"workload": s["workload"], "compare": "gpukeras GPU / CPU", "tf32": s["tf32"],
              "ratio": s["speedup"]} for s in speedups(rows)]
    table += [{"workload": p["workload"], "compare": f"gpukeras / {p['peer']} ({p['device']})",
               "tf32": p["tf32"], "ratio": p["ratio"]} for p in peer_ratios(rows)]
    return table


def _in_order(items):
    """Distinct items in the order first met (workloads in the order they ran)."""
    return list(dict.fromkeys(items))


def family(impl):
    """The peer behind a row's label: ``"torch cuda (nn.Module)"`` -> ``"torch"``."""
    base = impl.split(" (")[0].replace(" cuda", "")
    return "hand-written" if base.startswith("hand-written") else base


FAMILIES = ["torch", "keras-jax", "keras-torch", "keras-tensorflow", "hand-written"]


def _series_style(device, tf32, color):
    """GPU TF32 off: solid; GPU TF32 on: faded; CPU: hatched outline."""
    if device == "CPU":
        return dict(facecolor="white", edgecolor=color, hatch="///")
    return dict(color=color, alpha=1.0 if tf32 != "on" else 0.45)


def _bars(ax, groups, series, values):
    """Grouped bars ``values[(group, key)]`` drawn from 1.0 up or down, on a log axis.

    ``series``: (key, legend label, bar style) triples, one bar per group each.
    """
    width = 0.8 / max(1, len(series))
    for j, (key, text, style) in enumerate(series):
        xs = [i + (j - (len(series) - 1) / 2) * width for i in range(len(groups))]
        ys = [values.get((g, key), float("nan")) for g in groups]
        bars = ax.bar(xs, [y - 1.0 for y in ys], width, bottom=1.0, label=text, **style)
        ax.bar_label(bars, labels=["" if y != y else f"{y:.2g}" for y in ys], fontsize=6)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups)
    ax.axhline(1.0, color="black", linestyle="--", linewidth=1)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter("{x:g}")
    ax.yaxis.set_minor_formatter("{x:g}")
    ax.tick_params(axis="y", which="minor", labelsize=6)
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.08))


def save_plot(rows, path):
    """Write the two-panel figure to ``path``; returns a line saying what was done or why not."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception:
        return f"plot skipped: matplotlib is not installed ({path} not written)"
    ups, ratios = speedups(rows), peer_ratios(rows)
    if not ups and not ratios:
        return "plot skipped: no gpukeras/peer or CPU/GPU pairs among the rows"
    fig, (left, right) = plt.subplots(1, 2, figsize=(16, 6), width_ratios=(1, 2))
    if ups:
        groups = _in_order(u["workload"] for u in ups)
        modes = sorted({u["tf32"] for u in ups}, key=str)
        series = [(m, f"TF32 {m}", _series_style("GPU", m, "tab:green")) for m in modes]
        _bars(left, groups, series, {(u["workload"], u["tf32"]): u["speedup"] for u in ups})
    else:
        left.text(0.5, 0.5, "no CPU+GPU pair of gpukeras rows", ha="center",
                  transform=left.transAxes)
    left.set_title("gpukeras speedup, GPU (CuPy) / CPU (NumPy)")
    left.set_ylabel("samples/s ratio (log)")
    if ratios:
        groups = _in_order(r["workload"] for r in ratios)
        values, keys = {}, set()
        for r in ratios:
            key = (family(r["peer"]), r["device"], r["tf32"])
            values[(r["workload"], key)] = r["ratio"]
            keys.add(key)
        order = {f: i for i, f in enumerate(FAMILIES)}
        keys = sorted(keys, key=lambda k: (k[1] != "GPU", order.get(k[0], 99), k[0], str(k[2])))
        colors = {f: f"C{i}" for i, f in enumerate(FAMILIES)}
        series = [(k, f"{k[0]} GPU, TF32 {k[2]}" if k[1] == "GPU" else f"{k[0]} CPU",
                   _series_style(k[1], k[2], colors.get(k[0], "C9"))) for k in keys]
        _bars(right, groups, series, values)
    else:
        right.text(0.5, 0.5, "no peer rows", ha="center", transform=right.transAxes)
    right.set_title("gpukeras / peer, same device (>= 1: gpukeras faster)")
    right.set_ylabel("samples/s ratio (log)")
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return f"plot written to {path}"


def main(argv=None):
    """``python -m benchmarks.plot OUT.png ROWS.json [ROWS.json ...]``: rows of runs, merged."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2 or not argv[0].endswith(".png"):
        sys.exit("usage: python -m benchmarks.plot OUT.png ROWS.json [ROWS.json ...]")
    rows = []
    for name in argv[1:]:
        with open(name) as fh:
            rows += json.load(fh)
    print(save_plot(rows, argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
