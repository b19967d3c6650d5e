# maillogs: make demo, make test, make bench, make install PREFIX=/usr/local
PREFIX   ?= /usr/local
DESTDIR  ?=
STATEDIR ?= /var/lib/maillogs
KINDS    := send smtp pop3 imap auth webmail spam virus qpsmtpd
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
GO       ?= go
# staticcheck comes from the Go module proxy, pinned so a new check never breaks make test.
STATICCHECK ?= v0.8.2
LDFLAGS  := -s -w -X main.Version=$(VERSION)
# Debian packages the tests run for real: multilog, snmpd, snmpget/snmpwalk, smilint, dovecot.
TOOLS    := multilog:daemontools snmpd:snmpd snmpget:snmp smilint:smitools dovecot:dovecot-pop3d /usr/lib/dovecot/imap:dovecot-imapd

.PHONY: all build links demo test deps vet bench soak install clean fuzz

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/maillogs ./cmd/maillogs
	@for k in $(KINDS); do ln -sf maillogs bin/$${k}log; done

# deps installs what the tests need, or says what is missing.
deps:
	@missing=""; for t in $(TOOLS); do command -v $${t%%:*} >/dev/null 2>&1 || missing="$$missing $${t##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "make: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "make: error: the tests need the Debian packages:$$missing"; \
	    echo "make: hint: sudo apt-get install$$missing, then make test again"; exit 1; \
	  fi; \
	fi

vet:
	@test -z "$$(gofmt -l cmd counters parsers tai64n)" || { echo "gofmt needed:"; gofmt -l cmd counters parsers tai64n; exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK) ./...

test: deps vet
	CI=$${CI:-} $(GO) test -count=1 -timeout 20m ./...

# Short fuzz runs of every fuzz target (longer: FUZZTIME=5m make fuzz).
FUZZTIME ?= 10s
fuzz:
	$(GO) test ./tai64n -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./parsers -run '^$$' -fuzz FuzzParsers -fuzztime $(FUZZTIME)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

soak: deps
	MAILLOGS_SOAK=1 $(GO) test -count=1 -timeout 60m -run Soak ./cmd/maillogs

demo: build deps
	sh scripts/demo.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 bin/maillogs $(DESTDIR)$(PREFIX)/bin/maillogs
	@for k in $(KINDS); do ln -sf maillogs $(DESTDIR)$(PREFIX)/bin/$${k}log; echo "ln -sf maillogs $(DESTDIR)$(PREFIX)/bin/$${k}log"; done
	install -d -m 0750 $(DESTDIR)$(STATEDIR)
	install -d $(DESTDIR)$(PREFIX)/share/maillogs
	install -m 0644 scripts/*.txt scripts/*.example scripts/*.sh $(DESTDIR)$(PREFIX)/share/maillogs/

clean:
	rm -rf bin demo
