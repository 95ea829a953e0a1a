#!/usr/bin/env bash
# CI smoke of the benchmarks: builds the module (and what it needs) and runs every
# scenario tiny against the broker at $ZEPHCAST_RABBIT_URL (default amqp://guest:guest@localhost:5672/).
# Asserts nothing about speed: exits non-zero only if a scenario breaks (messages lost or
# duplicated, a nack, an error, a timeout). Run from the repository root or anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SKIP_BUILD:-}" != "1" ]; then   # SKIP_BUILD=1 when the jar was just built (e.g. by mvn verify)
  mvn -q -B -pl zephcast-benchmarks -am package -DskipTests
fi
java -jar zephcast-benchmarks/target/zephcast-benchmarks.jar --smoke "$@"
