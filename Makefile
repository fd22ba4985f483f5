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

.PHONY: run test build deps configure-release unit-test pg-test asan-test fuzz-test integration-test e2e-test voice-test cluster-test web bench-http bench-ws bench-voice bench-cluster format clean

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
	@$(MAKE) --no-print-directory unit-test pg-test integration-test e2e-test voice-test cluster-test asan-test fuzz-test

unit-test:
	@ctest --preset release -j $(JOBS) -L unit

# The storage suite against a throwaway PostgreSQL (tests/cluster/start-postgres),
# stopped and removed however the tests end.
pg-test:
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target unit_store
	@dir=$$(mktemp -d /tmp/driftway-pg-test.XXXXXX); \
	  conninfo=$$(tests/cluster/start-postgres --dir $$dir) || exit 1; \
	  trap "tests/cluster/start-postgres --stop $$dir" EXIT; \
	  DRIFTWAY_TEST_POSTGRES="$$conninfo" build/release/tests/unit/store/unit_store \
	    --gtest_filter='*postgres*' --gtest_brief=1

integration-test:
	@cd tests/integration && { [ ! -f package-lock.json ] || [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@cd tests/integration && DRIFTWAY_BIN=$(CURDIR)/$(RELEASE_BIN) node --test --test-concurrency=1 *.test.mjs

# DRIFTWAY_BIN picks another binary (default: the release build).
e2e-test: $(WEB_DIST)
	@cd tests/e2e && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@cd tests/e2e && DRIFTWAY_BIN=$${DRIFTWAY_BIN:-$(CURDIR)/$(RELEASE_BIN)} node --test --test-concurrency=1 web_client*.test.mjs

# Voice (Chromium, aiortc, coturn) in a private network namespace holding
# only lo, so that WebRTC gathers nothing but 127.0.0.1.
voice-test: $(WEB_DIST)
	@cd tests/e2e && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@DRIFTWAY_BIN=$${DRIFTWAY_BIN:-$(CURDIR)/$(RELEASE_BIN)} unshare -n bash -c 'ip link set lo up; cd tests/e2e && node --test --test-concurrency=1 voice*.test.mjs'

# The cluster shape on loopback: nginx (deploy/nginx/driftway.conf), PostgreSQL,
# Redis, two gateway, two text and one voice node (tests/cluster).
cluster-test:
	@cd tests/cluster && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@cd tests/cluster && DRIFTWAY_BIN=$${DRIFTWAY_BIN:-$(CURDIR)/$(RELEASE_BIN)} node --test --test-concurrency=1 cluster*.test.mjs

asan-test:
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS) --target unit_tests
	@ctest --preset asan -j $(JOBS) -L unit

# libFuzzer targets (clang, ASan) built into build/fuzz; each runs
# FUZZ_SECONDS from its committed seeds (tests/fuzz/corpus/<name>), writing
# what it finds to build/fuzz/corpus/<name>. A crash fails the target and
# leaves the reproducer in build/fuzz/.
FUZZERS := ws_frame stun rtp rtcp sdp
FUZZ_SECONDS ?= 15
fuzz-test:
	@cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
		-DCMAKE_CXX_COMPILER=clang++ -DDRIFTWAY_WERROR=ON -DDRIFTWAY_FUZZ=ON >/dev/null
	@cmake --build build/fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZERS))
	@for f in $(FUZZERS); do \
		mkdir -p build/fuzz/corpus/$$f; \
		seeds=""; [ -d tests/fuzz/corpus/$$f ] && seeds=$(CURDIR)/tests/fuzz/corpus/$$f; \
		echo "fuzz_$$f: $(FUZZ_SECONDS) s"; \
		( cd build/fuzz && tests/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			corpus/$$f $$seeds ) >build/fuzz/fuzz_$$f.log 2>&1 \
			|| { tail -40 build/fuzz/fuzz_$$f.log; exit 1; }; \
		grep -E '^Done' build/fuzz/fuzz_$$f.log | tail -1; \
	done

bench-http: build
	@DRIFTWAY_BIN=$(CURDIR)/$(RELEASE_BIN) bench/http/run

bench-ws: build
	@DRIFTWAY_BIN=$(CURDIR)/$(RELEASE_BIN) bench/ws/run

bench-voice: build
	@DRIFTWAY_BIN=$(CURDIR)/$(RELEASE_BIN) bench/voice/run

bench-cluster: build
	@DRIFTWAY_BIN=$(CURDIR)/$(RELEASE_BIN) bench/cluster/run

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
