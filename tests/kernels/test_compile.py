"""Every CUDA source compiles for sm_80 and sm_90 without a GPU (NVRTC from the nvidia-cuda-nvrtc
wheel, else nvcc), warnings are errors, and the check itself catches broken sources. Also: the
CuPy loader imports without CuPy and mirrors the NumPy twins' interface exactly."""

import inspect
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from gpukeras.kernels import compile_check, gpu, twin, twin_names, twins

HAVE_NVRTC = compile_check.find_nvrtc() is not None
HAVE_NVCC = shutil.which("nvcc") is not None
needs_compiler = pytest.mark.skipif(
    not (HAVE_NVRTC or HAVE_NVCC),
    reason="neither NVRTC (pip install nvidia-cuda-nvrtc) nor nvcc is available")
ARCHS = ("sm_80", "sm_90")


@pytest.fixture(scope="module")
def compiled():
    """{(arch, file): (ok, log)} for every .cu file, both architectures compiled in parallel."""
    with ThreadPoolExecutor(max_workers=len(ARCHS)) as pool:
        runs = {arch: pool.submit(compile_check.compile_all, arch) for arch in ARCHS}
        return {(arch, f): (ok, log) for arch, run in runs.items() for f, ok, log in run.result()}


@needs_compiler
@pytest.mark.parametrize("filename", compile_check.source_files())
@pytest.mark.parametrize("arch", ARCHS)
def test_every_source_compiles(compiled, arch, filename):
    ok, log = compiled[(arch, filename)]
    assert ok, f"{filename} does not compile for {arch}:\n{log}"
    warnings = [line for line in log.splitlines()   # the compiler's own diagnostics only
                if "warning" in line.lower() and not line.startswith("(this NVRTC")]
    assert not warnings, log


def test_sources_and_entry_points_are_listed():
    assert sorted(gpu.SOURCES) == compile_check.source_files()
    for filename in gpu.SOURCES:
        for dtype in gpu.DTYPES:
            names = gpu.entry_points(filename, dtype)
            assert len(names) == len(set(names))
            assert all(n.isidentifier() for n in names)
    with pytest.raises(KeyError, match="known sources"):
        gpu.entry_points("nope.cu", "float32")


def test_read_source_inlines_local_headers():
    text = gpu.read_source("softmax.cu")
    assert '#include "' not in text
    assert "GK_COMMON_CUH" in text and "row_reduce" in text


# -- the check can fail ------------------------------------------------------------------------
COMPILERS = [pytest.param("nvrtc", marks=pytest.mark.skipif(not HAVE_NVRTC, reason="no NVRTC")),
             pytest.param("nvcc", marks=pytest.mark.skipif(not HAVE_NVCC, reason="no nvcc"))]


def _compile(source, kernels, compiler, options=()):
    return compile_check.compile_source(source, "check.cu", kernels, "sm_90", options, compiler)


@pytest.mark.parametrize("compiler", COMPILERS)
def test_a_valid_source_passes(compiler):
    ok, log = _compile('extern "C" __global__ void k(float* x) { x[threadIdx.x] *= 2.0f; }',
                       ["k"], compiler)
    assert ok, log


@pytest.mark.parametrize("compiler", COMPILERS)
def test_a_broken_source_fails_with_its_log(compiler):
    ok, log = _compile('extern "C" __global__ void k(float* x) { x[0] = undefined_name; }',
                       ["k"], compiler)
    assert not ok
    assert "undefined_name" in log


@pytest.mark.parametrize("compiler", COMPILERS)
def test_warnings_are_errors(compiler):
    ok, log = _compile('extern "C" __global__ void k(float* x) { int unused; x[0] = 1.0f; }',
                       ["k"], compiler)
    if "does not support" in log:
        pytest.skip("this NVRTC cannot turn warnings into errors")
    assert not ok
    assert "unused" in log


@pytest.mark.parametrize("compiler", COMPILERS)
def test_templates_are_instantiated(compiler):
    """A static_assert inside a template fires once an extern "C" entry point instantiates it."""
    source = """
    template <class T> __device__ void body(T* x) {
        static_assert(sizeof(T) == 2, "only 16-bit types");
        x[0] = T(0);
    }
    extern "C" __global__ void k(float* x) { body<float>(x); }
    """
    ok, log = _compile(source, ["k"], compiler)
    assert not ok
    assert "only 16-bit types" in log


@pytest.mark.parametrize("compiler", COMPILERS)
def test_a_missing_kernel_fails(compiler):
    ok, log = _compile('extern "C" __global__ void k(float* x) { x[0] = 1.0f; }',
                       ["k", "not_there"], compiler)
    assert not ok
    assert "not_there" in log


@pytest.mark.parametrize("compiler", COMPILERS)
def test_a_kernel_without_c_linkage_fails(compiler):
    """The loader looks kernels up by plain name: a C++-mangled one would not be found."""
    ok, log = _compile('__global__ void k(float* x) { x[0] = 1.0f; }', ["k"], compiler)
    assert not ok
    assert "k" in log


@pytest.mark.parametrize("compiler", COMPILERS)
def test_dtype_selection_macros(compiler):
    """The per-dtype module the loader builds holds exactly that dtype's entry points."""
    source = gpu.read_source("softmax.cu")
    ok, log = _compile(source, gpu.entry_points("softmax.cu", "float16"), compiler,
                       gpu.module_options("float16"))
    assert ok, log
    ok, log = _compile(source, gpu.entry_points("softmax.cu", "float32"), compiler,
                       gpu.module_options("float16"))
    assert not ok


def test_no_compiler_gives_a_clear_error(monkeypatch):
    monkeypatch.setattr(compile_check, "find_nvrtc", lambda: None)
    monkeypatch.setattr(compile_check.shutil, "which", lambda name: None)
    with pytest.raises(compile_check.CompilerNotFoundError, match="nvidia-cuda-nvrtc"):
        compile_check.compile_source("", "x.cu")
    assert compile_check.main(["--arch", "sm_90"]) == 2


def test_main_reports_failures(monkeypatch, capsys):
    monkeypatch.setattr(compile_check, "compile_all",
                        lambda arch, compiler, per_dtype: [("a.cu", True, ""),
                                                          ("b.cu", False, "boom")])
    assert compile_check.main(["--arch", "sm_90"]) == 1
    out = capsys.readouterr().out
    assert "b.cu" in out and "FAILED" in out and "boom" in out


def test_bad_architecture_is_rejected():
    with pytest.raises(ValueError, match="sm_90"):
        compile_check._arch_number("hopper")
    assert compile_check._arch_number("compute_90") == compile_check._arch_number("sm_90") == "90"


# -- the loader --------------------------------------------------------------------------------
def test_loader_imports_without_cupy():
    code = ("import sys; sys.modules['cupy'] = None\n"
            "import gpukeras.kernels.gpu as gpu\n"
            "fn = gpu.load('softmax_forward')\n"
            "assert 'cupy' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
            "try:\n    fn([[1.0]])\nexcept ImportError:\n    print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_loader_mirrors_the_twins():
    assert sorted(gpu.KERNELS) == twin_names()
    for name in twin_names():
        assert inspect.signature(gpu.load(name)) == inspect.signature(twin(name)), name
    assert set(gpu.ACTIVATIONS) == set(twins.ACTIVATIONS)


def test_unknown_kernel_names_the_known_ones():
    with pytest.raises(KeyError, match="softmax_forward"):
        gpu.load("softmax_forwards")


def test_label_check_mode_is_validated():
    with pytest.raises(ValueError, match="sync"):
        gpu.set_label_check("sometimes")
