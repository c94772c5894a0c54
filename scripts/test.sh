#!/usr/bin/env bash
# The README's test command: installs what the tests need (scripts/setup.sh), then runs every
# test: ./mvnw -B -ntp verify. Arguments are passed on to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec ./mvnw -B -ntp verify "$@"
