#!/usr/bin/env bash
# Make sure the Debian packages that tests and grading need are installed:
#   bubblewrap  `bwrap`, the sandbox that student code runs in
#   postgresql  initdb, pg_ctl and postgres under /usr/lib/postgresql/<ver>/bin,
#               for the tests that run nbgrader's gradebook on a real server
#   chromium    Debian's Chromium (/usr/lib/chromium/chromium), the browser that
#               Playwright drives in tests/browser (Playwright never downloads one)
# Idempotent: prints nothing and calls no apt when all is present. When something
# is missing, root installs it with apt-get; anyone else is told the command.
#
# The postgresql package may create (and, where systemd runs, start) a cluster
# `main` on port 5432. Nothing here uses it: tests/postgres.py starts a private
# server on a free port with its own socket directory.
set -euo pipefail

missing=()
why=()

if ! command -v bwrap >/dev/null 2>&1; then
    missing+=(bubblewrap)
    why+=("bwrap is not on PATH")
fi

# PATH is not trusted for PostgreSQL: /usr/local/bin may hold client-only tools
# or wrappers. A usable server is a version directory with all three binaries.
have_pg_server() {
    local bin
    for bin in /usr/lib/postgresql/*/bin; do
        if [[ -x $bin/initdb && -x $bin/pg_ctl && -x $bin/postgres ]]; then
            return 0
        fi
    done
    return 1
}

if ! have_pg_server; then
    missing+=(postgresql)
    why+=("no /usr/lib/postgresql/<version>/bin holds initdb, pg_ctl and postgres")
fi

CHROMIUM=/usr/lib/chromium/chromium
if [[ ! -x $CHROMIUM ]]; then
    missing+=(chromium)
    why+=("$CHROMIUM is missing")
fi

if ((${#missing[@]} == 0)); then
    exit 0
fi

report() {
    local i
    echo "system_deps.sh: missing Debian packages: ${missing[*]}" >&2
    for i in "${!missing[@]}"; do
        echo "  ${missing[$i]}: ${why[$i]}" >&2
    done
}

if ((EUID != 0)); then
    report
    echo "Install them (needs root) with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    report
    echo "apt-get not found: this script supports Debian and its derivatives;" \
        "install the packages above with your system's package manager." >&2
    exit 1
fi

echo "system_deps.sh: installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Check again: the install must have produced what we look for.
still=()
if ! command -v bwrap >/dev/null 2>&1; then
    still+=("bwrap (package bubblewrap)")
fi
if ! have_pg_server; then
    still+=("initdb/pg_ctl/postgres under /usr/lib/postgresql/*/bin (package postgresql)")
fi
if [[ ! -x $CHROMIUM ]]; then
    still+=("$CHROMIUM (package chromium)")
fi
if ((${#still[@]} > 0)); then
    echo "system_deps.sh: apt-get finished but these are still missing:" >&2
    printf '  %s\n' "${still[@]}" >&2
    exit 1
fi
