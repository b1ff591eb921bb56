#!/usr/bin/env bash
# Runs the whole test suite: unit tests (*Test) and loopback integration tests (*IT) against the real jar,
# and the Debian package built by the deb profile (installed and purged again when run as root).
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B -Pdeb verify "$@"
