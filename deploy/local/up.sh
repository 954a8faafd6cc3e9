#!/usr/bin/env bash
# Brings up the local infrastructure the services and the tests need: Postgres (started if it is
# down) and the Kafka broker (resolved from Maven Central the first time, reused if it runs).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/postgres.sh" ensure
bash "$here/kafka.sh" start
