# Driftway — the two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080
DATA ?= ./data
RELEASE_BIN := build/release/src/app/driftway

.PHONY: run test build deps configure-release unit-test asan-test integration-test bench-http bench-ws format clean

deps:
	@scripts/install-deps

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target driftway

run: build
	@echo ""
	@echo "  Driftway is starting at http://$(LISTEN)  (data in $(DATA))"
	@echo "  Create the owner account in another terminal with:"
	@echo "    $(RELEASE_BIN) admin create-owner --data $(DATA) --username NAME --email ADDRESS"
	@echo "  (it reads the password from standard input), or register the first account"
	@echo "  through the API: the first account becomes the instance owner."
	@echo ""
	@$(RELEASE_BIN) serve --listen $(LISTEN) --data $(DATA)

# Every test tier that exists: unit (release), integration (the real binary),
# and the unit tests again under ASan + UBSan.
test: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)
	@$(MAKE) --no-print-directory unit-test integration-test asan-test

unit-test:
	@ctest --preset release -j $(JOBS) -L unit

integration-test:
	@cd tests/integration && { [ ! -f package-lock.json ] || [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@cd tests/integration && DRIFTWAY_BIN=$(CURDIR)/$(RELEASE_BIN) node --test --test-concurrency=1 *.test.mjs

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
