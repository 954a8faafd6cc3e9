#!/usr/bin/env bash
# Run a real, single-node Apache Kafka broker (KRaft combined mode) without Docker.
#
#   deploy/local/kafka.sh start     resolve jars (first run only), format storage (first run only),
#                                   start the broker in the background, wait until it answers
#   deploy/local/kafka.sh stop      SIGTERM, wait for a clean shutdown (then SIGKILL)
#   deploy/local/kafka.sh restart   stop + start (data is kept)
#   deploy/local/kafka.sh status    exit 0 if a broker answers on 127.0.0.1:$KAFKA_PORT
#   deploy/local/kafka.sh logs [-f|N]  last N (200) lines of the broker log, or follow it
#   deploy/local/kafka.sh kill      SIGKILL at once (fault injection; data is kept)
#
# Works from any directory. Needs java (11+), node, and - only for the first start of a given
# KAFKA_VERSION - mvn with access to Maven Central. See deploy/local/README.md.
#
# Environment knobs (defaults in brackets):
#   KAFKA_VERSION          [3.9.1]  org.apache.kafka:kafka_2.13 version to resolve from Maven Central
#   KAFKA_PORT             [9092]   client (PLAINTEXT) port the broker listens on, on 127.0.0.1
#   KAFKA_ADVERTISED_PORT  [KAFKA_PORT]  port handed to clients in metadata: all their traffic goes
#                                   there (e.g. a TCP proxy in front of KAFKA_PORT for fault tests)
#   KAFKA_CONTROLLER_PORT  [9093]   KRaft controller port on 127.0.0.1
#   KAFKA_DATA_DIR         [deploy/local/.data/kafka]  config, cluster id, topic data, logs, pid file
#   KAFKA_CACHE_DIR        [deploy/local/.cache]       resolved jars: <dir>/kafka-<version>/libs
#   KAFKA_HEAP_OPTS        [-Xms256m -Xmx768m]         JVM heap flags of the broker
#   KAFKA_START_TIMEOUT    [60]     seconds `start` waits for the broker to answer a metadata request
#   KAFKA_STOP_TIMEOUT     [30]     seconds `stop` waits for a clean shutdown before SIGKILL
#   KAFKA_SASL             []       `scram`: clients must log in (SASL/SCRAM-SHA-512) and ACLs decide
#                                   what each may do (see sasl.properties.template); off by default
#   KAFKA_ADMIN_PASSWORD   [interlink-dev-admin]  password of the super user `admin` (DEVELOPMENT FIXTURE)
#   KAFKA_SASL_USERS       []       more SCRAM users, `name:password,...`, created when storage is formatted
#
# Exit codes: 0 ok; 1 error; status: 1 = process alive but not answering, 3 = not running.

set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"

abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }

KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_ADVERTISED_PORT="${KAFKA_ADVERTISED_PORT:-$KAFKA_PORT}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_DATA_DIR="$(abspath "${KAFKA_DATA_DIR:-$SCRIPT_DIR/.data/kafka}")"
KAFKA_CACHE_DIR="$(abspath "${KAFKA_CACHE_DIR:-$SCRIPT_DIR/.cache}")"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

DIST_DIR="$KAFKA_CACHE_DIR/kafka-$KAFKA_VERSION"
LIBS_DIR="$DIST_DIR/libs"
MARKER="$DIST_DIR/.complete"
POM="$SCRIPT_DIR/kafka-pom.xml"
TEMPLATE="$SCRIPT_DIR/server.properties.template"
SASL_TEMPLATE="$SCRIPT_DIR/sasl.properties.template"
LOG4J_CONFIG="$SCRIPT_DIR/log4j.properties"
WAIT_SCRIPT="$SCRIPT_DIR/wait-for-kafka.js"

CONFIG="$KAFKA_DATA_DIR/server.properties"
STORAGE_DIR="$KAFKA_DATA_DIR/storage"
LOG_DIR="$KAFKA_DATA_DIR/logs"
SERVER_LOG="$LOG_DIR/server.log"
STDOUT_LOG="$LOG_DIR/stdout.log"
PID_FILE="$KAFKA_DATA_DIR/kafka.pid"
CLUSTER_ID_FILE="$KAFKA_DATA_DIR/cluster.id"
LOCK_FILE="$KAFKA_DATA_DIR/.kafka.sh.lock"

RESOLVE_TMP=""
trap 'if [[ -n "$RESOLVE_TMP" ]]; then rm -rf -- "$RESOLVE_TMP"; fi' EXIT

say() { printf 'kafka.sh: %s\n' "$*"; }
warn() { printf 'kafka.sh: warning: %s\n' "$*" >&2; }
die() {
  printf 'kafka.sh: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
  exit "${1:-0}"
}

validate_knobs() {
  local name
  for name in KAFKA_PORT KAFKA_ADVERTISED_PORT KAFKA_CONTROLLER_PORT KAFKA_START_TIMEOUT KAFKA_STOP_TIMEOUT; do
    [[ "${!name}" =~ ^[0-9]+$ && "${!name}" -gt 0 ]] || die "$name must be a positive integer (got '${!name}')"
  done
  [[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
  [[ "$KAFKA_ADVERTISED_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_ADVERTISED_PORT and KAFKA_CONTROLLER_PORT must differ"
  [[ "$KAFKA_VERSION" =~ ^[0-9A-Za-z._-]+$ ]] || die "KAFKA_VERSION looks wrong: '$KAFKA_VERSION'"
  [[ -z "${KAFKA_SASL:-}" || "$KAFKA_SASL" == scram ]] || die "KAFKA_SASL must be empty or 'scram' (got '$KAFKA_SASL')"
  [[ -z "${KAFKA_SASL_USERS:-}" || "$KAFKA_SASL_USERS" =~ ^[a-z][a-z0-9-]*:[^,:\"\ ]+(,[a-z][a-z0-9-]*:[^,:\"\ ]+)*$ ]] ||
    die "KAFKA_SASL_USERS must be name:password[,name:password...] without spaces or quotes (got '$KAFKA_SASL_USERS')"
}

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH. $2"
}

# Seconds since the epoch with decimals, for timings.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# Ask the broker for cluster metadata (kafkajs). Args: timeout seconds, extra wait-for-kafka.js args.
kafka_answers() {
  local secs="$1"
  shift
  need node "Node.js runs deploy/local/wait-for-kafka.js (the readiness probe)."
  node "$WAIT_SCRIPT" --brokers "127.0.0.1:$KAFKA_PORT" --timeout "$secs" "$@"
}

# Pid of the broker started from this data dir, or nothing (exit 1).
managed_pid() {
  local pid cmd d
  if [[ -f "$PID_FILE" ]]; then
    pid="$(tr -dc '0-9' <"$PID_FILE")"
    if [[ -n "$pid" && -r "/proc/$pid/cmdline" ]]; then
      cmd="$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" || true)"
      if [[ "$cmd" == *"kafka.Kafka $CONFIG"* ]]; then
        printf '%s\n' "$pid"
        return 0
      fi
    fi
    rm -f -- "$PID_FILE" # stale: that process is gone (or the pid was reused)
  fi
  # No (valid) pid file: look for a broker running on our config anyway.
  for d in /proc/[0-9]*; do
    cmd="$(tr '\0' ' ' 2>/dev/null <"$d/cmdline" || true)"
    if [[ "$cmd" == *"kafka.Kafka $CONFIG"* ]]; then
      pid="${d#/proc/}"
      printf '%s\n' "$pid" >"$PID_FILE"
      printf '%s\n' "$pid"
      return 0
    fi
  done
  return 1
}

# True while process $1 exists and is not a zombie (an exited broker may wait a while to be reaped
# by init, and kill -0 still succeeds on a zombie).
alive() {
  local stat
  kill -0 "$1" 2>/dev/null || return 1
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != "Z" ]]
}

take_lock() {
  mkdir -p "$KAFKA_DATA_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 900 9 || die "another kafka.sh has held $LOCK_FILE for 15 minutes; giving up"
}

# Lines of server.log written before the current launch; show_logs prints only newer ones.
SERVER_LOG_MARK=0

show_logs() {
  local n="${1:-40}"
  if [[ -s "$STDOUT_LOG" ]]; then
    printf '\n----- last %s lines of %s -----\n' "$n" "$STDOUT_LOG" >&2
    tail -n "$n" "$STDOUT_LOG" >&2
  fi
  if [[ -s "$SERVER_LOG" && "$(wc -l <"$SERVER_LOG")" -gt "$SERVER_LOG_MARK" ]]; then
    printf '\n----- last %s lines of %s (this start only) -----\n' "$n" "$SERVER_LOG" >&2
    tail -n "+$((SERVER_LOG_MARK + 1))" "$SERVER_LOG" | tail -n "$n" >&2
  fi
  printf '\n' >&2
}

# --- jars --------------------------------------------------------------------

resolve_libs() {
  if [[ -f "$MARKER" ]]; then
    return 0
  fi
  need mvn "Maven is needed once per KAFKA_VERSION to fetch the Kafka jars from Maven Central into $DIST_DIR (apt-get install -y maven), or copy such a folder from another machine and point KAFKA_CACHE_DIR at its parent."
  mkdir -p "$KAFKA_CACHE_DIR"
  # Serialise resolutions sharing this cache (several data dirs may share one cache).
  exec 8>"$KAFKA_CACHE_DIR/.resolve-$KAFKA_VERSION.lock"
  flock -w 1800 8 || die "another kafka.sh has been resolving Kafka $KAFKA_VERSION for 30 minutes; giving up"
  if [[ -f "$MARKER" ]]; then
    exec 8>&-
    return 0
  fi
  # Leftovers of interrupted resolutions (safe to remove: we hold the lock).
  rm -rf -- "$KAFKA_CACHE_DIR/.kafka-$KAFKA_VERSION.tmp."*

  local t0 jars
  t0="$(now)"
  RESOLVE_TMP="$(mktemp -d "$KAFKA_CACHE_DIR/.kafka-$KAFKA_VERSION.tmp.XXXXXX")"
  say "resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its runtime dependencies with Maven (first start of this version only; can take a few minutes)..."
  # (Maven 3.8 prints colour resets even in batch mode; strip them.)
  if ! mvn -B -q -Dstyle.color=never -f "$POM" \
    -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies \
    -DincludeScope=runtime \
    -DoutputDirectory="$RESOLVE_TMP/libs" 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' >&2; then
    die "Maven could not resolve Kafka $KAFKA_VERSION (see the output above). Check: network access to Maven Central (https://repo.maven.apache.org/maven2), proxy/mirror settings in ~/.m2/settings.xml, that KAFKA_VERSION=$KAFKA_VERSION exists as org.apache.kafka:kafka_2.13, and free disk space in ~/.m2 and $KAFKA_CACHE_DIR."
  fi
  [[ -f "$RESOLVE_TMP/libs/kafka_2.13-$KAFKA_VERSION.jar" ]] ||
    die "Maven finished but $RESOLVE_TMP/libs has no kafka_2.13-$KAFKA_VERSION.jar; check $POM"
  jars="$(find "$RESOLVE_TMP/libs" -name '*.jar' | wc -l)"
  {
    echo "kafka_version=$KAFKA_VERSION"
    echo "jars=$jars"
    echo "resolved_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } >"$RESOLVE_TMP/.complete"
  # Publish atomically: a folder with a .complete marker is only ever the result of a full run.
  rm -rf -- "$DIST_DIR"
  mv -T -- "$RESOLVE_TMP" "$DIST_DIR"
  RESOLVE_TMP=""
  exec 8>&-
  say "resolved $jars jars into $LIBS_DIR in $(elapsed "$t0")s"
}

# --- config and storage ------------------------------------------------------

sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

render_config() {
  mkdir -p "$KAFKA_DATA_DIR" "$STORAGE_DIR" "$LOG_DIR"
  [[ -f "$TEMPLATE" ]] || die "missing $TEMPLATE"
  sed -e "s|\${KAFKA_PORT}|$(sed_escape "$KAFKA_PORT")|g" \
    -e "s|\${KAFKA_ADVERTISED_PORT}|$(sed_escape "$KAFKA_ADVERTISED_PORT")|g" \
    -e "s|\${KAFKA_CONTROLLER_PORT}|$(sed_escape "$KAFKA_CONTROLLER_PORT")|g" \
    -e "s|\${KAFKA_LOG_DIRS}|$(sed_escape "$STORAGE_DIR")|g" \
    "$TEMPLATE" >"$CONFIG.tmp"
  if [[ "${KAFKA_SASL:-}" == scram ]]; then
    # Later keys override earlier ones, so the security section replaces the plain listeners.
    sed -e "s|\${KAFKA_PORT}|$(sed_escape "$KAFKA_PORT")|g" \
      -e "s|\${KAFKA_CONTROLLER_PORT}|$(sed_escape "$KAFKA_CONTROLLER_PORT")|g" \
      -e "s|\${KAFKA_ADMIN_PASSWORD}|$(sed_escape "${KAFKA_ADMIN_PASSWORD:-interlink-dev-admin}")|g" \
      "$SASL_TEMPLATE" >>"$CONFIG.tmp"
  fi
  local leftover
  # shellcheck disable=SC2016 # a literal ${ is searched for (outside comments)
  leftover="$(grep -v '^[[:space:]]*#' "$CONFIG.tmp" | grep -m1 '\${' || true)"
  [[ -z "$leftover" ]] || die "unknown placeholder in $TEMPLATE: $leftover"
  mv -f -- "$CONFIG.tmp" "$CONFIG"
}

kafka_java() {
  # Tools and broker share the classpath and logging setup.
  java -Dlog4j.configuration="file:$LOG4J_CONFIG" -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$LIBS_DIR/*" "$@"
}

format_storage() {
  if [[ -f "$STORAGE_DIR/meta.properties" ]]; then
    return 0
  fi
  local cluster_id
  if [[ -s "$CLUSTER_ID_FILE" ]]; then
    cluster_id="$(tr -d '[:space:]' <"$CLUSTER_ID_FILE")"
  else
    cluster_id="$(kafka_java kafka.tools.StorageTool random-uuid | tail -n 1 | tr -d '[:space:]')" ||
      die "kafka.tools.StorageTool random-uuid failed"
    [[ "$cluster_id" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "unexpected cluster id from StorageTool: '$cluster_id'"
    printf '%s\n' "$cluster_id" >"$CLUSTER_ID_FILE"
  fi
  say "formatting KRaft storage in $STORAGE_DIR (cluster id $cluster_id)"
  local scram=() user
  if [[ "${KAFKA_SASL:-}" == scram ]]; then
    scram+=(--add-scram "SCRAM-SHA-512=[name=admin,password=${KAFKA_ADMIN_PASSWORD:-interlink-dev-admin}]")
    if [[ -n "${KAFKA_SASL_USERS:-}" ]]; then
      for user in ${KAFKA_SASL_USERS//,/ }; do
        scram+=(--add-scram "SCRAM-SHA-512=[name=${user%%:*},password=${user#*:}]")
      done
    fi
  fi
  kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" "${scram[@]}" ||
    die "formatting $STORAGE_DIR failed (see above)"
}

# --- commands ----------------------------------------------------------------

cmd_start() {
  local t0 pid rc=0 i heap
  t0="$(now)"
  validate_knobs
  take_lock

  if pid="$(managed_pid)"; then
    say "broker already running from $KAFKA_DATA_DIR (pid $pid); checking that it answers..."
    kafka_answers "$KAFKA_START_TIMEOUT" --pid "$pid" ||
      die "broker pid $pid does not answer on 127.0.0.1:$KAFKA_PORT; see '$0 logs', or '$0 restart'"
    return 0
  fi
  if port_open "$KAFKA_PORT"; then
    if kafka_answers 5 --quiet; then
      say "a Kafka broker already answers on 127.0.0.1:$KAFKA_PORT (not started from $KAFKA_DATA_DIR); reusing it, not starting another"
      return 0
    fi
    die "127.0.0.1:$KAFKA_PORT is taken by something that does not answer as a Kafka broker. Find it with: ss -ltnp 'sport = :$KAFKA_PORT'  (or choose another KAFKA_PORT)"
  fi
  if port_open "$KAFKA_CONTROLLER_PORT"; then
    die "controller port 127.0.0.1:$KAFKA_CONTROLLER_PORT is already taken. Find it with: ss -ltnp 'sport = :$KAFKA_CONTROLLER_PORT'  (or choose another KAFKA_CONTROLLER_PORT)"
  fi

  need java "Kafka needs a Java runtime 11+ (e.g. apt-get install -y openjdk-17-jre-headless)."
  java -version >/dev/null 2>&1 || die "'java -version' fails; check the Java installation (JAVA_HOME, PATH)"
  need node "Node.js runs deploy/local/wait-for-kafka.js (the readiness probe)."

  resolve_libs
  render_config
  format_storage

  read -r -a heap <<<"$KAFKA_HEAP_OPTS"
  if [[ -f "$STDOUT_LOG" ]]; then mv -f -- "$STDOUT_LOG" "$STDOUT_LOG.1"; fi
  if [[ -f "$SERVER_LOG" ]]; then SERVER_LOG_MARK="$(wc -l <"$SERVER_LOG")"; fi
  rm -f -- "$PID_FILE"
  say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT, data $KAFKA_DATA_DIR)"
  # A new session (setsid) detaches the broker from this shell and its terminal; the inner bash
  # writes its own pid and execs java, so the pid file holds the JVM's pid. fd 8/9 (locks) are
  # closed so the broker does not keep holding them.
  # shellcheck disable=SC2016 # $$/$1/$@ belong to the inner bash
  local launcher=(bash -c 'printf "%s\n" "$$" >"$1"; shift; exec "$@"' kafka-launch "$PID_FILE"
    java "${heap[@]}"
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
    -Dlog4j.configuration="file:$LOG4J_CONFIG" -Dkafka.logs.dir="$LOG_DIR"
    -cp "$LIBS_DIR/*" kafka.Kafka "$CONFIG")
  if command -v setsid >/dev/null 2>&1; then
    setsid "${launcher[@]}" </dev/null >>"$STDOUT_LOG" 2>&1 8>&- 9>&- &
  else
    nohup "${launcher[@]}" </dev/null >>"$STDOUT_LOG" 2>&1 8>&- 9>&- &
  fi
  for ((i = 0; i < 50; i++)); do
    [[ -s "$PID_FILE" ]] && break
    sleep 0.1
  done
  [[ -s "$PID_FILE" ]] || die "the broker process did not start (no pid file after 5 s)"
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  say "broker pid $pid; waiting up to ${KAFKA_START_TIMEOUT}s for it to answer a metadata request..."

  kafka_answers "$KAFKA_START_TIMEOUT" --pid "$pid" || rc=$?
  case "$rc" in
    0)
      say "Kafka is up in $(elapsed "$t0")s: KAFKA_BROKERS=127.0.0.1:$KAFKA_ADVERTISED_PORT (pid $pid, logs: $0 logs)"
      ;;
    3)
      rm -f -- "$PID_FILE"
      show_logs 40
      die "the broker exited during start-up (see the log lines above; full logs in $LOG_DIR)"
      ;;
    *)
      show_logs 40
      die "the broker (pid $pid) did not answer within ${KAFKA_START_TIMEOUT}s; it is left running. Raise KAFKA_START_TIMEOUT, check '$0 logs', or stop it with '$0 stop'"
      ;;
  esac
}

cmd_stop() {
  local pid i
  take_lock
  if ! pid="$(managed_pid)"; then
    if port_open "$KAFKA_PORT"; then
      say "not started from $KAFKA_DATA_DIR; something else serves 127.0.0.1:$KAFKA_PORT and is left alone"
    else
      say "not running"
    fi
    return 0
  fi
  local t0
  t0="$(now)"
  say "stopping broker pid $pid (SIGTERM, up to ${KAFKA_STOP_TIMEOUT}s)..."
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < KAFKA_STOP_TIMEOUT * 10; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    warn "broker pid $pid still running after ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      alive "$pid" || break
      sleep 0.1
    done
  fi
  rm -f -- "$PID_FILE"
  say "stopped in $(elapsed "$t0")s"
}

cmd_kill() {
  local pid i
  # No lock on purpose: fault injection must not wait for a start in progress.
  if ! pid="$(managed_pid)"; then
    say "not running (nothing started from $KAFKA_DATA_DIR)"
    return 0
  fi
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    alive "$pid" || break
    sleep 0.05
  done
  rm -f -- "$PID_FILE"
  say "killed broker pid $pid (SIGKILL)"
}

cmd_status() {
  local pid
  validate_knobs
  if pid="$(managed_pid)"; then
    if kafka_answers 5 --quiet; then
      say "running: pid $pid, KAFKA_BROKERS=127.0.0.1:$KAFKA_ADVERTISED_PORT, cluster id $(cat "$CLUSTER_ID_FILE" 2>/dev/null || echo '?'), data $KAFKA_DATA_DIR"
      return 0
    fi
    say "process $pid is alive but does not answer on 127.0.0.1:$KAFKA_PORT (starting up, or unhealthy: see '$0 logs')"
    return 1
  fi
  if port_open "$KAFKA_PORT"; then
    if kafka_answers 5 --quiet 2>/dev/null; then
      say "a Kafka broker answers on 127.0.0.1:$KAFKA_PORT but was not started from $KAFKA_DATA_DIR (no pid)"
      return 0
    fi
    say "not running: 127.0.0.1:$KAFKA_PORT is open but does not answer as a Kafka broker"
    return 3
  fi
  say "not running (nothing listens on 127.0.0.1:$KAFKA_PORT)"
  return 3
}

cmd_logs() {
  local arg="${1:-200}"
  [[ -f "$SERVER_LOG" ]] || die "no broker log yet ($SERVER_LOG)"
  if [[ "$arg" == "-f" || "$arg" == "--follow" ]]; then
    exec tail -n 50 -F "$SERVER_LOG"
  fi
  [[ "$arg" =~ ^[0-9]+$ ]] || die "usage: $0 logs [-f|LINES]"
  tail -n "$arg" "$SERVER_LOG"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart)
      cmd_stop
      exec 9>&-
      cmd_start
      ;;
    status) cmd_status ;;
    logs) cmd_logs "$@" ;;
    kill) cmd_kill ;;
    -h | --help | help) usage 0 ;;
    *)
      usage 2 >&2
      ;;
  esac
}

main "$@"
