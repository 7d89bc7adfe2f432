# The README's two commands: `make demo` and `make test`. Each installs what is missing first.
SHELL := /bin/bash
APT_PACKAGES := libsqlite3-dev libcurl4-openssl-dev libjansson-dev pkg-config shellcheck groff-base mandoc zsh fish jq
PREFIX ?= /usr/local

.PHONY: deps build release demo test install bench acceptance

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	swift build

release: deps
	swift build -c release --static-swift-stdlib

demo: build
	PATH="$(CURDIR)/bin:$(CURDIR)/.build/debug:$$PATH" bin/fabric-demo

test: build
	swift build --build-tests
	swift test

# Release build, then one table of figures (start-up, listing, throughput, memory, provisioning).
# Not part of `test`: benchmarks print figures; they do not fail on a busy machine.
bench: deps
	Tests/Benchmarks/run

# The whole workflow against the real cloud the OS_* variables name (source an openrc first);
# skips in one line without OS_AUTH_URL. Not part of `test`: it makes servers in that cloud.
acceptance: build
	Tests/Acceptance/run

install: release
	install -d $(PREFIX)/bin $(PREFIX)/share/man/man1 $(PREFIX)/share/man/man7
	install -m 0755 bin/fabric $(PREFIX)/bin/fabric
	for tool in $$(swift build -c release --static-swift-stdlib --show-bin-path)/fabric-*; do \
	  case $$tool in *.*) ;; *) install -m 0755 $$tool $(PREFIX)/bin/ ;; esac; done
	install -m 0644 man/*.1 $(PREFIX)/share/man/man1/
	install -m 0644 man/*.7 $(PREFIX)/share/man/man7/
	install -D -m 0644 completions/fabric.bash $(PREFIX)/share/bash-completion/completions/fabric
	for f in completions/_fabric-*; do \
	  ln -sf fabric $(PREFIX)/share/bash-completion/completions/$${f#completions/_}; done
	install -d $(PREFIX)/share/zsh/site-functions $(PREFIX)/share/fish/vendor_completions.d
	install -m 0644 completions/_fabric completions/_fabric-* $(PREFIX)/share/zsh/site-functions/
	install -m 0644 completions/*.fish $(PREFIX)/share/fish/vendor_completions.d/
