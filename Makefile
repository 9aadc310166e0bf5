# MCPlex developer and CI targets. `make test` is what CI runs (see .ci/run).
GO        ?= go
BIN       ?= mcplex
TESTFLAGS ?= -race -count=1 -timeout 25m
# The e2e tests and the conformance run build the gateway binary they spawn with -race too; a data
# race that binary reports fails the test. E2E_RACE=0 builds it plain (faster).
E2E_RACE  ?= 1
STEP      := bash .ci/step.sh

# Go files we own: not in dot-dirs (.git, .ci, scratch), node_modules or testdata (fixtures may be
# deliberately odd; go vet skips testdata too).
GOFILES = $(shell find . -name '*.go' -not -path './.*' -not -path '*/node_modules/*' -not -path '*/testdata/*')

.PHONY: system-deps all build build-core test test-core test-go e2e e2e-deps vet fmt fmt-check conformance clean help \
	package package-linux package-windows package-check

all: build

help:
	@echo "make build        build ./$(BIN)"
	@echo "make test         what CI runs: fmt-check, vet, build-core (CGO_ENABLED=0), go test -race ./... (e2e included), conformance"
	@echo "make test-core    go test -race ./core/... (fast, no Node needed)"
	@echo "make e2e          only the end-to-end tests (go test -run TestE2E .)"
	@echo "make e2e-deps     npm ci the pinned MCP servers + TS SDK into .ci/e2e/node_modules (skipped when up to date)"
	@echo "make conformance  the official MCP conformance suite through the gateway, fixture over stdio and over HTTP"
	@echo "make package      release packages into dist/: Linux .tar.xz + .deb, Windows exes + NSIS installer (VERSION=, ICON=)"
	@echo "make package-check  test the packages in dist/ (contents, desktop file, --version, PE subsystems, installer)"

build:
	$(GO) build -o $(BIN) .

# The core must stay cgo-free so the headless gateway cross-compiles everywhere.
build-core:
	@$(STEP) "CGO_ENABLED=0 go build ./core/..." env CGO_ENABLED=0 $(GO) build ./core/...

fmt:
	gofmt -w $(GOFILES)

fmt-check:
	@$(STEP) "gofmt -l" bash -c 'out="$$(gofmt -l $(GOFILES))"; if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi; echo "gofmt: ok"'

vet:
	@$(STEP) "go vet ./..." $(GO) vet ./...

e2e-deps:
	@bash .ci/e2e-deps.sh

# Debian packages for cgo/Fyne, Xvfb, packaging and the browser test (only the missing ones).
system-deps:
	@bash .ci/apt-deps.sh

test-core:
	@$(STEP) "go test ./core/..." $(GO) test $(TESTFLAGS) ./core/...

test-go: e2e-deps
	@$(STEP) "go test $(TESTFLAGS) ./..." env MCPLEX_E2E_RACE=$(E2E_RACE) $(GO) test $(TESTFLAGS) ./...

e2e: e2e-deps
	@$(STEP) "e2e tests" env MCPLEX_E2E_RACE=$(E2E_RACE) $(GO) test -count=1 -timeout 15m -v -run 'TestE2E' .

conformance:
	@$(STEP) "conformance through mcplex" env MCPLEX_RACE=$(E2E_RACE) bash .ci/conformance.sh

# Independent steps: `make -k test` (as CI runs it) reports every failing one.
test: system-deps fmt-check vet build-core test-go conformance

# Release packages (packaging/, README "Packages"). Reproducible: the same commit gives the same
# bytes. macOS is built only by .github/workflows/macos.yml on a macOS runner.
# VERSION (git describe) and SOURCE_DATE_EPOCH (last commit time) are computed once per make run
# (packaging/lib.sh), so every package step and the check agree; `make package VERSION=1.2.3`
# overrides.
PKG_ENV := $(shell VERSION='$(VERSION)' SOURCE_DATE_EPOCH='$(SOURCE_DATE_EPOCH)' bash -c '. packaging/lib.sh && echo "VERSION=$$VERSION SOURCE_DATE_EPOCH=$$SOURCE_DATE_EPOCH"' 2>/dev/null)

package: package-linux package-windows

package-linux:
	@$(STEP) "package linux (tar.xz, deb)" env $(PKG_ENV) bash packaging/build.sh linux

package-windows:
	@$(STEP) "package windows (2 exes, installer)" env $(PKG_ENV) bash packaging/build.sh windows

package-check:
	@$(STEP) "package-check" env $(PKG_ENV) bash packaging/check.sh

clean:
	rm -f $(BIN)
	rm -rf conformance-results dist
