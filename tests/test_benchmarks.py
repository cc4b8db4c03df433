"""The benchmark runner's plumbing: arguments, environments, rows, ratios and the plot.

Nothing here times anything; rows are fabricated.
"""

import pytest

from benchmarks import __main__ as runner
from benchmarks import common, gpu_pass, peers, plot, training

MLP = training.label("mlp")


def _row(impl, sps, device="CPU", tf32=None, workload=MLP, **extra):
    row = {"workload": workload, "device": device, "impl": impl, "samples_per_s": sps}
    if tf32:
        row["tf32"] = tf32
    row.update(extra)
    return row


FAKE_RUN = [
    {"workload": MLP, "device": "CPU", "impl": "numpy GEMM (step shapes)", "gflops": 200.0},
    _row("gpukeras[numpy]", 20_000.0),
    _row("torch (nn.Module)", 40_000.0),
    _row("keras-tensorflow", None, note="tensorflow not installed"),
    {"workload": MLP, "device": "GPU", "tf32": "off", "impl": gpu_pass.GEMM_IMPL, "gflops": 9e3},
    _row("gpukeras[cupy]", 400_000.0, "GPU", "off"),
    _row("torch cuda (nn.Module)", 200_000.0, "GPU", "off"),
    _row("gpukeras[cupy]", 800_000.0, "GPU", "on"),
    _row("keras-jax (GPU)", 1_000_000.0, "GPU", "on"),
    {"workload": "op_overhead", "device": "CPU", "impl": "gpukeras[numpy]", "seconds": 0.002},
    {"workload": "op_overhead", "device": "CPU", "impl": "torch", "seconds": 0.004},
    {"workload": "footprint", "device": "CPU", "impl": "import gpukeras", "seconds": 0.1},
]


def test_runner_defaults_and_flags():
    args = runner.parse_args([])
    assert args.workloads == runner.WORKLOADS
    assert args.options == common.Options(tf32=("off",), quick=False)
    assert args.json is None and args.plot is None
    args = runner.parse_args(["mlp", "--tf32", "both", "--quick", "--plot", "r.png",
                              "--json", "r.json"])
    assert args.workloads == ["mlp"]
    assert args.options.tf32 == ("off", "on") and args.options.quick
    assert (args.plot, args.json) == ("r.png", "r.json")
    assert runner.parse_args(["--tf32", "on"]).options.tf32 == ("on",)


@pytest.mark.parametrize("argv", [["nope"], ["--tf32", "maybe"]])
def test_runner_rejects_bad_arguments(argv, capsys):
    with pytest.raises(SystemExit):
        runner.parse_args(argv)


def test_quick_keeps_fewer_repeats():
    assert common.Options().repeats(25) == 25
    assert common.Options(quick=True).repeats(25) == 3
    assert common.Options(quick=True).repeats(3) == 1
    assert training.config("mlp", quick=True)["repeat"] == 1
    assert training.config("mlp")["repeat"] == training.CONFIGS["mlp"]["repeat"]


def test_peer_arguments():
    args = peers.parse_args(["keras", "wide_mlp", "--gpu", "--tf32", "on", "--quick"])
    assert (args.kind, args.workload, args.gpu, args.tf32, args.quick) == (
        "keras", "wide_mlp", True, "on", True)
    assert not peers.parse_args(["torch", "mlp"]).gpu


def test_cpu_children_see_no_gpu(monkeypatch):
    monkeypatch.delenv("JAX_PLATFORMS", raising=False)
    env = common.cpu_env()
    assert env["JAX_PLATFORMS"] == "cpu"
    assert env["CUDA_VISIBLE_DEVICES"] == ""


def test_gpu_children_get_their_tf32_mode(monkeypatch):
    monkeypatch.setenv("JAX_PLATFORMS", "cpu")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    monkeypatch.setenv("NVIDIA_TF32_OVERRIDE", "0")
    on = common.gpu_env("on")
    assert on["CUPY_TF32"] == "1" and on["GK_BENCH_TF32"] == "on"
    assert on["JAX_DEFAULT_MATMUL_PRECISION"] == "tensorfloat32"
    assert "NVIDIA_TF32_OVERRIDE" not in on
    assert "JAX_PLATFORMS" not in on and "CUDA_VISIBLE_DEVICES" not in on
    off = common.gpu_env("off")
    assert off["CUPY_TF32"] == "0" and off["NVIDIA_TF32_OVERRIDE"] == "0"
    assert off["JAX_DEFAULT_MATMUL_PRECISION"] == "highest"


def test_process_tf32_reads_cupy_variable(monkeypatch):
    monkeypatch.setenv("CUPY_TF32", "1")
    assert common.process_tf32() == "on"
    monkeypatch.setenv("CUPY_TF32", "0")
    assert common.process_tf32() == "off"
    monkeypatch.delenv("CUPY_TF32")
    assert common.process_tf32() == "off"


def test_failing_child_gives_a_reason_not_an_exception():
    result, why = common.run_child("benchmarks.no_such_module", [], common.cpu_env(), timeout=60)
    assert result is None and why.startswith("failed")


def test_rows_ratio_gflops_and_gemm_share():
    cfg = training.CONFIGS["mlp"]
    r = training.make_row("mlp", "GPU", "torch cuda (nn.Module)", 1000.0, ours=1500.0,
                          tf32="on")
    assert r["ratio"] == pytest.approx(1.5)
    assert r["tf32"] == "on"
    assert r["gflops"] == pytest.approx(1000.0 * training.step_flops(cfg) / cfg["batch"] / 1e9)
    missing = training.make_row("mlp", "CPU", "keras-jax", None, ours=1500.0, note="jax missing")
    assert "ratio" not in missing and missing["note"] == "jax missing" and "tf32" not in missing
    training.add_pct_gemm([r, missing], gemm=r["gflops"] * 2)
    assert r["pct_gemm"] == pytest.approx(50.0) and "pct_gemm" not in missing


def test_step_flops_counts_forward_and_both_backward_gemms():
    cfg = dict(sizes=(4, 3, 2), batch=5, train=True)
    fwd = 2 * 5 * (4 * 3 + 3 * 2)
    assert training.step_flops(cfg) == fwd + fwd + 2 * 5 * 3 * 2
    assert training.step_flops(dict(cfg, train=False)) == fwd


def test_speedups_and_peer_ratios():
    ups = plot.speedups(FAKE_RUN)
    assert {(u["workload"], u["tf32"]): u["speedup"] for u in ups} == {
        ("mlp", "off"): pytest.approx(20.0), ("mlp", "on"): pytest.approx(40.0)}
    ratios = {(p["peer"], p["tf32"]): p["ratio"] for p in plot.peer_ratios(FAKE_RUN)}
    assert ratios == {("torch (nn.Module)", None): pytest.approx(0.5),
                      ("torch cuda (nn.Module)", "off"): pytest.approx(2.0),
                      ("keras-jax (GPU)", "on"): pytest.approx(0.8),
                      ("torch", None): pytest.approx(2.0)}     # op_overhead: 1 / seconds
    table = plot.ratio_rows(FAKE_RUN)
    assert len(table) == len(ups) + len(ratios)
    assert all(set(t) == {"workload", "compare", "tf32", "ratio"} for t in table)


def test_format_orders_columns_and_puts_notes_last():
    text = runner._format([_row("a", 1.5, note="n"), _row("b", None, "GPU", "on", extra=3)])
    header = text.splitlines()[0].split()
    assert header[:5] == ["workload", "device", "tf32", "impl", "samples_per_s"]
    assert header[-1] == "note" and "extra" in header


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "ratios.png"
    message = plot.save_plot(FAKE_RUN, str(path))
    assert "written" in message
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_skips_without_pairs(tmp_path):
    path = tmp_path / "none.png"
    message = plot.save_plot(FAKE_RUN[:1], str(path))
    assert "skipped" in message and not path.exists()


def test_gpu_section_survives_failing_children(monkeypatch):
    monkeypatch.setattr(gpu_pass, "run_child", lambda *a, **k: (None, "failed: no GPU"))
    monkeypatch.setattr(peers, "run_keras_peer", lambda *a, **k: (None, "keras not installed"))
    rows = gpu_pass.gpu_section("mlp", "on", common.Options(tf32=("on",)))
    assert [r["impl"] for r in rows] == ["gpukeras[cupy]", "keras-jax (GPU)", "keras-torch (GPU)"]
    assert rows[0]["note"] == "GPU pass failed: no GPU"
    assert all(r["tf32"] == "on" and r["samples_per_s"] is None for r in rows)


def test_gpu_section_adds_keras_peers_to_the_child_rows(monkeypatch):
    child = [training.gemm_row("mlp", "GPU", gpu_pass.GEMM_IMPL, 1000.0, tf32="off"),
             training.make_row("mlp", "GPU", "gpukeras[cupy]", 3000.0, tf32="off")]
    seen = []

    def fake_peer(name, kb, options, gpu=False, tf32=None, timeout=600):
        seen.append((kb, gpu, tf32))
        return 1500.0, "3.x"

    monkeypatch.setattr(gpu_pass, "run_child", lambda *a, **k: ({"rows": child}, None))
    monkeypatch.setattr(peers, "run_keras_peer", fake_peer)
    rows = gpu_pass.gpu_section("mlp", "off", common.Options())
    assert seen == [("jax", True, "off"), ("torch", True, "off")]
    jax_row = rows[2]
    assert jax_row["impl"] == "keras-jax (GPU)" and jax_row["ratio"] == pytest.approx(2.0)
    assert jax_row["pct_gemm"] == pytest.approx(100.0 * jax_row["gflops"] / 1000.0)


def test_torch_tf32_switch_round_trips():
    torch = pytest.importorskip("torch")
    before = common.torch_tf32()
    try:
        for mode in ("on", "off"):
            common.set_torch_tf32(torch, mode)
            assert common.torch_tf32() == mode
    finally:
        common.set_torch_tf32(torch, before)


def test_keras_on_tensorflow_runs_in_the_interpreter_named_by_the_environment(monkeypatch,
                                                                                tmp_path):
    """TensorFlow pins its own h5py/protobuf, so it may live in another environment."""
    missing = tmp_path / "no-python-here"
    monkeypatch.setenv(peers.TF_PYTHON_ENV, str(missing))
    sps, why = peers.run_keras_peer("mlp", "tensorflow", common.Options(quick=True))
    assert sps is None and why.startswith("could not start") and "no-python-here" in why
    monkeypatch.delenv(peers.TF_PYTHON_ENV)
    if peers._installed("keras") and not peers._installed("tensorflow"):
        sps, why = peers.run_keras_peer("mlp", "tensorflow", common.Options(quick=True))
        assert sps is None and peers.TF_PYTHON_ENV in why


def test_interleaved_timing_takes_the_repeats_in_turn():
    calls = []
    medians = common.timeit_interleaved({"a": lambda: calls.append("a"),
                                         "b": lambda: calls.append("b")}, repeat=3, warmup=1)
    assert calls == ["a", "b"] * 4 and set(medians) == {"a", "b"}
    assert all(m >= 0 for m in medians.values())


def test_quickstart_trains_the_beginner_model_for_one_epoch():
    from benchmarks import quickstart
    result = quickstart.run("gpukeras", samples=96)
    assert result["impl"] == "gpukeras" and result["epoch_s"] > 0
    assert result["ms_per_step"] == pytest.approx(1e3 * result["epoch_s"] / 3)
