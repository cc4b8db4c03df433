# Everything starts from a fresh clone: `make test` and `make demo` create .venv themselves.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: test demo bench info clean

$(VENV)/.test-deps: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.demo-deps: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[demo]'
	@cuda=$$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9]*\).*/\1/p' | head -n1); \
	if [ -n "$$cuda" ]; then \
	  extra=cuda13; [ "$$cuda" -lt 13 ] && extra=cuda12; \
	  echo "GPU found (CUDA $$cuda): installing CuPy via gpukeras[$$extra]"; \
	  $(PY) -m pip install --quiet -e ".[$$extra]"; \
	else echo "no GPU found: the demo runs on the NumPy (CPU) backend"; fi
	touch $@

# The suite runs the compiled CPU kernels where a C compiler exists; the second run trains
# through the NumPy twins alone, as on a machine without one.
test: $(VENV)/.test-deps
	$(PY) -m pytest -q -p no:cacheprovider
	GPUKERAS_CPU_KERNELS=numpy $(PY) -m pytest -q -p no:cacheprovider tests/keras/optimizers \
	  tests/keras/trainers tests/keras/test_seed_training_listings.py

demo: $(VENV)/.demo-deps
	$(PY) examples/digits_demo.py

bench: $(VENV)/.test-deps
	$(PY) -m benchmarks

info: $(VENV)/.test-deps
	$(PY) -m gpukeras info

clean:
	rm -rf $(VENV) build *.egg-info
