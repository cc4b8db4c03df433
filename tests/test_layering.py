"""The layering rules of DESIGN.md, enforced with import-linter.

- Nothing under gpukeras/keras, gpukeras/data, gpukeras/distribute imports numpy or cupy, except
  the boundary modules listed in BOUNDARIES (user arrays in, predict() results out, files).
- core and ops never import cupy; only backends/ and kernels/ know which array library runs.
- Dependencies point down: ops -> core -> backends -> kernels.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gpukeras"

#: Modules of the Keras stack allowed to touch NumPy directly (data in and out, files).
BOUNDARIES = [
    "gpukeras.data.host_arrays",  # holds user NumPy arrays, slices them and their row indices
]


def _contracts():
    stack = [f"gpukeras.{name}" for name in ("keras", "data", "distribute")
             if (PACKAGE / name).exists()]
    text = ["[importlinter]", "root_package = gpukeras", "include_external_packages = True", ""]
    if stack:
        text += ["[importlinter:contract:stack]",
                 "name = The Keras stack computes only through gpukeras ops",
                 "type = forbidden", "source_modules ="] + [f"    {m}" for m in stack] + [
                 "forbidden_modules =", "    numpy", "    cupy",
                 # Through gpukeras.ops is the point; only direct imports are forbidden here.
                 "allow_indirect_imports = True"]
        if BOUNDARIES:
            text += ["ignore_imports ="] + [f"    {b} -> numpy" for b in BOUNDARIES]
        text.append("")
    text += ["[importlinter:contract:no-cupy]",
             "name = core and ops reach CuPy only through the backends",
             "type = forbidden", "source_modules =", "    gpukeras.core", "    gpukeras.ops",
             "forbidden_modules =", "    cupy", "allow_indirect_imports = True", "",
             "[importlinter:contract:layers]",
             "name = Dependencies point down: ops, core, backends, kernels",
             "type = layers", "layers =", "    gpukeras.ops", "    gpukeras.core",
             "    gpukeras.backends", "    gpukeras.kernels", ""]
    return "\n".join(text)


def _lint_imports(config):
    """Run import-linter's command in a child interpreter (no console script needed)."""
    code = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"
    return subprocess.run([sys.executable, "-c", code, "--config", str(config), "--no-cache"],
                          cwd=ROOT, capture_output=True, text=True)


def test_import_contracts_hold(tmp_path):
    pytest.importorskip("importlinter")
    config = tmp_path / "importlinter.ini"
    config.write_text(_contracts())
    result = _lint_imports(config)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_violation_is_detected(tmp_path):
    """The checker itself must be able to fail: a contract forbidding numpy in core breaks."""
    pytest.importorskip("importlinter")
    config = tmp_path / "importlinter.ini"
    config.write_text("[importlinter]\nroot_package = gpukeras\ninclude_external_packages = True\n\n"
                      "[importlinter:contract:bad]\nname = core without numpy\ntype = forbidden\n"
                      "source_modules =\n    gpukeras.core\nforbidden_modules =\n    numpy\n")
    result = _lint_imports(config)
    assert result.returncode != 0 and "1 broken" in result.stdout, result.stdout
