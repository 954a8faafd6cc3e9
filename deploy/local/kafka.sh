#!/usr/bin/env bash
# Run a real Apache Kafka broker (KRaft combined mode) without Docker: one node, or a cluster of
# KAFKA_NODES nodes on loopback (replication factor 3 and min.insync.replicas 2 with 3 nodes).
#
#   deploy/local/kafka.sh start     resolve jars (first run only), format storage (first run only),
#                                   start every node that is not running, wait until all answer
#   deploy/local/kafka.sh stop      SIGTERM, wait for a clean shutdown (then SIGKILL)
#   deploy/local/kafka.sh restart   stop + start (data is kept)
#   deploy/local/kafka.sh status    exit 0 if every node answers
#   deploy/local/kafka.sh logs [-f|N] [--node I]  last N (200) lines of a node's log, or follow it
#   deploy/local/kafka.sh kill [I]  SIGKILL at once, every node or node I (fault injection; data is kept)
#   deploy/local/kafka.sh brokers   print the KAFKA_BROKERS value for the nodes
#
# Works from any directory. Needs java (11+), node, and - only for the first start of a given
# KAFKA_VERSION - mvn with access to Maven Central. See deploy/local/README.md.
#
# Environment knobs (defaults in brackets):
#   KAFKA_VERSION          [3.9.1]  org.apache.kafka:kafka_2.13 version to resolve from Maven Central
#   KAFKA_NODES            [1]      nodes in the cluster, 1 to 9; node I (from 1) listens on
#                                   KAFKA_PORT + 2(I-1) and KAFKA_CONTROLLER_PORT + 2(I-1)
#                                   (9092, 9094, 9096 / 9093, 9095, 9097 by default) and keeps its
#                                   data in KAFKA_DATA_DIR/node-I (a single node: KAFKA_DATA_DIR)
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
KAFKA_NODES="${KAFKA_NODES:-1}"
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

CLUSTER_ID_FILE="$KAFKA_DATA_DIR/cluster.id"
LOCK_FILE="$KAFKA_DATA_DIR/.kafka.sh.lock"

# Node I of the cluster: its ports, data dir and files. Every per-node function works on the
# node selected last.
select_node() {
  NODE_ID="$1"
  NODE_PORT=$((KAFKA_PORT + 2 * (NODE_ID - 1)))
  NODE_ADVERTISED_PORT=$((KAFKA_ADVERTISED_PORT + 2 * (NODE_ID - 1)))
  NODE_CONTROLLER_PORT=$((KAFKA_CONTROLLER_PORT + 2 * (NODE_ID - 1)))
  if [[ "$KAFKA_NODES" -eq 1 ]]; then NODE_DIR="$KAFKA_DATA_DIR"; else NODE_DIR="$KAFKA_DATA_DIR/node-$NODE_ID"; fi
  CONFIG="$NODE_DIR/server.properties"
  STORAGE_DIR="$NODE_DIR/storage"
  LOG_DIR="$NODE_DIR/logs"
  SERVER_LOG="$LOG_DIR/server.log"
  STDOUT_LOG="$LOG_DIR/stdout.log"
  PID_FILE="$NODE_DIR/kafka.pid"
}

nodes() { seq 1 "$KAFKA_NODES"; }

# KAFKA_BROKERS for clients: every node's advertised address.
brokers_list() {
  local i list=()
  for i in $(nodes); do list+=("127.0.0.1:$((KAFKA_ADVERTISED_PORT + 2 * (i - 1)))"); done
  local IFS=,
  printf '%s\n' "${list[*]}"
}

quorum_voters() {
  local i list=()
  for i in $(nodes); do list+=("$i@127.0.0.1:$((KAFKA_CONTROLLER_PORT + 2 * (i - 1)))"); done
  local IFS=,
  printf '%s\n' "${list[*]}"
}

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
  [[ "$KAFKA_NODES" =~ ^[1-9]$ ]] || die "KAFKA_NODES must be a number of nodes from 1 to 9 (got '$KAFKA_NODES')"
  [[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
  [[ "$KAFKA_ADVERTISED_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_ADVERTISED_PORT and KAFKA_CONTROLLER_PORT must differ"
  # Node I uses each port + 2(I-1): client and controller ports must not run into each other.
  (( KAFKA_NODES == 1 || (KAFKA_PORT - KAFKA_CONTROLLER_PORT) % 2 != 0 )) ||
    die "with KAFKA_NODES > 1, KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ by an odd number (node I uses each + 2(I-1))"
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
  node "$WAIT_SCRIPT" --brokers "127.0.0.1:$NODE_PORT" --timeout "$secs" "$@"
}

# The command line of process $1, arguments joined by spaces (empty if it is gone). Bash builtins
# only: managed_pid reads every process's, and a fork per process took most of a minute on a
# loaded machine, which a node restarted during a fault test must not wait.
cmdline_of() {
  local args=() IFS=' '
  mapfile -d '' -t args 2>/dev/null <"/proc/$1/cmdline" || true
  printf '%s' "${args[*]}"
}

# Pid of the broker started from this data dir, or nothing (exit 1).
managed_pid() {
  local pid cmd d
  if [[ -f "$PID_FILE" ]]; then
    pid="$(tr -dc '0-9' <"$PID_FILE")"
    if [[ -n "$pid" && -r "/proc/$pid/cmdline" ]]; then
      cmd="$(cmdline_of "$pid")"
      if [[ "$cmd" == *"kafka.Kafka $CONFIG"* ]]; then
        printf '%s\n' "$pid"
        return 0
      fi
    fi
    rm -f -- "$PID_FILE" # stale: that process is gone (or the pid was reused)
  fi
  # No (valid) pid file: look for a broker running on our config anyway.
  for d in /proc/[0-9]*; do
    cmd="$(cmdline_of "${d#/proc/}")"
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
  # With three nodes or more, every partition has three replicas and a write needs two of them.
  local replication=$((KAFKA_NODES >= 3 ? 3 : 1)) min_isr=$((KAFKA_NODES >= 3 ? 2 : 1))
  sed -e "s|\${KAFKA_PORT}|$NODE_PORT|g" \
    -e "s|\${KAFKA_ADVERTISED_PORT}|$NODE_ADVERTISED_PORT|g" \
    -e "s|\${KAFKA_CONTROLLER_PORT}|$NODE_CONTROLLER_PORT|g" \
    -e "s|\${KAFKA_NODE_ID}|$NODE_ID|g" \
    -e "s|\${KAFKA_QUORUM_VOTERS}|$(quorum_voters)|g" \
    -e "s|\${KAFKA_REPLICATION_FACTOR}|$replication|g" \
    -e "s|\${KAFKA_MIN_INSYNC_REPLICAS}|$min_isr|g" \
    -e "s|\${KAFKA_LOG_DIRS}|$(sed_escape "$STORAGE_DIR")|g" \
    "$TEMPLATE" >"$CONFIG.tmp"
  if [[ "${KAFKA_SASL:-}" == scram ]]; then
    # Later keys override earlier ones, so the security section replaces the plain listeners.
    sed -e "s|\${KAFKA_PORT}|$NODE_PORT|g" \
      -e "s|\${KAFKA_CONTROLLER_PORT}|$NODE_CONTROLLER_PORT|g" \
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

# Launches the selected node in the background (JVM pid in its pid file); does not wait.
launch_node() {
  local i heap
  read -r -a heap <<<"$KAFKA_HEAP_OPTS"
  render_config
  format_storage
  if [[ -f "$STDOUT_LOG" ]]; then mv -f -- "$STDOUT_LOG" "$STDOUT_LOG.1"; fi
  if [[ -f "$SERVER_LOG" ]]; then SERVER_LOG_MARK="$(wc -l <"$SERVER_LOG")"; fi
  rm -f -- "$PID_FILE"
  say "starting Kafka $KAFKA_VERSION node $NODE_ID on 127.0.0.1:$NODE_PORT (controller 127.0.0.1:$NODE_CONTROLLER_PORT, data $NODE_DIR)"
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
  [[ -s "$PID_FILE" ]] || die "node $NODE_ID did not start (no pid file after 5 s)"
}

# Waits until the selected node (pid $1) answers; on failure shows its logs and dies.
await_node() {
  local pid="$1" rc=0
  kafka_answers "$KAFKA_START_TIMEOUT" --pid "$pid" --quiet || rc=$?
  case "$rc" in
    0) ;;
    3)
      rm -f -- "$PID_FILE"
      show_logs 40
      die "node $NODE_ID exited during start-up (see the log lines above; full logs in $LOG_DIR)"
      ;;
    *)
      show_logs 40
      die "node $NODE_ID (pid $pid) did not answer within ${KAFKA_START_TIMEOUT}s; it is left running. Raise KAFKA_START_TIMEOUT, check '$0 logs --node $NODE_ID', or stop it with '$0 stop'"
      ;;
  esac
}

cmd_start() {
  local t0 pid i started=() pids=()
  t0="$(now)"
  take_lock

  # A single node that someone else runs on the port is reused (a developer's own broker).
  if [[ "$KAFKA_NODES" -eq 1 ]]; then
    select_node 1
    if ! managed_pid >/dev/null && port_open "$NODE_PORT"; then
      if kafka_answers 5 --quiet; then
        say "a Kafka broker already answers on 127.0.0.1:$NODE_PORT (not started from $KAFKA_DATA_DIR); reusing it, not starting another"
        return 0
      fi
      die "127.0.0.1:$NODE_PORT is taken by something that does not answer as a Kafka broker. Find it with: ss -ltnp 'sport = :$NODE_PORT'  (or choose another KAFKA_PORT)"
    fi
  fi

  for i in $(nodes); do
    select_node "$i"
    if managed_pid >/dev/null; then continue; fi
    port_open "$NODE_PORT" && die "127.0.0.1:$NODE_PORT (node $i) is taken by a process not started from $NODE_DIR. Find it with: ss -ltnp 'sport = :$NODE_PORT'  (or choose another KAFKA_PORT)"
    port_open "$NODE_CONTROLLER_PORT" && die "controller port 127.0.0.1:$NODE_CONTROLLER_PORT (node $i) is already taken. Find it with: ss -ltnp 'sport = :$NODE_CONTROLLER_PORT'  (or choose another KAFKA_CONTROLLER_PORT)"
  done

  need java "Kafka needs a Java runtime 11+ (e.g. apt-get install -y openjdk-17-jre-headless)."
  java -version >/dev/null 2>&1 || die "'java -version' fails; check the Java installation (JAVA_HOME, PATH)"
  need node "Node.js runs deploy/local/wait-for-kafka.js (the readiness probe)."
  resolve_libs

  # Launch every missing node before waiting: a cluster's nodes need each other's votes to start.
  for i in $(nodes); do
    select_node "$i"
    if pid="$(managed_pid)"; then
      say "node $i already running from $NODE_DIR (pid $pid)"
    else
      launch_node
      started+=("$i")
    fi
  done
  for i in $(nodes); do
    select_node "$i"
    pid="$(managed_pid)" || die "node $i is gone (see '$0 logs --node $i')"
    pids+=("$pid")
    await_node "$pid"
  done
  select_node 1
  kafka_answers "$KAFKA_START_TIMEOUT" --brokers "$(brokers_list)" --expect-brokers "$KAFKA_NODES" --quiet ||
    die "the nodes answer, but the cluster does not list $KAFKA_NODES brokers within ${KAFKA_START_TIMEOUT}s; see '$0 logs --node N'"
  if [[ ${#started[@]} -eq 0 ]]; then
    say "Kafka answers: KAFKA_BROKERS=$(brokers_list) (pids ${pids[*]})"
  else
    say "Kafka is up in $(elapsed "$t0")s (started node(s) ${started[*]}): KAFKA_BROKERS=$(brokers_list) (pids ${pids[*]}, logs: $0 logs)"
  fi
}

cmd_stop() {
  local pid i t0 running=() ids=()
  take_lock
  t0="$(now)"
  for i in $(nodes); do
    select_node "$i"
    if pid="$(managed_pid)"; then
      running+=("$pid")
      ids+=("$i")
    fi
  done
  if [[ ${#running[@]} -eq 0 ]]; then
    select_node 1
    if port_open "$NODE_PORT"; then
      say "not started from $KAFKA_DATA_DIR; something else serves 127.0.0.1:$NODE_PORT and is left alone"
    else
      say "not running"
    fi
    return 0
  fi
  # All at once: a node stopping alone waits for the controller quorum, which the others hold.
  say "stopping node(s) ${ids[*]} (pids ${running[*]}; SIGTERM, up to ${KAFKA_STOP_TIMEOUT}s)..."
  for pid in "${running[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < KAFKA_STOP_TIMEOUT * 10; i++)); do
    local left=0
    for pid in "${running[@]}"; do alive "$pid" && left=1; done
    [[ "$left" -eq 0 ]] && break
    sleep 0.1
  done
  for pid in "${running[@]}"; do
    if alive "$pid"; then
      warn "broker pid $pid still running after ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        alive "$pid" || break
        sleep 0.1
      done
    fi
  done
  for i in "${ids[@]}"; do
    select_node "$i"
    rm -f -- "$PID_FILE"
  done
  say "stopped in $(elapsed "$t0")s"
}

cmd_kill() {
  local only="${1:-}" pid i j killed=0
  [[ -z "$only" || ("$only" =~ ^[1-9]$ && "$only" -le "$KAFKA_NODES") ]] || die "kill takes a node number from 1 to $KAFKA_NODES (got '$only')"
  # No lock on purpose: fault injection must not wait for a start in progress.
  for i in $(nodes); do
    [[ -n "$only" && "$i" != "$only" ]] && continue
    select_node "$i"
    pid="$(managed_pid)" || continue
    kill -KILL "$pid" 2>/dev/null || true
    for ((j = 0; j < 100; j++)); do
      alive "$pid" || break
      sleep 0.05
    done
    rm -f -- "$PID_FILE"
    say "killed node $i, pid $pid (SIGKILL)"
    killed=1
  done
  [[ "$killed" -eq 1 ]] || say "not running (nothing started from $KAFKA_DATA_DIR${only:+ as node $only})"
}

cmd_status() {
  local pid i rc=0 up=0
  for i in $(nodes); do
    select_node "$i"
    if pid="$(managed_pid)"; then
      if kafka_answers 5 --quiet; then
        say "node $i running: pid $pid, 127.0.0.1:$NODE_ADVERTISED_PORT, data $NODE_DIR"
        up=$((up + 1))
      else
        say "node $i: process $pid is alive but does not answer on 127.0.0.1:$NODE_PORT (starting up, or unhealthy: see '$0 logs --node $i')"
        rc=1
      fi
    elif [[ "$KAFKA_NODES" -eq 1 ]] && port_open "$NODE_PORT"; then
      if kafka_answers 5 --quiet 2>/dev/null; then
        say "a Kafka broker answers on 127.0.0.1:$NODE_PORT but was not started from $KAFKA_DATA_DIR (no pid)"
        return 0
      fi
      say "not running: 127.0.0.1:$NODE_PORT is open but does not answer as a Kafka broker"
      return 3
    else
      say "node $i not running (nothing started from $NODE_DIR)"
      [[ "$rc" -eq 0 ]] && rc=3
    fi
  done
  if [[ "$up" -eq "$KAFKA_NODES" ]]; then
    say "KAFKA_BROKERS=$(brokers_list), cluster id $(cat "$CLUSTER_ID_FILE" 2>/dev/null || echo '?')"
    return 0
  fi
  [[ "$up" -gt 0 && "$rc" -eq 3 ]] && rc=1
  return "$rc"
}

cmd_logs() {
  local arg="200" node=1
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --node)
        [[ "${2:-}" =~ ^[1-9]$ && "$2" -le "$KAFKA_NODES" ]] || die "--node takes a node number from 1 to $KAFKA_NODES"
        node="$2"
        shift 2
        ;;
      *)
        arg="$1"
        shift
        ;;
    esac
  done
  select_node "$node"
  [[ -f "$SERVER_LOG" ]] || die "no broker log yet ($SERVER_LOG)"
  if [[ "$arg" == "-f" || "$arg" == "--follow" ]]; then
    exec tail -n 50 -F "$SERVER_LOG"
  fi
  [[ "$arg" =~ ^[0-9]+$ ]] || die "usage: $0 logs [-f|LINES] [--node I]"
  tail -n "$arg" "$SERVER_LOG"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in -h | --help | help | "") ;; *)
    validate_knobs
    select_node 1
    ;;
  esac
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
    kill) cmd_kill "$@" ;;
    brokers) brokers_list ;;
    -h | --help | help) usage 0 ;;
    *)
      usage 2 >&2
      ;;
  esac
}

main "$@"
