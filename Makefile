# make test   every test with real Postgres and Dovecot (started and stopped here), after lint
# make lint   gofmt, go vet, staticcheck
# make build  ./bouncer
GO          ?= go
GOBIN       := $(shell $(GO) env GOPATH)/bin
STATICCHECK := $(GOBIN)/staticcheck
STATICCHECK_VERSION := 0.8.2
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null)
TESTFLAGS   ?=

.PHONY: test lint build staticcheck servers servers-stop

# Servers that were already running (scripts/test-servers start, make servers)
# are used and left running; servers started here are stopped, pass or fail.
# The bouncer binary the tests build goes to a temporary directory removed
# here too.
test: lint
	@if scripts/test-servers status; then mine=; else mine=1; fi; \
	bindir=$$(mktemp -d); \
	trap 'rm -rf "$$bindir"; [ -z "$$mine" ] || scripts/test-servers stop' EXIT INT TERM; \
	scripts/test-servers start >/dev/null && \
	set -a && . ./.testenv/env && set +a && \
	BOUNCER_TEST_BIN_DIR=$$bindir $(GO) test -race -p 2 -count=1 -timeout 10m $(TESTFLAGS) ./...

lint: staticcheck
	@files=$$(gofmt -l $$(find . -name '*.go' -not -path './.testenv/*')); \
	if [ -n "$$files" ]; then echo "gofmt needed:" $$files; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

# staticcheck installs the pinned staticcheck when it is missing or another version.
staticcheck:
	@$(STATICCHECK) -version 2>/dev/null | grep -q '($(STATICCHECK_VERSION))' || \
	$(GO) install honnef.co/go/tools/cmd/staticcheck@v$(STATICCHECK_VERSION)

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bouncer ./cmd/bouncer

# servers starts the test servers for running single tests by hand
# (go test -run TestX ./poller/ then finds them through .testenv/env).
servers:
	@scripts/test-servers start

servers-stop:
	@scripts/test-servers stop
