# Driftway — the two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080
DATA ?= ./data
RELEASE_BIN := build/release/src/app/driftway
# The web client: rebuilt only when a source is newer than the last build.
WEB_DIST := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/package.json \
	web/package-lock.json web/tsconfig.json web/vite.config.ts

.PHONY: run test build deps configure-release unit-test asan-test integration-test e2e-test web bench-http bench-ws format clean

deps:
	@scripts/install-deps

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target driftway

$(WEB_DIST): $(WEB_SOURCES)
	@cd web && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@cd web && npm run --silent build
	@touch $@

web: deps $(WEB_DIST)

run: build web
	@echo ""
	@echo "  Driftway is starting at http://$(LISTEN)  (data in $(DATA)); open it in a browser."
	@echo "  Create the owner account in another terminal with:"
	@echo "    $(RELEASE_BIN) admin create-owner --data $(DATA) --username NAME --email ADDRESS"
	@echo "  (it reads the password from standard input), or register the first account"
	@echo "  through the API: the first account becomes the instance owner."
	@echo ""
	@DRIFTWAY_SERVER_WEB_ROOT=$(CURDIR)/web/dist $(RELEASE_BIN) serve --listen $(LISTEN) --data $(DATA)

# Every test tier that exists: unit (release), integration (the real binary),
# end to end (the web client in Chromium), and the unit tests again under
# ASan + UBSan.
test: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)
	@$(MAKE) --no-print-directory unit-test integration-test e2e-test asan-test

unit-test:
	@ctest --preset release -j $(JOBS) -L unit

integration-test:
	@cd tests/integration && { [ ! -f package-lock.json ] || [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@cd tests/integration && DRIFTWAY_BIN=$(CURDIR)/$(RELEASE_BIN) node --test --test-concurrency=1 *.test.mjs

# DRIFTWAY_BIN picks another binary (default: the release build).
e2e-test: $(WEB_DIST)
	@cd tests/e2e && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@cd tests/e2e && DRIFTWAY_BIN=$${DRIFTWAY_BIN:-$(CURDIR)/$(RELEASE_BIN)} node --test --test-concurrency=1 *.test.mjs

asan-test:
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS) --target unit_tests
	@ctest --preset asan -j $(JOBS) -L unit

bench-http: build
	@DRIFTWAY_BIN=$(CURDIR)/$(RELEASE_BIN) bench/http/run

bench-ws: build
	@DRIFTWAY_BIN=$(CURDIR)/$(RELEASE_BIN) bench/ws/run

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
