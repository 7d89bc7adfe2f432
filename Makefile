# The README's two commands: `make demo` and `make test`. Each installs what is missing first.
SHELL := /bin/bash
# The libraries the build needs, and every command the tools and the tests run that a fresh
# Debian may lack: sqlite3 and the mariadb client (the tests read the store as a user would),
# curl (the fake clouds' control APIs), procps (pgrep, ps), man-db (man), lintian (the .deb).
APT_PACKAGES := libsqlite3-dev libcurl4-openssl-dev libjansson-dev libexpat1-dev python3-venv pkg-config shellcheck \
  groff-base mandoc zsh fish jq bash-completion libmariadb-dev mariadb-server galera-4 rsync openssl python3 dpkg-dev \
  sqlite3 curl procps man-db mariadb-client lintian
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
SCRATCH ?= .build
VERSION := $(shell sed -n 's/^public let fabricVersion = "\(.*\)"$$/\1/p' Sources/FabricRecords/System/Version.swift)
DEB_REVISION ?= 1
DEB_DIR ?= .
INSTALL_ENV = DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" BINDIR="$(BINDIR)" LIBEXECDIR="$(LIBEXECDIR)" \
	MANDIR="$(MANDIR)" BASHCOMPDIR="$(BASHCOMPDIR)" ZSHCOMPDIR="$(ZSHCOMPDIR)" FISHCOMPDIR="$(FISHCOMPDIR)"

.PHONY: deps build release demo test install uninstall deb bench moto acceptance

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# An installed binary looks for libraries in the system's places only, not beside itself
# ($ORIGIN); the C code's libc calls are checked (_FORTIFY_SOURCE) where the compiler can.
RELEASE_FLAGS = -c release --static-swift-stdlib --scratch-path "$(SCRATCH)" --disable-local-rpath -Xcc -D_FORTIFY_SOURCE=2
# The tools are one executable, fabric-tools; beside it, a link to it by each tool's name.
link_tools = bin=$$(swift build $(1) --show-bin-path) && \
	for tool in $$("$$bin/fabric-tools" --list); do ln -sf fabric-tools "$$bin/$$tool"; done

build: deps
	swift build
	$(call link_tools,)

release: deps
	swift build $(RELEASE_FLAGS)
	$(call link_tools,$(RELEASE_FLAGS))

demo: build
	PATH="$(CURDIR)/bin:$(CURDIR)/.build/debug:$$PATH" bin/fabric-demo

# moto (a local EC2) in a virtual environment of its own, for the AMAZON provider's tests.
MOTO_VENV := .venv-moto
moto: $(MOTO_VENV)/bin/moto_server

$(MOTO_VENV)/bin/moto_server:
	python3 -m venv $(MOTO_VENV)
	$(MOTO_VENV)/bin/pip install -q 'moto[server]>=5.2,<5.3' boto3

# One private MariaDB server (Tests/MariaDB/server) for the whole run: the store, workflow and
# concurrency tests run on it as well as on SQLite, each in a database of its own; and one
# three-node Galera cluster (Tests/MariaDB/galera, started while the first tests run) for the
# store and concurrency tests on a replicated store named by a host list.
# The tests run the release build, the one users install (FABRIC_BIN): the suite starts the
# tools some 10,000 times, and the debug build's take three times the CPU (process accounting of
# a whole run: 425 s of the tools' CPU). It is made in .build-install, beside the test build,
# which InstallTests installs from.
test: build moto
	{ $(MAKE) -s release SCRATCH="$(CURDIR)/.build-install" > /dev/null 2>&1 & swift build --build-tests; tests=$$?; wait $$!; release=$$?; \
	  [ $$tests = 0 ] || exit $$tests; [ $$release = 0 ] || $(MAKE) -s release SCRATCH="$(CURDIR)/.build-install"; }
	FABRIC_BIN="$(CURDIR)/.build-install/release" Tests/MariaDB/server run Tests/MariaDB/galera run swift test

# Release build, then one table of figures (start-up, listing, throughput, memory, provisioning).
# Not part of `test`: benchmarks print figures; they do not fail on a busy machine.
bench: deps
	Tests/Benchmarks/run

# The whole workflow against the real cloud the OS_* variables name (source an openrc first);
# skips in one line without OS_AUTH_URL. Not part of `test`: it makes servers in that cloud.
acceptance: build
	Tests/Acceptance/run

# Installs the release build with everything it needs to run outside the checkout (see
# packaging/install); DESTDIR stages, as packagers use it. `make uninstall` removes exactly that.
# SCRATCH is swift build's scratch path: the tests install from their own, as `swift test` holds
# .build's lock while it runs.
install: release
	$(INSTALL_ENV) TOOLS_BIN="$$(swift build $(RELEASE_FLAGS) --show-bin-path)" packaging/install install

uninstall:
	$(INSTALL_ENV) packaging/install uninstall

# fabric_VERSION-REVISION_ARCH.deb in DEB_DIR: the install in Debian's places (packaging/deb).
deb: release
	TOOLS_BIN="$$(swift build $(RELEASE_FLAGS) --show-bin-path)" VERSION="$(VERSION)-$(DEB_REVISION)" packaging/deb "$(DEB_DIR)"
