# Two commands a newcomer needs: `make run` and `make test`. Both create .venv/ on first use.
# `make test` (and `make flink` alone) also fetches Flink's job server with Maven (Java 17);
# `make run` needs neither.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
FLINK_STAMP := $(VENV)/.flink-installed
PYTEST_ARGS ?=
# Apache Kafka for the Kafka tests: the jars of the release pinned in the pom, from Maven Central.
KAFKA_POM   := tests/apache_kafka/pom.xml
KAFKA_JARS  := tests/apache_kafka/lib
KAFKA_STAMP := $(KAFKA_JARS)/.fetched
EVAL_ARGS ?=

.PHONY: run test kafka-jars flink bench eval lint clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "copydesk needs Python 3.11; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench,dev]'
	touch $@ $(RUN_STAMP)

$(KAFKA_STAMP): $(KAFKA_POM)
	@command -v java >/dev/null && command -v mvn >/dev/null || { echo "make test needs Java 17 and Maven (Debian: apt-get install openjdk-17-jre-headless maven)" >&2; exit 1; }
	rm -rf $(KAFKA_JARS)
	mvn --batch-mode --quiet -f $(KAFKA_POM) dependency:copy-dependencies \
	    -DincludeScope=runtime -DoutputDirectory=$(CURDIR)/$(KAFKA_JARS)
	touch $@

kafka-jars: $(KAFKA_STAMP)

# Beam's Flink job server for the pinned Beam, into $(VENV)/jars (where copydesk looks).
$(FLINK_STAMP): pyproject.toml deploy/flink/job-server.pom.xml deploy/flink/fetch-job-server.sh | $(BIN)/python
	deploy/flink/fetch-job-server.sh $(VENV)/jars
	touch $@

flink: $(FLINK_STAMP)

run: $(RUN_STAMP)
	$(BIN)/copydesk batch seeds/ --output out/

test: $(TEST_STAMP) $(KAFKA_STAMP) $(FLINK_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(TEST_STAMP) $(FLINK_STAMP) $(KAFKA_STAMP)
	$(BIN)/python -m bench.run

# EVAL_ARGS="--ftfy-cases DIR" adds ftfy's own test cases (a checkout's tests/test-cases).
eval: $(TEST_STAMP)
	$(BIN)/python -m bench.eval $(EVAL_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check pipelines transforms schemas tests bench

clean:
	rm -rf out/ .pytest_cache .hypothesis
