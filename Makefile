# chiso — the two commands of the README, plus the tools around them.
GO      ?= go
APT     := $(shell command -v apt-get 2>/dev/null)
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FUZZTIME ?= 30s

.PHONY: run load test test-deps lint bench fuzz build clean

## run: load the bundled sample reports and serve /metrics on :9369 (Ctrl-C stops)
run:
	$(GO) run ./cmd/chiso serve

## load: one ETL run into chiso.duckdb, then exit
load:
	$(GO) run ./cmd/chiso load

build:
	$(GO) build -o chiso ./cmd/chiso

## test-deps: install what the end-to-end tests run against (Debian packages)
test-deps:
	@missing=""; \
	command -v prometheus >/dev/null || missing="$$missing prometheus"; \
	command -v promtool   >/dev/null || missing="$$missing prometheus"; \
	command -v chromium   >/dev/null || missing="$$missing chromium chromium-driver"; \
	if [ -n "$$missing" ]; then \
	  if [ -n "$(APT)" ]; then \
	    echo "installing:$$missing"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$(echo $$missing | tr ' ' '\n' | sort -u) >/dev/null; \
	  else echo "missing:$$missing (tests needing them are skipped locally and fail in CI)"; fi; \
	fi

## test: vet, then every test (real DuckDB files, a real Prometheus, headless Chromium)
test: test-deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 40m ./...

## bench: Go benchmarks and the corpus benchmark (see BENCHMARKS.md); BENCH_DOCS, BENCH_RUNS, BENCH_FLAGS tune the latter
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./etl/...
	$(GO) build -o /tmp/chiso-bench-bin ./cmd/chiso
	/tmp/chiso-bench-bin bench $(or $(BENCH_DOCS),--docs 10000 --docs 100000) --runs $(or $(BENCH_RUNS),3) $(BENCH_FLAGS)

## fuzz: run each fuzz target for FUZZTIME (default 30s)
fuzz:
	$(GO) test ./etl -run '^$$' -fuzz '^FuzzParseNumber$$' -fuzztime $(FUZZTIME)
	$(GO) test ./etl -run '^$$' -fuzz '^FuzzExtract$$' -fuzztime $(FUZZTIME)
	$(GO) test ./etl -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME)

clean:
	rm -f chiso chiso.duckdb chiso.duckdb.wal chiso-analytics.duckdb
