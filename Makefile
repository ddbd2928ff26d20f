# hotline-router: the two commands of the README's quick start are `make demo` and `make test`.
# Both install what is missing on a fresh Debian 12 machine (run as root): Debian packages,
# the virtual environment, and the lab's Asterisk 22 root (cached in ~/.cache/hotline-router).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
APT_PACKAGES := debootstrap redis-server redis-tools mosquitto mosquitto-clients util-linux \
                prometheus sip-tester \
                ca-certificates chromium chromium-driver fonts-wqy-microhei
STAMP  := $(VENV)/.installed

.PHONY: lock demo test lint typecheck unit mutation fuzz bench lab-up lab-down lab-status deps apt clean

demo: deps
	$(BIN)/python -m router demo

test: deps lint typecheck
	$(BIN)/python -m router catalogue render-queues --check
	$(BIN)/python -m router lab build
	$(BIN)/python -m pytest -q

unit: deps
	$(BIN)/python -m pytest -q tests/unit tests/replay

# the property tests with fresh randomness (long; not in `test`)
fuzz: deps
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/unit

# mutation score of the pure code in the CPU tier (pyproject.toml [tool.mutmut]), then the
# table of docs/testing.md; about 6 minutes on 2 cores
mutation: deps
	rm -rf mutants
	$(BIN)/mutmut run > mutation.log 2>&1
	$(BIN)/python -m tests.mutation.report --write docs/testing.md

# the benchmarks (each with its baseline in the same run), then bench/README.md's table
bench: deps
	for b in p1_decision_latency p2_router_overhead p3_ami_ingest p4_concurrent_calls \
	         p5_call_rate p6_metrics_writes p7_mqtt_publish p8_restart_recovery \
	         p9_standards_cost; do \
	  $(BIN)/python -m bench.$$b || true; done
	$(BIN)/python -m bench.table

lint: deps
	$(BIN)/ruff check router skills metrics tests $(wildcard bench)

typecheck: deps
	$(BIN)/mypy

lab-up: deps
	$(BIN)/python -m router lab up
lab-down: deps
	$(BIN)/python -m router lab down
lab-status: deps
	$(BIN)/python -m router lab status

deps: apt $(STAMP)

apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# re-pin constraints.txt from pyproject.toml's ranges (newest versions the ranges allow)
lock:
	rm -rf /tmp/hotline-lock && $(PYTHON) -m venv /tmp/hotline-lock
	/tmp/hotline-lock/bin/pip install -q -e '.[dev]'
	{ sed -n '1,3p' constraints.txt; /tmp/hotline-lock/bin/pip freeze --exclude-editable; } \
	  > constraints.new && mv constraints.new constraints.txt
	rm -rf /tmp/hotline-lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache mutants mutation.log
