# make test   every test with real Postgres and Dovecot (started and stopped here), after lint
# make fuzz   the container parity fuzzers for FUZZTIME each (make test runs them)
# make lint   gofmt, go vet, staticcheck
# make build  ./bouncer
GO          ?= go
GOBIN       := $(shell $(GO) env GOPATH)/bin
STATICCHECK := $(GOBIN)/staticcheck
STATICCHECK_VERSION := 0.8.2
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null)
TESTFLAGS   ?=
FUZZTIME    ?= 10s

.PHONY: test fuzz lint build staticcheck servers servers-stop

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
	BOUNCER_TEST_BIN_DIR=$$bindir $(GO) test -race -p 2 -count=1 -timeout 10m $(TESTFLAGS) ./... && \
	$(MAKE) --no-print-directory fuzz

# fuzz runs, for FUZZTIME each, the fuzzers that hold the containers dsn
# reads to their references: the walk over memory against go-message's
# (FuzzWalkParity), the Content-Type reader against mime.ParseMediaType,
# quoted-printable against mime/quotedprintable, and the mbox reader's
# bounds. go test alone runs their seeds; a crasher lands in testdata/fuzz/.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzWalkParity$$' -fuzztime $(FUZZTIME) ./dsn/
	$(GO) test -run '^$$' -fuzz '^FuzzReader$$' -fuzztime $(FUZZTIME) ./dsn/mbox/
	$(GO) test -run '^$$' -fuzz '^FuzzParseContentType$$' -fuzztime $(FUZZTIME) ./dsn/internal/mimepart/
	$(GO) test -run '^$$' -fuzz '^FuzzQPDecode$$' -fuzztime $(FUZZTIME) ./dsn/internal/mimepart/

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
