# Two commands on a fresh machine: `make dashboard` and `make test` (see README).
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup test dashboard bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,ema]'
	@touch $(STAMP)

test: setup
	$(PY) -m pytest -n 2 --dist loadgroup -q --durations=15

dashboard: setup
	$(VENV)/bin/urbsim dashboard

bench: setup
	$(VENV)/bin/urbsim bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
