#!/usr/bin/env bash
# The benchmark: how fast the packaged service rebuilds the index, and how close that is to what the search engine
# can take at all (the ceiling: the same documents sent straight to _bulk by a plain sender).
#
#   dev/bench.sh [--companies N] [--repeat R] [--senders S] [--source DIR] [--no-build] [--cold] [--aot]
#
#   --companies N  sample companies in PostgreSQL (default 200000); loaded with `dev/load-sample.sh --reset N SEED`
#                  unless the table already holds the same data set (remembered in STACK_DIR/bench/dataset)
#   --repeat R     service runs and ceiling runs, alternated: service, ceiling, service, ... (default 3)
#   --senders S    concurrent _bulk requests of the ceiling (default REINDEX_BULK_CONCURRENCY, else 3 like the service)
#   --source DIR   the checkout whose target/quarkus-app is run (and built) (default: this repository)
#   --no-build     do not run `./mvnw package` first; use the jar already in DIR/target
#   --cold         start the service afresh before every service run, so that every run is a first run (a cold JVM)
#   --aot          run the service with a JDK AOT cache (JDK 25, JEP 483/514/515) trained on a real run: the jar is
#                  built as Quarkus's aot-jar (-Dquarkus.package.jar.type=aot-jar, its classes on the JDK's class
#                  path, which the cache needs); unless DIR/target/quarkus-app/app-trained.aot exists, a training
#                  run first starts the service with -XX:AOTCacheOutput=<that file>, serves one reindex of the same
#                  data and stops it (the JDK writes the cache, classes, linked state and method profiles, at exit);
#                  the measured runs then start with -XX:AOTCache=<that file>. The cache is only valid for the JDK
#                  and the jar that made it (a build removes it)
#
# On the local stack (dev/stack.sh up postgres kafka opensearch, started if needed). The packaged service is started
# once (java -Xmx$BENCH_XMX -jar DIR/target/quarkus-app/quarkus-run.jar, REINDEX_INDEX_REPLICAS=0) and serves the R
# runs as it would in production, where it lives through many requests: run 1 is its first after start (a cold JVM,
# which also compiles the code it runs), the later ones run warm; the report gives both. Each service run publishes
# one reindex-requested, waits for its outcome on reindex-completed (checking once a second with shell builtins
# only: the benchmark takes no CPU from the run it measures), then reads the run's peak heap used and the most heap
# a collection left from the GC log, its peak RSS (VmHWM, reset before the run), and the stage times and NDJSON size
# from the service's log. After the first run the documents of the index it built are exported once into NDJSON bulk
# files (untimed); each ceiling run loads them with dev/bench/BulkCeiling.java (run with the Jackson jars of
# DIR/target/quarkus-app/lib/main) into a fresh index with the same settings and mappings, refreshes, checks the
# count and deletes that index. Both also report the CPU seconds (user + system, from /proc) that the service,
# PostgreSQL, the ceiling's sender and the engine took while they ran: the engine's CPU is the bottleneck, so what
# the others take is what a run loses. Prints tables (per run, median, min-max) and saves the whole output to
# STACK_DIR/bench/bench-<time>.txt.
#
# Environment (defaults in brackets): STACK_DIR [<repo>/.stack], PG_PORT [5432], KAFKA_PORT [9092],
#   KAFKA_CONTROLLER_PORT [9093], OPENSEARCH_PORT [9200], OPENSEARCH_TRANSPORT_PORT [9300] (as dev/stack.sh);
#   JAVA_HOME [Temurin 25 when installed]; BENCH_XMX [256m] the service's -Xmx; BENCH_JAVA_OPTS [] more JVM
#   options for the service; BENCH_HTTP_PORT [18080] the service's HTTP port; BENCH_SEED [0.42] the sample seed;
#   BENCH_RUN_TIMEOUT [7200] seconds to wait for one outcome; REINDEX_BULK_MAX_BYTES [5M] and
#   REINDEX_BULK_MAX_DOCUMENTS [1000] size the ceiling's bodies like the service's (and reach the service too,
#   as does any other REINDEX_* variable).
#
# Before each service run the consumer group companies-reindexer is moved to the end of reindex-requested, so the
# run serves exactly the benchmark's request (requests published earlier by others on this stack are skipped).
set -euo pipefail
# REPO_ROOT, STACK_DIR, the ports, use_temurin_25, step/info/die, print_header, wait_for_http
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  print_header "${BASH_SOURCE[0]}"
  exit "${1:-0}"
}

# ---------------------------------------------------------------------------------------------------------------
# options and settings

COMPANIES=200000
REPEAT=3
SENDERS="${REINDEX_BULK_CONCURRENCY:-3}"   # as the service's reindex.bulk.concurrency default
SOURCE_DIR="$REPO_ROOT"
BUILD=true
COLD=false
AOT=false
while (($# > 0)); do
  case $1 in
    --companies) [[ $# -ge 2 ]] || usage 2; COMPANIES=$2; shift 2 ;;
    --companies=*) COMPANIES=${1#*=}; shift ;;
    --repeat) [[ $# -ge 2 ]] || usage 2; REPEAT=$2; shift 2 ;;
    --repeat=*) REPEAT=${1#*=}; shift ;;
    --senders) [[ $# -ge 2 ]] || usage 2; SENDERS=$2; shift 2 ;;
    --senders=*) SENDERS=${1#*=}; shift ;;
    --source) [[ $# -ge 2 ]] || usage 2; SOURCE_DIR=$2; shift 2 ;;
    --source=*) SOURCE_DIR=${1#*=}; shift ;;
    --no-build) BUILD=false; shift ;;
    --cold) COLD=true; shift ;;
    --aot) AOT=true; shift ;;
    -h | --help) usage 0 ;;
    *) printf 'bench: unknown argument: %s\n\n' "$1" >&2; usage 2 ;;
  esac
done
[[ $COMPANIES =~ ^[0-9]+$ && $COMPANIES -ge 1 ]] || die "--companies must be a positive integer, got '$COMPANIES'"
[[ $REPEAT =~ ^[0-9]+$ && $REPEAT -ge 1 ]] || die "--repeat must be a positive integer, got '$REPEAT'"
[[ $SENDERS =~ ^[0-9]+$ && $SENDERS -ge 1 ]] || die "--senders must be a positive integer, got '$SENDERS'"
COMPANIES=$((10#$COMPANIES)); REPEAT=$((10#$REPEAT)); SENDERS=$((10#$SENDERS))
SOURCE_DIR="$(cd "$SOURCE_DIR" 2>/dev/null && pwd)" || die "--source: no such directory"

export STACK_DIR PG_PORT KAFKA_PORT KAFKA_CONTROLLER_PORT OPENSEARCH_PORT OPENSEARCH_TRANSPORT_PORT
use_temurin_25
[[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] || die "set JAVA_HOME to a JDK 21+"
JAVA="$JAVA_HOME/bin/java"

XMX="${BENCH_XMX:-256m}"
HTTP_PORT="${BENCH_HTTP_PORT:-18080}"
SEED="${BENCH_SEED:-0.42}"
RUN_TIMEOUT="${BENCH_RUN_TIMEOUT:-7200}"
GROUP=companies-reindexer
REQUEST_TOPIC=reindex-requested
OUTCOME_TOPIC=reindex-completed
ENGINE_URL="http://localhost:$OPENSEARCH_PORT"
BOOTSTRAP="localhost:$KAFKA_PORT"
CEILING_PREFIX=bench-ceiling-

# The service's body limits (Quarkus MemorySize: a number, optionally K, M, G; binary units), for the ceiling.
memory_size() {
  local v=$1
  [[ $v =~ ^([0-9]+)([KkMmGg]?)[Bb]?$ ]] || die "cannot read the memory size '$v'"
  case ${BASH_REMATCH[2]} in
    K | k) echo $((BASH_REMATCH[1] << 10)) ;;
    M | m) echo $((BASH_REMATCH[1] << 20)) ;;
    G | g) echo $((BASH_REMATCH[1] << 30)) ;;
    *) echo "${BASH_REMATCH[1]}" ;;
  esac
}
MAX_BYTES="$(memory_size "${REINDEX_BULK_MAX_BYTES:-5M}")"
MAX_DOCS="${REINDEX_BULK_MAX_DOCUMENTS:-1000}"

BENCH_DIR="$STACK_DIR/bench"
NDJSON_DIR="$BENCH_DIR/ndjson"
OUTCOMES="$BENCH_DIR/outcomes.txt"
SERVICE_LOG="$BENCH_DIR/service.log"
GC_LOG="$BENCH_DIR/gc.log"
mkdir -p "$BENCH_DIR"
STAMP="$(date +%Y%m%d-%H%M%S)"
OUT_FILE="$BENCH_DIR/bench-$STAMP.txt"

# Everything printed from here on also goes to OUT_FILE.
exec > >(tee "$OUT_FILE") 2>&1
TEE_PID=$!

# ---------------------------------------------------------------------------------------------------------------
# cleanup: whatever this script started, even on failure

SERVICE_PID=""
CONSUMER_PID=""
CEILING_INDEX=""
CHILD_PID=""

# Runs a long command in the background and waits for it, so that a signal reaches the traps at once (bash runs a
# trap only after the foreground command ends). The caller must not redirect this function (a trap would run with
# that redirection): OUTPUT names where the command's standard output goes (- for ours).
run_child() {   # run_child OUTPUT COMMAND...
  local rc=0 output=$1
  shift
  if [[ $output == - ]]; then
    "$@" </dev/null &
  else
    "$@" </dev/null >"$output" &
  fi
  CHILD_PID=$!
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  return "$rc"
}

stop_pid() {   # stop_pid PID NAME [SECONDS]: TERM, wait up to SECONDS (60), then KILL
  local pid=$1 name=$2 wait_s=${3:-60} i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 4; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    info "$name (pid $pid) still running after $wait_s s: sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  # The build, the export or a ceiling run (before the ceiling index is deleted: a _bulk would create it again).
  [[ -n $CHILD_PID ]] && stop_pid "$CHILD_PID" "child process"
  if [[ -n $SERVICE_PID ]]; then
    info "stopping the service (pid $SERVICE_PID)"
    stop_pid "$SERVICE_PID" service
  fi
  if [[ -n $CONSUMER_PID ]]; then
    # Started with setsid: its PID is its process group (the stack.sh shell and its Kafka JVM).
    kill -TERM -- "-$CONSUMER_PID" 2>/dev/null
    wait "$CONSUMER_PID" 2>/dev/null
    local j
    for ((j = 0; j < 100; j++)); do   # the JVM closes its consumer first
      kill -0 -- "-$CONSUMER_PID" 2>/dev/null || break
      sleep 0.1
    done
  fi
  if [[ -n $CEILING_INDEX ]]; then
    info "deleting the ceiling index $CEILING_INDEX"
    curl -sS -m 60 -o /dev/null -X DELETE "$ENGINE_URL/$CEILING_INDEX"
  fi
  ((rc != 0)) && printf 'bench: FAILED (exit %d); output saved in %s\n' "$rc" "$OUT_FILE"
  # Let tee finish writing OUT_FILE (bounded: should a copy of the pipe still be open somewhere, tee ends when we do).
  exec >&- 2>&-
  local i
  for ((i = 0; i < 50; i++)); do
    kill -0 "$TEE_PID" 2>/dev/null || break
    sleep 0.1
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------------------------
# helpers

# Kafka's CLI tools with the stack's jars (an array, not a function: a function called with a redirection would run
# a trap with that redirection).
KAFKA_TOOL=("$REPO_ROOT/dev/stack.sh" kafka-tool)

export PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER=companies PGPASSWORD=companies PGDATABASE=companies
sql() { psql -X -q -v ON_ERROR_STOP=1 -At -c "$1"; }

engine() { curl -fsS -m 120 "$@"; }

# Numbers: median, min, max of the arguments (empty values ignored).
stat_of() {   # stat_of median|min|max VALUES...
  local what=$1
  shift
  printf '%s\n' "$@" | awk -v what="$what" 'NF { a[++n] = $1 + 0 }
    END {
      if (n == 0) { print ""; exit }
      for (i = 2; i <= n; i++) { v = a[i]; j = i - 1; while (j > 0 && a[j] > v) { a[j + 1] = a[j]; j-- } a[j + 1] = v }
      if (what == "min") print a[1]; else if (what == "max") print a[n];
      else if (n % 2) print a[(n + 1) / 2]; else print (a[n / 2] + a[n / 2 + 1]) / 2
    }'
}
fmt() {   # fmt DECIMALS VALUE
  [[ -n $2 ]] || { echo "-"; return; }
  awk -v d="$1" -v v="$2" 'BEGIN { printf "%.*f\n", d, v }'
}
secs() { fmt 2 "$(awk -v v="$1" 'BEGIN { print v / 1000 }')"; }   # ms -> s
# Aligned table from tab-separated lines on stdin: first column left-aligned, the others right-aligned.
align() {
  awk -F '\t' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } nf[NR] = NF }
    END { for (r = 1; r <= NR; r++) { line = ""
            for (i = 1; i <= nf[r]; i++) line = line (i == 1 ? sprintf("%-" w[i] "s", cell[r, i]) : sprintf("  %" w[i] "s", cell[r, i]))
            print line } }'
}
json_field() {   # json_field NAME JSON: a string or number field of a flat, compact JSON object
  sed -n -E "s/.*\"$1\":(\"([^\"]*)\"|([-0-9.]+|null|true|false)).*/\2\3/p" <<<"$2" | head -n1
}

# ---------------------------------------------------------------------------------------------------------------
# 1. the stack, the data set, the jar

step "Stack in $STACK_DIR (PostgreSQL :$PG_PORT, Kafka :$KAFKA_PORT, OpenSearch :$OPENSEARCH_PORT)"
"$REPO_ROOT/dev/stack.sh" up postgres kafka opensearch

# Ceiling indices left behind by an earlier benchmark that was killed.
for leftover in $(engine "$ENGINE_URL/_cat/indices/$CEILING_PREFIX*?h=index" 2>/dev/null || true); do
  step "Deleting $leftover, left behind by an earlier benchmark"
  engine -o /dev/null -X DELETE "$ENGINE_URL/$leftover"
done

DATASET_MARKER="$BENCH_DIR/dataset"
dataset_state() {   # companies, case studies and max(id): what the marker remembers next to N and SEED
  sql "SELECT (SELECT count(*) FROM company_company) || ' ' || (SELECT coalesce(max(id), 0) FROM company_company)
              || ' ' || (SELECT count(*) FROM company_companycasestudy)" 2>/dev/null || echo "none"
}
current_state="$(dataset_state)"
marker="$(cat "$DATASET_MARKER" 2>/dev/null || true)"
# Same N and seed as last loaded, and the tables still hold exactly that: N companies with ids 1..N, as many
# case studies as then.
if [[ $marker == "companies=$COMPANIES seed=$SEED state=$current_state" && $current_state == "$COMPANIES $COMPANIES "* ]]; then
  step "Data set already loaded: $COMPANIES companies, seed $SEED (marker $DATASET_MARKER)"
else
  step "Loading $COMPANIES sample companies (seed $SEED)"
  rm -f "$DATASET_MARKER"
  "$REPO_ROOT/dev/load-sample.sh" --reset "$COMPANIES" "$SEED" | sed 's/^/    /'
  echo "companies=$COMPANIES seed=$SEED state=$(dataset_state)" >"$DATASET_MARKER"
fi
PUBLISHED="$(sql "SELECT count(*) FROM company_company
                  WHERE is_published_find_a_supplier OR is_published_investment_support_directory")"

JAR="$SOURCE_DIR/target/quarkus-app/quarkus-run.jar"
if [[ $BUILD == true ]]; then
  step "Building the service in $SOURCE_DIR"
  package_args=()
  [[ $AOT == true ]] && package_args=(-Dquarkus.package.jar.type=aot-jar)
  run_child - env -C "$SOURCE_DIR" ./mvnw -B -q --no-transfer-progress package -DskipTests "${package_args[@]}" \
    || die "the build in $SOURCE_DIR failed"
fi
[[ -f $JAR ]] || die "$JAR missing: build it (./mvnw package -DskipTests) or drop --no-build"
AOT_CACHE="$SOURCE_DIR/target/quarkus-app/app-trained.aot"
if [[ $AOT == true ]]; then
  unzip -p "$JAR" META-INF/MANIFEST.MF 2>/dev/null | grep -q '^Class-Path: ' \
    || die "$JAR is not an aot-jar (no Class-Path in its manifest): build it with -Dquarkus.package.jar.type=aot-jar"
fi
# The ceiling's sender reads and writes JSON with the service's own Jackson.
CEILING_CP=""
for artifact in jackson-core jackson-databind jackson-annotations; do
  jars=("$SOURCE_DIR/target/quarkus-app/lib/main/com.fasterxml.jackson.core.$artifact-"*.jar)
  [[ -f ${jars[0]} ]] || die "no $artifact jar in $SOURCE_DIR/target/quarkus-app/lib/main: build the service again"
  CEILING_CP+="${CEILING_CP:+:}${jars[0]}"
done
SOURCE_COMMIT="$(git -C "$SOURCE_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ $SOURCE_COMMIT != unknown && -n "$(git -C "$SOURCE_DIR" status --porcelain --untracked-files=no -- src pom.xml 2>/dev/null)" ]]; then
  SOURCE_COMMIT="$SOURCE_COMMIT + uncommitted changes"
fi

JAVA_VERSION="$("$JAVA" -version 2>&1 | head -n1)"
OPENSEARCH_VERSION="$(json_field number "$(engine "$ENGINE_URL/" | tr -d ' \n')")"

# ---------------------------------------------------------------------------------------------------------------
# 2. the outcomes: one console consumer for the whole benchmark, reading reindex-completed into a file

step "Following $OUTCOME_TOPIC"
: >"$OUTCOMES"
setsid "$REPO_ROOT/dev/stack.sh" kafka-tool org.apache.kafka.tools.consumer.ConsoleConsumer \
  --bootstrap-server "$BOOTSTRAP" --topic "$OUTCOME_TOPIC" --from-beginning \
  --property print.key=true --property key.separator=$'\t' >"$OUTCOMES" 2>"$BENCH_DIR/outcomes.err" </dev/null &
CONSUMER_PID=$!

# ---------------------------------------------------------------------------------------------------------------
# 3. one service run

declare -a R_DOCS R_WALL R_MB R_READBUILD R_BULK R_CATCHUP R_REFRESH R_SWAP R_CREATE R_HEAP R_LIVE R_RSS R_INDEX
declare -a R_CPU R_PG_CPU R_ENGINE_CPU
declare -a C_DOCS C_BYTES C_CREATE C_BULK C_SETTLE C_TOTAL C_ENGINE_CPU C_SENDER_CPU C_SERVICE_CPU

# CPU seconds (user + system) from /proc, in clock ticks: the engine's CPU is the bottleneck, so the CPU the
# service and PostgreSQL take during a run is what the run loses to the ceiling.
CLK_TCK="$(getconf CLK_TCK)"
ticks_of() {   # ticks_of PID: its own CPU plus that of its reaped children
  local stat fields
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
  read -ra fields <<<"${stat##*) }"   # after the command name, which may hold spaces: field 3 is fields[0]
  echo $((fields[11] + fields[12] + fields[13] + fields[14]))
}
tree_ticks() {   # tree_ticks PID: ticks_of PID and of its live children (PostgreSQL's backends)
  local total child
  total="$(ticks_of "$1")"
  for child in $(pgrep -P "$1"); do
    total=$((total + $(ticks_of "$child")))
  done
  echo "$total"
}
CHILDREN_TICKS=0
children_ticks() {   # CHILDREN_TICKS: CPU of this shell's reaped children (the ceiling's sender), from the times builtin
  times >"$BENCH_DIR/times.txt"   # not in a command substitution: a subshell has children of its own
  CHILDREN_TICKS="$(sed -n 2p "$BENCH_DIR/times.txt" | awk -v hz="$CLK_TCK" '{ t = 0
    for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += (p[1] * 60 + p[2]) * hz } printf "%d\n", t }')"
}
stack_pid() { cat "$STACK_DIR/run/$1.pid" 2>/dev/null || echo 0; }
cpu_s() { awk -v t="$1" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f\n", t / hz }'; }

# The outcome published for request $1 into OUTCOME ("" until there is one), with builtins only.
outcome_of() {
  local key value
  OUTCOME=""
  while IFS=$'\t' read -r key value; do
    [[ $key == "$1" ]] && { OUTCOME=$value; return 0; }
  done <"$OUTCOMES"
  return 0
}
# A descriptor nothing is ever written to: `read -t` on it waits without a `sleep` process.
exec {NEVER_FD}<> <(:)

read_hwm() {   # VmHWM of PID into HWM_KB: its peak RSS (kB) since it started, or since a reset through clear_refs
  local key value rest
  HWM_KB=0
  [[ -r /proc/$1/status ]] || return 0
  while read -r key value rest; do
    [[ $key == VmHWM: ]] && { HWM_KB=$value; return 0; }
  done <"/proc/$1/status"
  return 0
}

READY_S=()
start_service() {   # start_service [train]: train records the AOT cache (-XX:AOTCacheOutput)
  local log=$SERVICE_LOG start
  if curl -fs -m 2 -o /dev/null "http://localhost:$HTTP_PORT/q/health/live" 2>/dev/null; then
    die "something already answers on port $HTTP_PORT; set BENCH_HTTP_PORT"
  fi
  # The runs must serve our requests alone: skip whatever waits in the request topic.
  if ! "${KAFKA_TOOL[@]}" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$BOOTSTRAP" \
    --group "$GROUP" --reset-offsets --to-latest --topic "$REQUEST_TOPIC" --execute >"$BENCH_DIR/reset.log" 2>&1; then
    cat "$BENCH_DIR/reset.log"
    die "could not move consumer group $GROUP to the end of $REQUEST_TOPIC (is another service consuming it?)"
  fi

  local aot_opts=()
  if [[ ${1:-} == train ]]; then
    aot_opts=("-XX:AOTCacheOutput=$AOT_CACHE.training")
  elif [[ $AOT == true ]]; then
    aot_opts=("-XX:AOTCache=$AOT_CACHE")
  fi
  step "Starting the service (-Xmx$XMX, port $HTTP_PORT${aot_opts:+, ${aot_opts[0]}})"
  rm -f "$GC_LOG"
  # shellcheck disable=SC2086  # BENCH_JAVA_OPTS: several options
  QUARKUS_HTTP_PORT="$HTTP_PORT" KAFKA_BOOTSTRAP_SERVERS="$BOOTSTRAP" \
    QUARKUS_ELASTICSEARCH_HOSTS="localhost:$OPENSEARCH_PORT" \
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://localhost:$PG_PORT/companies" \
    REINDEX_INDEX_REPLICAS=0 \
    "$JAVA" "-Xmx$XMX" "-Xlog:gc:file=$GC_LOG" "${aot_opts[@]}" ${BENCH_JAVA_OPTS:-} -jar "$JAR" >"$log" 2>&1 </dev/null &
  SERVICE_PID=$!
  start=$SECONDS
  local rc=0
  wait_for_http "http://localhost:$HTTP_PORT/q/health/ready" "$SERVICE_PID" 180 0.5 || rc=$?
  case $rc in
    1) tail -n 40 "$log"; SERVICE_PID=""; die "the service exited during start-up (log: $log)" ;;
    2) tail -n 40 "$log"; die "the service was not ready within 180 s (log: $log)" ;;
  esac
  READY_S+=("$((SECONDS - start))")
  info "ready after $((SECONDS - start)) s (pid $SERVICE_PID)"
}

service_run() {
  local rep=$1 log=$SERVICE_LOG
  local request_id request outcome start i

  if ((rep == 0)); then
    step "AOT training run (not measured)"
  else
    step "Service run $rep/$REPEAT$( ((rep == 1)) || [[ $COLD == true ]] && echo ' (the first since the service started)')"
  fi
  # Where the GC log stands now: the run's collections are what follows.
  local gc_offset
  gc_offset=$(stat -c %s "$GC_LOG" 2>/dev/null || echo 0)
  # Resets the peak RSS to the current RSS, so that VmHWM is this run's peak (Linux 4.0+).
  echo 5 >"/proc/$SERVICE_PID/clear_refs" 2>/dev/null || info "cannot reset the peak RSS: it covers every run so far"
  local cpu0 pg0 engine0
  cpu0="$(ticks_of "$SERVICE_PID")"
  pg0="$(tree_ticks "$(stack_pid postgres)")"
  engine0="$(ticks_of "$(stack_pid opensearch)")"

  # Runs the service finished before this one: any other than ours during the measurement would skew its figures.
  local runs_before
  runs_before="$(grep -c -F ': stage times: ' "$log" || true)"

  request_id="bench-$STAMP-$rep-$RANDOM$RANDOM"
  request="{\"requestId\":\"$request_id\",\"requestedBy\":\"dev/bench.sh\",\"requestedAt\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}"
  info "publishing $request"
  printf '%s\t%s\n' "$request_id" "$request" | "${KAFKA_TOOL[@]}" org.apache.kafka.tools.ConsoleProducer \
    --bootstrap-server "$BOOTSTRAP" --topic "$REQUEST_TOPIC" \
    --property parse.key=true --property key.separator=$'\t' >/dev/null 2>"$BENCH_DIR/producer.err" \
    || { cat "$BENCH_DIR/producer.err"; die "could not publish the request"; }

  start=$SECONDS
  outcome=""
  while :; do
    outcome_of "$request_id"
    [[ -n $OUTCOME ]] && break
    kill -0 "$SERVICE_PID" 2>/dev/null || { tail -n 40 "$log"; SERVICE_PID=""; die "the service exited during run $rep (log: $log)"; }
    kill -0 "$CONSUMER_PID" 2>/dev/null || { cat "$BENCH_DIR/outcomes.err"; die "the outcome consumer exited"; }
    ((SECONDS - start < RUN_TIMEOUT)) || { tail -n 40 "$log"; die "no outcome for $request_id within $RUN_TIMEOUT s"; }
    read -r -t 1 -u "$NEVER_FD" || true   # a one-second wait without starting a process
  done
  outcome=$OUTCOME
  read_hwm "$SERVICE_PID"
  R_CPU[rep]="$(cpu_s $(($(ticks_of "$SERVICE_PID") - cpu0)))"
  R_PG_CPU[rep]="$(cpu_s $(($(tree_ticks "$(stack_pid postgres)") - pg0)))"
  R_ENGINE_CPU[rep]="$(cpu_s $(($(ticks_of "$(stack_pid opensearch)") - engine0)))"

  local status
  status="$(json_field status "$outcome")"
  if [[ $status != COMPLETED ]]; then
    info "outcome: $outcome"
    tail -n 40 "$log"
    die "run $rep ended $status: $(json_field error "$outcome")"
  fi
  R_WALL[rep]="$(json_field durationMs "$outcome")"
  R_DOCS[rep]="$(json_field documents "$outcome")"
  R_INDEX[rep]="$(json_field index "$outcome")"
  info "COMPLETED: ${R_DOCS[rep]} documents in ${R_WALL[rep]} ms into ${R_INDEX[rep]}"
  ((R_DOCS[rep] == PUBLISHED)) || info "WARNING: $PUBLISHED published companies, but ${R_DOCS[rep]} documents"

  # The run's log lines: stage times and NDJSON size.
  local times_line run_ids sent_line
  times_line="$(grep -F -- "$request_id" "$log" | grep -F ': stage times: ' | tail -n1 || true)"
  [[ -n $times_line ]] || die "no 'stage times' line for $request_id in $log"
  run_ids="$(sed -E 's/.*Run (.*): stage times: .*/\1/' <<<"$times_line")"
  # E.g. the request of an earlier benchmark that was killed mid-run, which this service resumes as it should.
  (($(grep -c -F ': stage times: ' "$log") - runs_before == 1)) \
    || info "WARNING: the service finished other runs during this one: its CPU and heap figures include them"
  [[ $run_ids == *"[$request_id]" ]] \
    || info "WARNING: the run served more than this request: $run_ids"
  stage() {   # stage NAME: its milliseconds in times_line (0 when absent)
    sed -E 's/.*: stage times: //' <<<"$times_line" | tr ',' '\n' \
      | sed -n -E "s/^ *$1 ([0-9]+) ms *$/\1/p" | head -n1 | grep . || echo 0
  }
  R_CREATE[rep]="$(stage create)"
  R_READBUILD[rep]=$(($(stage read) + $(stage build)))
  R_BULK[rep]="$(stage 'wait for bulk')"
  R_CATCHUP[rep]=$(($(stage 'catch up') + $(stage 'catch up after swap')))
  R_REFRESH[rep]="$(stage 'refresh and verify')"
  R_SWAP[rep]="$(stage swap)"
  sent_line="$(grep -F -- "$request_id" "$log" | grep -E ': sent [0-9]+ documents \([0-9]+ MB of NDJSON\)' | tail -n1 || true)"
  R_MB[rep]="$(sed -n -E 's/.*: sent [0-9]+ documents \(([0-9]+) MB of NDJSON\).*/\1/p' <<<"$sent_line")"
  [[ -n ${R_MB[rep]} ]] || info "WARNING: no 'sent N documents (N MB of NDJSON)' line for $request_id in $log"

  # Each of the run's collections in the GC log, as "before->after" heap sizes. Peak heap used is the highest
  # before: heap used only falls at a collection, so its peaks are the sizes just before them. The highest after is
  # the most the run ever kept (live data plus old garbage not yet collected); the peak also holds the young
  # generation, whose size G1 chooses.
  read -r 'R_HEAP[rep]' 'R_LIVE[rep]' < <(tail -c +$((gc_offset + 1)) "$GC_LOG" 2>/dev/null \
    | grep -oE '[0-9]+[KMG]->[0-9]+[KMG]' | awk -F '->' '
        function mb(size, u) { u = substr(size, length(size)); return size * (u == "K" ? 1 / 1024 : u == "G" ? 1024 : 1) }
        { if (mb($1) > before) before = mb($1); if (mb($2) > after) after = mb($2) }
        END { printf "%d %d\n", before, after }')
  R_RSS[rep]=$((HWM_KB / 1024))
  info "stage times: $(sed -E 's/.*: stage times: //' <<<"$times_line")"
  info "CPU during the run: service ${R_CPU[rep]} s, PostgreSQL ${R_PG_CPU[rep]} s, engine ${R_ENGINE_CPU[rep]} s"
  info "heap after GC at most ${R_LIVE[rep]} MB"
  info "peak heap used ${R_HEAP[rep]} MB, peak RSS ${R_RSS[rep]} MB"
}

# ---------------------------------------------------------------------------------------------------------------
# 4. the ceiling

export_documents() {   # export_documents INDEX: NDJSON bulk files of its documents, once per invocation
  step "Exporting the documents of $1 into bulk files of at most $MAX_BYTES bytes and $MAX_DOCS documents (untimed)"
  run_child "$BENCH_DIR/export.out" "$JAVA" -Xmx1g --class-path "$CEILING_CP" \
    "$REPO_ROOT/dev/bench/BulkCeiling.java" export \
    --url "$ENGINE_URL" --index "$1" --out "$NDJSON_DIR" --max-bytes "$MAX_BYTES" --max-docs "$MAX_DOCS" \
    || die "the export of $1 failed"
  info "$(cat "$BENCH_DIR/export.out")"
}

ceiling_run() {
  local rep=$1 out line
  CEILING_INDEX="$CEILING_PREFIX$STAMP-$rep"
  step "Ceiling run $rep/$REPEAT: $SENDERS senders into $CEILING_INDEX"
  local engine0 children0 service0
  engine0="$(ticks_of "$(stack_pid opensearch)")"
  service0="$(ticks_of "$SERVICE_PID")"
  children_ticks
  children0=$CHILDREN_TICKS
  run_child "$BENCH_DIR/ceiling-$rep.out" "$JAVA" -Xmx1g --class-path "$CEILING_CP" \
    "$REPO_ROOT/dev/bench/BulkCeiling.java" load \
    --url "$ENGINE_URL" --index "$CEILING_INDEX" --dir "$NDJSON_DIR" --senders "$SENDERS" \
    || die "ceiling run $rep failed"
  C_ENGINE_CPU[rep]="$(cpu_s $(($(ticks_of "$(stack_pid opensearch)") - engine0)))"
  children_ticks
  C_SENDER_CPU[rep]="$(cpu_s $((CHILDREN_TICKS - children0)))"
  # The service waits for its next request meanwhile, as it does in production: what it takes, the ceiling loses.
  C_SERVICE_CPU[rep]="$(cpu_s $(($(ticks_of "$SERVICE_PID") - service0)))"
  out="$(cat "$BENCH_DIR/ceiling-$rep.out")"
  engine -o /dev/null -X DELETE "$ENGINE_URL/$CEILING_INDEX" 2>/dev/null || true   # deleted already; make sure
  CEILING_INDEX=""
  line="$(grep '^RESULT ' <<<"$out")"
  info "${line#RESULT }"
  kv() { sed -n -E "s/.* $1=([0-9]+).*/\1/p" <<<" ${line#RESULT }"; }
  C_DOCS[rep]="$(kv documents)"
  C_BYTES[rep]="$(kv bytes)"
  C_CREATE[rep]="$(kv create_ms)"
  C_BULK[rep]="$(kv bulk_ms)"
  C_SETTLE[rep]="$(kv settle_ms)"
  C_TOTAL[rep]="$(kv total_ms)"
}

# ---------------------------------------------------------------------------------------------------------------
# 5. the runs, alternated

stop_service() {   # stop_service [SECONDS]
  step "Stopping the service"
  stop_pid "$SERVICE_PID" service "${1:-60}"
  SERVICE_PID=""
}

if [[ $AOT == true && ! -f $AOT_CACHE ]]; then
  # A real run, on the same data: the cache then holds the classes, linked state and method profiles of the read
  # path, not just those of start-up. The JDK writes it when the JVM exits (a child JVM assembles it: give it time).
  start_service train
  service_run 0
  for arr in R_DOCS R_WALL R_MB R_READBUILD R_BULK R_CATCHUP R_REFRESH R_SWAP R_CREATE R_HEAP R_LIVE R_RSS R_INDEX \
    R_CPU R_PG_CPU R_ENGINE_CPU; do
    unset "$arr[0]"
  done
  READY_S=()
  cp "$SERVICE_LOG" "$BENCH_DIR/service-aot-training.log"
  stop_service 600
  # Only a cache of a whole training run is used: a training stopped early (by a failure) leaves its .training file.
  [[ -f $AOT_CACHE.training ]] && mv "$AOT_CACHE.training" "$AOT_CACHE"
  [[ -f $AOT_CACHE ]] || die "the training run wrote no AOT cache $AOT_CACHE (log: $BENCH_DIR/service-aot-training.log)"
  info "AOT cache $AOT_CACHE: $(du -m "$AOT_CACHE" | cut -f1) MB"
fi

start_service
for ((rep = 1; rep <= REPEAT; rep++)); do
  if [[ $COLD == true ]] && ((rep > 1)); then
    cp "$SERVICE_LOG" "$BENCH_DIR/service-run-$((rep - 1)).log"
    stop_service
    start_service
  fi
  service_run "$rep"
  ((rep == 1)) && export_documents "${R_INDEX[1]}"
  ceiling_run "$rep"
done
stop_service

# ---------------------------------------------------------------------------------------------------------------
# 6. the report

rate() { awk -v d="$1" -v ms="$2" 'BEGIN { if (ms > 0) printf "%.0f\n", d / ms * 1000; else print "" }'; }
declare -a R_RATE C_RATE RATIO
for ((rep = 1; rep <= REPEAT; rep++)); do
  R_RATE[rep]="$(rate "${R_DOCS[rep]}" "${R_WALL[rep]}")"
  C_RATE[rep]="$(rate "${C_DOCS[rep]}" "${C_TOTAL[rep]}")"
  RATIO[rep]="$(awk -v a="${R_RATE[rep]}" -v b="${C_RATE[rep]}" 'BEGIN { if (b > 0) print a / b }')"
done

# A row of the service table from per-run values: KIND is one value, or "median"/"range" over all runs.
service_cell() {   # service_cell KIND(rep number|median|range) ARRAY FORMAT(s|n0|mb)
  local kind=$1 format=$3 values
  local -n arr=$2
  values=("${arr[@]}")
  value_fmt() {
    case $format in
      s) secs "$1" ;;
      n0) fmt 0 "$1" ;;
      c1) fmt 1 "$1" ;;
    esac
  }
  case $kind in
    median) value_fmt "$(stat_of median "${values[@]}")" ;;
    range) echo "$(value_fmt "$(stat_of min "${values[@]}")")-$(value_fmt "$(stat_of max "${values[@]}")")" ;;
    *) value_fmt "${arr[kind]}" ;;
  esac
}

table() {   # table HEADER ARRAY:FORMAT...: one row per repetition, then the median and min-max, aligned
  local header=$1 kind label spec
  shift
  {
    printf '%b\n' "$header"
    for kind in $(seq 1 "$REPEAT") median range; do
      label=$kind
      [[ $kind == range ]] && label=min-max
      printf '%s' "$label"
      for spec in "$@"; do
        printf '\t%s' "$(service_cell "$kind" "${spec%%:*}" "${spec##*:}")"
      done
      printf '\n'
    done
  } | align
}
declare -a R_COMPANIES R_PUBLISHED C_MB
for ((rep = 1; rep <= REPEAT; rep++)); do
  R_COMPANIES[rep]=$COMPANIES
  R_PUBLISHED[rep]=$PUBLISHED
  C_MB[rep]=$((C_BYTES[rep] / 1000000))   # as the service logs it
done

echo
echo "================================================================================================"
echo "Benchmark $STAMP: dev/bench.sh --companies $COMPANIES --repeat $REPEAT --senders $SENDERS"
echo "  service:     $JAR ($SOURCE_COMMIT)"
echo "  java:        $JAVA_VERSION, -Xmx$XMX${BENCH_JAVA_OPTS:+ $BENCH_JAVA_OPTS}$([[ $AOT == true ]] && echo ", aot-jar, -XX:AOTCache=$AOT_CACHE")"
echo "  mode:        $([[ $COLD == true ]] && echo "every service run on a fresh JVM (--cold)" || echo "one service for all runs (run 1 cold, the others warm)"); ready after $(printf '%s ' "${READY_S[@]}")s; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  engine:      OpenSearch $OPENSEARCH_VERSION at $ENGINE_URL"
echo "  data:        N=$COMPANIES companies (seed $SEED), $PUBLISHED published"
echo "  bulk bodies: at most $MAX_DOCS documents and $MAX_BYTES bytes; machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo
echo "Service runs (wall = the outcome's durationMs; phases from the run's 'stage times' log line):"
table 'run\tcompanies\tpublished\tdocuments\twall s\tdocs/s\tNDJSON MB\tread+build s\tbulk s\tcatch-up s\trefresh+verify s\tswap s\theap MB\tafter GC MB\tRSS MB' \
  R_COMPANIES:n0 R_PUBLISHED:n0 R_DOCS:n0 R_WALL:s R_RATE:n0 R_MB:n0 R_READBUILD:s R_BULK:s R_CATCHUP:s R_REFRESH:s R_SWAP:s \
  R_HEAP:n0 R_LIVE:n0 R_RSS:n0
echo
echo "CPU seconds taken during each service run (user + system): by the service, by PostgreSQL, by the engine:"
table 'run\tservice CPU s\tPostgreSQL CPU s\tengine CPU s' R_CPU:c1 R_PG_CPU:c1 R_ENGINE_CPU:c1
echo
echo "Ceiling runs ($SENDERS concurrent _bulk senders, same documents and body limits; total = create + bulk + settings, refresh and count):"
table 'run\tdocuments\tNDJSON MB\tcreate s\tbulk s\trefresh+verify s\ttotal s\tdocs/s\tsender CPU s\tengine CPU s\tidle service CPU s' \
  C_DOCS:n0 C_MB:n0 C_CREATE:s C_BULK:s C_SETTLE:s C_TOTAL:s C_RATE:n0 C_SENDER_CPU:c1 C_ENGINE_CPU:c1 C_SERVICE_CPU:c1
echo
printf 'Service docs/s:  median %s (min-max %s)\n' "$(service_cell median R_RATE n0)" "$(service_cell range R_RATE n0)"
printf 'Ceiling docs/s:  median %s (min-max %s)\n' "$(service_cell median C_RATE n0)" "$(service_cell range C_RATE n0)"
pairs=""
for ((rep = 1; rep <= REPEAT; rep++)); do
  pairs+="${pairs:+, }$(fmt 2 "${RATIO[rep]}")"
done
printf 'Run / ceiling:   median %s of the per-pair ratios (%s); ratio of the medians %s\n' \
  "$(fmt 2 "$(stat_of median "${RATIO[@]}")")" "$pairs" \
  "$(fmt 2 "$(awk -v a="$(stat_of median "${R_RATE[@]}")" -v b="$(stat_of median "${C_RATE[@]}")" 'BEGIN { if (b > 0) print a / b }')")"
if [[ $COLD == true ]]; then
  printf 'Every run on a fresh JVM (cold): run / ceiling median %s (min-max %s-%s)\n' \
    "$(fmt 2 "$(stat_of median "${RATIO[@]}")")" "$(fmt 2 "$(stat_of min "${RATIO[@]}")")" "$(fmt 2 "$(stat_of max "${RATIO[@]}")")"
elif ((REPEAT > 1)); then
  printf 'First run after the service started (cold JVM): %s docs/s, %s of its ceiling; later runs: median %s\n' \
    "${R_RATE[1]}" "$(fmt 2 "${RATIO[1]}")" "$(fmt 2 "$(stat_of median "${RATIO[@]:2}")")"
fi
echo
echo "Saved in $OUT_FILE (the service's log and GC log: $BENCH_DIR)"
