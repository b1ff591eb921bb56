#!/usr/bin/env bash
# Runs the whole test suite: unit tests (*Test) and loopback integration tests (*IT) against the real jar.
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B verify "$@"
