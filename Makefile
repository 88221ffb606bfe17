# PeerPath. The two commands: `make run` and `make test` (see README.md).
# Everything else here is what those two need, and a few reports.

SHELL := /bin/bash
.DEFAULT_GOAL := run
.DELETE_ON_ERROR:

# Python 3.11 for the gateway, actions, search and tests; Python 3.10 for Rasa 3.6.
PY311 ?= $(shell for p in python3.11 $$HOME/.pyenv/versions/3.11*/bin/python3.11 /usr/bin/python3.11; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 11)' >/dev/null 2>&1 && { echo $$p; break; }; done)
PY310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo $$p; break; }; done)

VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
MODEL := models/peerpath.tar.gz
# The held-out NLU tests (tests/nlu_test.yml, tests/nlu_blind.yml) must reach this
# macro F1 in `make test`.
NLU_MIN_F1 ?= 0.93
RASA_INPUTS := config.yml domain.yml $(shell find data -type f -name '*.yml' 2>/dev/null) \
	$(wildcard rasa_addons/*.py)

# Rasa reads these from endpoints.yml; the supervisor sets them for `make run`.
export ACTION_SERVER_WEBHOOK ?= http://127.0.0.1:5055/webhook
export RASA_TRACKER_DB ?= var/rasa-tracker.db
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run run-cluster words cluster-packages test-cluster unit typecheck test setup index safety-model browser lint rasa-check pytest eval bench bench-chat eval-chat eval-blind safety-report nlu-report coverage lock clean migrate soak

## run: set everything up (first time: ~6 min) and start the assistant
run: setup
	$(PY) -m supervisor

## test: set everything up and run every check (lint, Rasa's checks, pytest)
test: setup lint typecheck rasa-check pytest

setup: $(VENV)/.installed $(RASA_VENV)/.installed $(MODEL) var/.dir words index safety-model

# Loads the saved index, or rebuilds it if knowledge/ changed (a few seconds).
index: $(VENV)/.installed var/.dir
	$(PY) -m peerpath index

# The crisis classifier, trained when its examples change (not on the gateway's first start).
safety-model: $(VENV)/.installed var/.dir
	$(PY) -m bot.safety

var/.dir:
	mkdir -p var && touch $@

# A venv is (re)installed when its pinned requirements file changes.
$(VENV)/.installed: requirements/app.txt
	@test -n "$(PY311)" || { echo "Python 3.11 is required (python3.11 not found)"; exit 1; }
	test -x $(PY) || $(PY311) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/app.txt
	touch $@

$(RASA_VENV)/.installed: requirements/rasa.txt requirements/rasa-nodeps.txt
	@test -n "$(PY310)" || { echo "Python 3.10 is required for Rasa 3.6 (python3.10 not found)"; exit 1; }
	test -x $(RASA_VENV)/bin/python || $(PY310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/rasa.txt
	$(RASA_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
		-r requirements/rasa-nodeps.txt
	touch $@

# Trained only when the training data or config changed (Rasa also skips an
# unchanged model by its own fingerprint).
$(MODEL): $(RASA_VENV)/.installed $(RASA_INPUTS)
	$(RASA) train --fixed-model-name peerpath --out models
	touch $@

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check peerpath bot supervisor actions rasa_addons tests
	$(VENV)/bin/ruff format --check peerpath bot supervisor actions rasa_addons tests

rasa-check: $(MODEL) $(VENV)/.installed
	$(RASA) data validate --fail-on-warning
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml \
		--fail-on-prediction-errors --out results/core
	$(RASA) test nlu --model $(MODEL) --nlu tests/nlu_test.yml --out results/nlu
	$(PY) -m eval.nlu_report results/nlu/intent_report.json \
		--min-macro-f1 $(NLU_MIN_F1) --full-recall request_human
	$(RASA) test nlu --model $(MODEL) --nlu tests/nlu_blind.yml --out results/nlu-blind
	$(PY) -m eval.nlu_report results/nlu-blind/intent_report.json \
		--min-macro-f1 $(NLU_MIN_F1) --full-recall request_human

## nlu-report: 5-fold cross-validation of the NLU (about 30 minutes on 2 cores)
nlu-report: $(RASA_VENV)/.installed $(VENV)/.installed
	$(RASA) test nlu --nlu data/nlu --cross-validation --folds 5 --config config.yml \
		--out results/nlu-cv
	$(PY) -m eval.nlu_report results/nlu-cv/intent_report.json --min-macro-f1 0.90 \
		--full-recall request_human

pytest: setup browser cluster-packages
	$(PY) -m pytest

## migrate: upgrade PeerPath's own tables (hand-offs, feedback) to this release; make run does it too (AUTO_MIGRATE=1)
migrate: $(VENV)/.installed
	$(PY) -m bot migrate

## run-cluster: PostgreSQL, Redis, two Rasa replicas with their action servers, two gateways behind haproxy
run-cluster: setup cluster-packages
	$(PY) -m supervisor.cluster

## unit: the fast specs and tests that need no Rasa, no browser and no servers (under a minute)
unit: $(VENV)/.installed words
	$(PY) -m pytest -q -m "not slow and not browser and not servers"

## typecheck: mypy over the shared package, the gateway, the actions and the supervisor
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy peerpath bot actions supervisor

## test-cluster: the cluster tests alone (make test runs them too)
test-cluster: setup cluster-packages
	$(PY) -m pytest -q tests/test_cluster.py tests/test_shared_redis.py tests/test_handoff_postgres.py

# The cluster's servers come from Debian's packages (installed once if missing).
cluster-packages:
	@command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] && command -v redis-server >/dev/null \
		&& ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			haproxy redis-server postgresql-15; }

# Search leaves words of this English list alone when it repairs typos (Debian's wamerican).
words:
	@test -r /usr/share/dict/words || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wamerican; }

# Browser tests drive Debian's Chromium (Playwright can't download browsers here).
browser:
	@command -v chromium >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

## eval: search quality (hit@1, hit@3, MRR) over knowledge/ and the raw seed texts
eval: $(VENV)/.installed
	$(PY) -m eval.search_eval

## eval-chat: the conversation over the real stack: dev questions as single turns, and the chat scripts
eval-chat: setup
	$(PY) -m eval.chat_eval $(if $(SCRIPTS),--scripts $(SCRIPTS)) --show

## eval-blind: run a blind set once, recording every reply for an independent judge (SET=tests/eval/blind4)
eval-blind: setup
	$(PY) -m eval.blind_run $(or $(SET),tests/eval/blind4)

## coverage: does knowledge/ hold every fact of the sources (tests/eval/facts.yml)?
coverage: $(VENV)/.installed
	$(PY) -m eval.coverage

## safety-report: the net by writer split, category and language (CALIBRATE=1 sets its thresholds, UNSEEN=1 adds the newest unseen set, UNSEEN=path another), and what Rasa's own intent alone catches
safety-report: $(MODEL) $(VENV)/.installed
	$(PY) -m eval.safety_report $(if $(CALIBRATE),--calibrate) $(if $(UNSEEN),--unseen $(filter-out 1,$(UNSEEN))) $(if $(SHOW),--show)
	$(RASA_VENV)/bin/python -m eval.rasa_safety_layer

## bench-chat: the whole stack under a Locust load, with memory and start-up time (BEFORE=rev to compare, CLUSTER=1 to add make run-cluster)
bench-chat: setup
	$(PY) -m eval.bench.chat_bench $(if $(BEFORE),--before $(BEFORE)) $(if $(CLUSTER),--cluster)

## soak: 20 users for 30 minutes (MINUTES=n), every process's memory read each minute
soak: setup
	$(PY) -m eval.bench.soak $(if $(MINUTES),--minutes $(MINUTES))

## bench: search latency and index build throughput (takes several minutes)
bench: $(VENV)/.installed
	$(PY) -m eval.bench.search_bench
	$(PY) -m eval.bench.safety_bench

## lock: re-pin requirements/*.txt from requirements/*.in in throwaway venvs
lock:
	rm -rf /tmp/peerpath-lock && $(PY311) -m venv /tmp/peerpath-lock/app \
		&& /tmp/peerpath-lock/app/bin/pip install --quiet -r requirements/app.in \
		&& { echo "# Generated by \`make lock\` from app.in: every package pinned. Edit app.in, not this file."; \
		     /tmp/peerpath-lock/app/bin/pip freeze | sed 's/^torch==\(.*\)+cpu/torch==\1/'; } > requirements/app.txt
	$(PY310) -m venv /tmp/peerpath-lock/rasa \
		&& /tmp/peerpath-lock/rasa/bin/pip install --quiet -r requirements/rasa.in \
		&& { echo "# Generated by \`make lock\` from rasa.in: every package pinned. Edit rasa.in, not this file."; \
		     /tmp/peerpath-lock/rasa/bin/pip freeze; } > requirements/rasa.txt

clean:
	rm -rf $(VENV) $(RASA_VENV) models results .rasa
