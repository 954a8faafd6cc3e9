#!/usr/bin/env bash
# Brings up the infrastructure the services and the tests need.
#   Postgres: started if the local server is down (skipped when DATABASE_SERVER_URL names another host).
#   Kafka:    the local broker (or KAFKA_NODES=3: a 3-node cluster), resolved from Maven Central the
#             first time and reused if it runs;
#             when KAFKA_BROKERS names other brokers, only waits until they answer.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

pg_host="$(node -e 'const u=process.env.DATABASE_SERVER_URL; console.log(u ? new URL(u).hostname : "127.0.0.1")')"
case "$pg_host" in
  127.0.0.1|localhost|::1) bash "$here/postgres.sh" ensure ;;
  *) echo "up.sh: using the Postgres server at $pg_host (DATABASE_SERVER_URL); not starting a local one" ;;
esac

# The local broker, or the local cluster of KAFKA_NODES nodes (see kafka.sh).
local_brokers="$(bash "$here/kafka.sh" brokers)"
if [[ -z "${KAFKA_BROKERS:-}" || "$KAFKA_BROKERS" == "$local_brokers" || "${KAFKA_BROKERS//localhost/127.0.0.1}" == "$local_brokers" ]]; then
  bash "$here/kafka.sh" start
else
  echo "up.sh: using the Kafka cluster at $KAFKA_BROKERS; not starting a local broker"
  node "$here/wait-for-kafka.js" --brokers "$KAFKA_BROKERS" --timeout "${KAFKA_START_TIMEOUT:-60}"
fi
