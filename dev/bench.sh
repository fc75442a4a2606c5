#!/usr/bin/env bash
# The benchmark: how fast the packaged service rebuilds the index, and how close that is to what the search engine
# can take at all (the ceiling: the same documents sent straight to _bulk by a plain sender).
#
#   dev/bench.sh [--companies N] [--repeat R] [--senders S] [--source DIR] [--no-build] [--cold] [--aot]
#                [--instances N] [--sink] [--no-ceiling] [--pg-read]
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
#   --instances N  start N packaged services (default 1) against the same PostgreSQL, Kafka and engine, in the same
#                  consumer group, each with its own HTTP port (BENCH_HTTP_PORT, +1, ...), log and GC log; each run
#                  is one request, served by whichever instances take part in it; per-instance CPU, peak heap and
#                  peak RSS are reported
#   --sink         the engine is dev/bench/BulkSink.java (on BENCH_SINK_PORT), which answers every _bulk at once:
#                  the runs measure the service alone (OpenSearch is not started). Instead of the ceiling, each
#                  service run is followed by a run of the sink's own load generator (BENCH_SINK_SECONDS, S
#                  senders, documents of the service's average size): how fast the sink itself goes
#   --no-ceiling   no ceiling runs (nor the export they need): only the service runs
#   --pg-read      only PostgreSQL's read limit per session: R times, one psql session reads the published
#                  companies with their published case studies as the service does (keyset pages of
#                  REINDEX_SOURCE_PAGE_SIZE ids, each page's case studies by an id list, each page in a read-only
#                  transaction), then the catch-up's version-only read (pages of 10,000: ids and modified, and the
#                  case studies' company id, id and modified by id range); wall time, companies/s, and the CPU of
#                  the PostgreSQL backends and of psql. Needs only PostgreSQL
#
# On the local stack (dev/stack.sh up postgres kafka opensearch, started if needed). The packaged service is started
# once (java -Xmx$BENCH_XMX -jar DIR/target/quarkus-app/quarkus-run.jar, REINDEX_INDEX_REPLICAS=0, and
# REINDEX_SWAP_MIN_RATIO=0 unless set: a bench of fewer companies than the last one is no wrong source) and serves the R
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
# the others take is what a run loses. During the load stage (from the service's "Created index" log line to its
# "sent N documents" line, seen within a second by reading the logs with shell builtins) it also reads the CPU of the
# engine (or the sink), the service, its slice workers ("reindex-slices-N", which read the pages and build the
# bodies, the serial part of a slice) and PostgreSQL: the engine's CPU per 1,000 documents indexed, and the documents
# per CPU second of the slice workers (an upper bound of what one worker can do with a core to itself). Prints tables (per
# run, median, min-max) and saves the whole output to STACK_DIR/bench/bench-<time>.txt.
#
# Environment (defaults in brackets): STACK_DIR [<repo>/.stack], PG_PORT [5432], KAFKA_PORT [9092],
#   KAFKA_CONTROLLER_PORT [9093], OPENSEARCH_PORT [9200], OPENSEARCH_TRANSPORT_PORT [9300] (as dev/stack.sh);
#   JAVA_HOME [Temurin 25 when installed]; BENCH_XMX [256m] the service's -Xmx; BENCH_JAVA_OPTS [] more JVM
#   options for the service; BENCH_HTTP_PORT [18080] the (first) service's HTTP port; BENCH_SEED [0.42] the sample seed;
#   BENCH_SINK_PORT [18200] the sink's port (--sink); BENCH_SINK_SECONDS [10] each sink load run's length;
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
INSTANCES=1
SINK=false
CEILING=true
PG_READ=false
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
    --instances) [[ $# -ge 2 ]] || usage 2; INSTANCES=$2; shift 2 ;;
    --instances=*) INSTANCES=${1#*=}; shift ;;
    --sink) SINK=true; shift ;;
    --no-ceiling) CEILING=false; shift ;;
    --pg-read) PG_READ=true; shift ;;
    -h | --help) usage 0 ;;
    *) printf 'bench: unknown argument: %s\n\n' "$1" >&2; usage 2 ;;
  esac
done
[[ $COMPANIES =~ ^[0-9]+$ && $COMPANIES -ge 1 ]] || die "--companies must be a positive integer, got '$COMPANIES'"
[[ $REPEAT =~ ^[0-9]+$ && $REPEAT -ge 1 ]] || die "--repeat must be a positive integer, got '$REPEAT'"
[[ $SENDERS =~ ^[0-9]+$ && $SENDERS -ge 1 ]] || die "--senders must be a positive integer, got '$SENDERS'"
[[ $INSTANCES =~ ^[0-9]+$ && $INSTANCES -ge 1 ]] || die "--instances must be a positive integer, got '$INSTANCES'"
COMPANIES=$((10#$COMPANIES)); REPEAT=$((10#$REPEAT)); SENDERS=$((10#$SENDERS)); INSTANCES=$((10#$INSTANCES))
[[ $AOT == true && $INSTANCES -gt 1 ]] && die "--aot trains its cache with one instance: use it with --instances 1"
# Against the sink there is no engine to measure a ceiling on: the sink's own load runs take its place.
[[ $SINK == true ]] && CEILING=false
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
SINK_PORT="${BENCH_SINK_PORT:-18200}"
SINK_SECONDS="${BENCH_SINK_SECONDS:-10}"
ENGINE_PORT=$OPENSEARCH_PORT
[[ $SINK == true ]] && ENGINE_PORT=$SINK_PORT
ENGINE_URL="http://localhost:$ENGINE_PORT"
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
# Instance I's log and GC log (instance 1's keep the names they had before there were instances).
service_log() { if (($1 == 1)); then echo "$BENCH_DIR/service.log"; else echo "$BENCH_DIR/service-$1.log"; fi; }
gc_log() { if (($1 == 1)); then echo "$BENCH_DIR/gc.log"; else echo "$BENCH_DIR/gc-$1.log"; fi; }
SERVICE_LOG="$(service_log 1)"
SINK_OUT="$BENCH_DIR/sink.out"
mkdir -p "$BENCH_DIR"
STAMP="$(date +%Y%m%d-%H%M%S)"
OUT_FILE="$BENCH_DIR/bench-$STAMP.txt"

# Everything printed from here on also goes to OUT_FILE.
exec > >(tee "$OUT_FILE") 2>&1
TEE_PID=$!

# ---------------------------------------------------------------------------------------------------------------
# cleanup: whatever this script started, even on failure

SERVICE_PIDS=()   # instance I's pid at index I (1..INSTANCES); "" once stopped
SINK_PID=""
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
  local i
  for i in "${!SERVICE_PIDS[@]}"; do
    [[ -n ${SERVICE_PIDS[i]} ]] || continue
    info "stopping service instance $i (pid ${SERVICE_PIDS[i]})"
    stop_pid "${SERVICE_PIDS[i]}" "service $i"
  done
  if [[ -n $SINK_PID ]]; then
    stop_pid "$SINK_PID" "bulk sink" 10
    info "$(grep '^SINK ' "$SINK_OUT" 2>/dev/null || echo "the sink printed no summary")"
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
      c3) fmt 3 "$1" ;;
      c4) fmt 4 "$1" ;;
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
json_field() {   # json_field NAME JSON: a string or number field of a flat, compact JSON object
  sed -n -E "s/.*\"$1\":(\"([^\"]*)\"|([-0-9.]+|null|true|false)).*/\2\3/p" <<<"$2" | head -n1
}

# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL's read limit per session (--pg-read)

# The columns the service maps (source/Company.java, CaseStudy.java), the private ones left out as there.
COMPANY_COLUMNS="id, modified, name, number, company_type, summary, description, employees, keywords, website,
  twitter_url, facebook_url, linkedin_url, logo, slug, date_of_creation, sectors, expertise_industries,
  expertise_regions, expertise_countries, expertise_languages, expertise_products_services,
  is_published_find_a_supplier, is_published_investment_support_directory, is_showcase_company"
CASE_STUDY_COLUMNS="id, company_id, modified, title, short_summary, description, sector, website, keywords,
  image_one_caption, image_two_caption, image_three_caption, testimonial, testimonial_name, testimonial_job_title,
  testimonial_company, slug, is_published_case_study"
PUBLISHED_WHERE="(is_published_find_a_supplier OR is_published_investment_support_directory)"

# Writes the psql scripts of one read as the service does it, with the page boundaries the keyset reads would find
# (computed once, untimed): FILE.pages reads each page of PAGE_SIZE published companies and then its published case
# studies by the page's id list, in a read-only transaction per page; FILE.versions reads the catch-up's pages of
# 10,000 (ids and modified, then the case studies' versions by id range), each in its own transaction.
pg_read_scripts() {   # pg_read_scripts FILE PAGE_SIZE
  local file=$1 size=$2
  sql "WITH p AS (SELECT id, (row_number() OVER (ORDER BY id) - 1) / $size AS page FROM company_company
                  WHERE $PUBLISHED_WHERE),
            pages AS (SELECT page, max(id) AS last, string_agg(id::text, ',' ORDER BY id) AS ids FROM p GROUP BY page)
       SELECT format(E'BEGIN READ ONLY;\nSELECT %s FROM company_company WHERE %s AND id > %s ORDER BY id LIMIT %s;\n'
                     || 'SELECT %s FROM company_companycasestudy WHERE company_id IN (%s) AND is_published_case_study'
                     || E' ORDER BY company_id, id;\nCOMMIT;',
                     '$COMPANY_COLUMNS', '$PUBLISHED_WHERE',
                     coalesce(lag(last) OVER (ORDER BY page), -2147483648), $size, '$CASE_STUDY_COLUMNS', ids)
       FROM pages ORDER BY page" >"$file.pages"
  sql "WITH p AS (SELECT id, (row_number() OVER (ORDER BY id) - 1) / 10000 AS page FROM company_company
                  WHERE $PUBLISHED_WHERE),
            pages AS (SELECT page, min(id) AS first, max(id) AS last FROM p GROUP BY page)
       SELECT format(E'BEGIN READ ONLY;\nSELECT id, modified FROM company_company WHERE %s AND id > %s ORDER BY id'
                     || E' LIMIT 10000;\nSELECT company_id, id, modified FROM company_companycasestudy'
                     || E' WHERE company_id BETWEEN %s AND %s AND is_published_case_study ORDER BY company_id, id;\nCOMMIT;',
                     '$PUBLISHED_WHERE', coalesce(lag(last) OVER (ORDER BY page), -2147483648), first, last)
       FROM pages ORDER BY page" >"$file.versions"
}

declare -a P_WALL P_RATE P_PG_CPU P_CLIENT_CPU V_WALL V_RATE V_PG_CPU V_CLIENT_CPU
# One timed psql session running SCRIPT, its output thrown away: wall ms, PostgreSQL's CPU and psql's, into the
# arrays named by PREFIX (P or V) at index REP.
pg_read_session() {   # pg_read_session PREFIX REP SCRIPT
  local prefix=$1 rep=$2 script=$3 pg0 start_ns end_ns
  local -n wall=${prefix}_WALL rate=${prefix}_RATE pg_cpu=${prefix}_PG_CPU client_cpu=${prefix}_CLIENT_CPU
  children_ticks
  local children0=$CHILDREN_TICKS
  pg0="$(tree_ticks "$(stack_pid postgres)")"
  start_ns=$(date +%s%N)
  run_child /dev/null psql -X -q -v ON_ERROR_STOP=1 -At -f "$script" || die "psql failed on $script"
  end_ns=$(date +%s%N)
  pg_cpu[rep]="$(cpu_s $(($(tree_ticks "$(stack_pid postgres)") - pg0)))"
  children_ticks
  client_cpu[rep]="$(cpu_s $((CHILDREN_TICKS - children0)))"
  wall[rep]=$(((end_ns - start_ns) / 1000000))
  rate[rep]="$(awk -v n="$PUBLISHED" -v ms="${wall[rep]}" 'BEGIN { printf "%.0f\n", n / ms * 1000 }')"
}

pg_read_bench() {
  local page_size=${REINDEX_SOURCE_PAGE_SIZE:-500} scripts="$BENCH_DIR/pg-read" rep
  step "Writing the read scripts ($page_size companies a page; untimed)"
  pg_read_scripts "$scripts" "$page_size"
  info "$(wc -l <"$scripts.pages") lines of pages, $(wc -l <"$scripts.versions") lines of versions"
  for ((rep = 1; rep <= REPEAT; rep++)); do
    step "PostgreSQL read $rep/$REPEAT: one session, the published companies and their case studies"
    pg_read_session P "$rep" "$scripts.pages"
    info "${P_WALL[rep]} ms, ${P_RATE[rep]} companies/s; CPU: PostgreSQL ${P_PG_CPU[rep]} s, psql ${P_CLIENT_CPU[rep]} s"
    step "PostgreSQL read $rep/$REPEAT: one session, the catch-up's version-only read"
    pg_read_session V "$rep" "$scripts.versions"
    info "${V_WALL[rep]} ms, ${V_RATE[rep]} companies/s; CPU: PostgreSQL ${V_PG_CPU[rep]} s, psql ${V_CLIENT_CPU[rep]} s"
  done
  declare -a P_PG_MS V_PG_MS
  for ((rep = 1; rep <= REPEAT; rep++)); do   # PostgreSQL's CPU per 1,000 companies, in ms
    P_PG_MS[rep]="$(awk -v c="${P_PG_CPU[rep]}" -v n="$PUBLISHED" 'BEGIN { print c / n * 1e6 }')"
    V_PG_MS[rep]="$(awk -v c="${V_PG_CPU[rep]}" -v n="$PUBLISHED" 'BEGIN { print c / n * 1e6 }')"
  done
  echo
  echo "================================================================================================"
  echo "Benchmark $STAMP: dev/bench.sh --pg-read --companies $COMPANIES --repeat $REPEAT"
  echo "  data:        N=$COMPANIES companies (seed $SEED), $PUBLISHED published; pages of $page_size (versions: 10,000)"
  echo "  client:      psql $(psql --version | awk '{ print $3 }') on the same machine, output thrown away; load average at the end $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
  echo
  echo "One session reading every published company with its published case studies (2 queries a page, in a transaction):"
  table 'run\twall s\tcompanies/s\tPostgreSQL CPU s\tPostgreSQL CPU ms per 1,000\tpsql CPU s' \
    P_WALL:s P_RATE:n0 P_PG_CPU:c1 P_PG_MS:c1 P_CLIENT_CPU:c1
  echo
  echo "One session reading the catch-up's versions (ids and modified of companies and case studies):"
  table 'run\twall s\tcompanies/s\tPostgreSQL CPU s\tPostgreSQL CPU ms per 1,000\tpsql CPU s' \
    V_WALL:s V_RATE:n0 V_PG_CPU:c1 V_PG_MS:c1 V_CLIENT_CPU:c1
  echo
  echo "Saved in $OUT_FILE"
}

# ---------------------------------------------------------------------------------------------------------------
# 1. the stack, the data set, the jar

if [[ $PG_READ == true ]]; then
  step "Stack in $STACK_DIR (PostgreSQL :$PG_PORT)"
  "$REPO_ROOT/dev/stack.sh" up postgres
elif [[ $SINK == true ]]; then
  step "Stack in $STACK_DIR (PostgreSQL :$PG_PORT, Kafka :$KAFKA_PORT; the bulk sink on :$SINK_PORT instead of an engine)"
  "$REPO_ROOT/dev/stack.sh" up postgres kafka
else
  step "Stack in $STACK_DIR (PostgreSQL :$PG_PORT, Kafka :$KAFKA_PORT, OpenSearch :$OPENSEARCH_PORT)"
  "$REPO_ROOT/dev/stack.sh" up postgres kafka opensearch
  # Ceiling indices left behind by an earlier benchmark that was killed.
  for leftover in $(engine "$ENGINE_URL/_cat/indices/$CEILING_PREFIX*?h=index" 2>/dev/null || true); do
    step "Deleting $leftover, left behind by an earlier benchmark"
    engine -o /dev/null -X DELETE "$ENGINE_URL/$leftover"
  done
fi

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

if [[ $PG_READ == true ]]; then
  pg_read_bench
  exit 0
fi

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
if [[ $SINK == true ]]; then
  ENGINE_DESC="the bulk sink (dev/bench/BulkSink.java) at $ENGINE_URL"
else
  ENGINE_DESC="OpenSearch $(json_field number "$(engine "$ENGINE_URL/" | tr -d ' \n')") at $ENGINE_URL"
fi

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
start_service() {   # start_service [train]: N instances (one for train, which records the AOT cache, -XX:AOTCacheOutput)
  local n=$INSTANCES i start port log
  [[ ${1:-} == train ]] && n=1
  for ((i = 1; i <= n; i++)); do
    port=$((HTTP_PORT + i - 1))
    if curl -fs -m 2 -o /dev/null "http://localhost:$port/q/health/live" 2>/dev/null; then
      die "something already answers on port $port; set BENCH_HTTP_PORT"
    fi
  done
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
  start=$SECONDS
  # Each instance its own HTTP port, log and GC log; the same database, Kafka (and consumer group) and engine.
  for ((i = 1; i <= n; i++)); do
    port=$((HTTP_PORT + i - 1))
    log="$(service_log "$i")"
    step "Starting service instance $i of $n (-Xmx$XMX, port $port${aot_opts:+, ${aot_opts[0]}})"
    rm -f "$(gc_log "$i")"
    # shellcheck disable=SC2086  # BENCH_JAVA_OPTS: several options
    QUARKUS_HTTP_PORT="$port" KAFKA_BOOTSTRAP_SERVERS="$BOOTSTRAP" \
      QUARKUS_ELASTICSEARCH_HOSTS="localhost:$ENGINE_PORT" \
      QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://localhost:$PG_PORT/companies" \
      REINDEX_INDEX_REPLICAS=0 REINDEX_SWAP_MIN_RATIO="${REINDEX_SWAP_MIN_RATIO:-0}" \
      "$JAVA" "-Xmx$XMX" "-Xlog:gc:file=$(gc_log "$i")" "${aot_opts[@]}" ${BENCH_JAVA_OPTS:-} -jar "$JAR" \
      >"$log" 2>&1 </dev/null &
    SERVICE_PIDS[i]=$!
  done
  local rc
  for ((i = 1; i <= n; i++)); do
    port=$((HTTP_PORT + i - 1))
    log="$(service_log "$i")"
    rc=0
    wait_for_http "http://localhost:$port/q/health/ready" "${SERVICE_PIDS[i]}" 180 0.5 || rc=$?
    case $rc in
      1) tail -n 40 "$log"; SERVICE_PIDS[i]=""; die "service instance $i exited during start-up (log: $log)" ;;
      2) tail -n 40 "$log"; die "service instance $i was not ready within 180 s (log: $log)" ;;
    esac
    info "instance $i ready after $((SECONDS - start)) s (pid ${SERVICE_PIDS[i]}, port $port)"
  done
  READY_S+=("$((SECONDS - start))")
}

# The live instances (1..N whose pid is set).
instances() {
  local i
  for i in "${!SERVICE_PIDS[@]}"; do
    [[ -n ${SERVICE_PIDS[i]} ]] && echo "$i"
  done
  return 0
}
services_ticks() {   # CPU ticks of every live instance, summed
  local i total=0
  for i in $(instances); do
    total=$((total + $(ticks_of "${SERVICE_PIDS[i]}")))
  done
  echo "$total"
}
engine_pid() { if [[ $SINK == true ]]; then echo "${SINK_PID:-0}"; else stack_pid opensearch; fi; }

# The load stage as the logs show it: between an instance's "Created index <name>" and its "sent N documents" lines,
# read from every instance's log with builtins (one descriptor per log, opened at the end of what it held), so that
# waiting for a run starts no process. LOAD_MARK0 and LOAD_MARK1 hold "engine service postgres" CPU ticks at each.
declare -A LOG_FD LOG_PARTIAL
LOAD_MARK0=""
LOAD_MARK1=""
LOAD_T0=0
LOAD_T1=0
follow_logs() {   # opens a descriptor on every instance's log, positioned at its end
  local i fd line
  for i in $(instances); do
    [[ -n ${LOG_FD[$i]:-} ]] && eval "exec ${LOG_FD[$i]}<&-"
    exec {fd}<"$(service_log "$i")"
    while IFS= read -r -u "$fd" line; do :; done
    LOG_FD[$i]=$fd
    LOG_PARTIAL[$i]=""
  done
  LOAD_MARK0=""
  LOAD_MARK1=""
}
# The CPU ticks of the service's slice workers ("reindex-slices-N", shown as "reindex-slices-" in comm: they read the
# pages and build the bulk bodies, the part of a slice that does not run in parallel), summed over the live instances.
run_thread_ticks() {
  local i task comm stat fields total=0
  for i in $(instances); do
    for task in /proc/"${SERVICE_PIDS[i]}"/task/*; do
      read -r comm <"$task/comm" 2>/dev/null || continue
      [[ $comm == reindex-slices* ]] || continue
      read -r stat <"$task/stat" 2>/dev/null || continue
      read -ra fields <<<"${stat##*) }"
      total=$((total + fields[11] + fields[12]))
    done
  done
  echo "$total"
}
load_marks() {   # the CPU now, as a mark: engine, services, PostgreSQL, the services' slice workers
  echo "$(ticks_of "$(engine_pid)") $(services_ticks) $(tree_ticks "$(stack_pid postgres)") $(run_thread_ticks)"
}
check_logs() {   # reads what the logs got since the last call, and takes the load stage's marks when they pass
  local i line
  for i in $(instances); do
    while :; do
      if IFS= read -r -u "${LOG_FD[$i]}" line; then
        line="${LOG_PARTIAL[$i]}$line"
        LOG_PARTIAL[$i]=""
      else
        LOG_PARTIAL[$i]+="$line"   # a line still being written, or nothing
        break
      fi
      if [[ -z $LOAD_MARK0 && $line == *"Created index "* ]]; then
        LOAD_MARK0="$(load_marks)"
        LOAD_T0=$SECONDS
      elif [[ -n $LOAD_MARK0 && -z $LOAD_MARK1 && $line == *": sent "*" documents ("*" MB of NDJSON) to "* ]]; then
        LOAD_MARK1="$(load_marks)"
        LOAD_T1=$SECONDS
      fi
    done
  done
}

declare -a R_BY R_LOAD R_RETIRE R_ENGINE_LOAD_CPU R_SERVICE_LOAD_CPU R_PG_LOAD_CPU R_ENGINE_MS R_SERVICE_MS R_READER_CPU
declare -a R_READER_RATE
declare -A I_CPU I_HEAP I_LIVE I_RSS
service_run() {
  local rep=$1 i
  local request_id request outcome start

  if ((rep == 0)); then
    step "AOT training run (not measured)"
  else
    step "Service run $rep/$REPEAT$( ((rep == 1)) || [[ $COLD == true ]] && echo ' (the first since the service started)')"
  fi
  # Per instance: where its GC log stands now (the run's collections are what follows), its CPU, and its peak RSS
  # reset to its current RSS, so that VmHWM is this run's peak (Linux 4.0+).
  local -A gc_offset cpu0
  local logs=()
  for i in $(instances); do
    gc_offset[$i]=$(stat -c %s "$(gc_log "$i")" 2>/dev/null || echo 0)
    echo 5 >"/proc/${SERVICE_PIDS[i]}/clear_refs" 2>/dev/null \
      || info "cannot reset the peak RSS of instance $i: it covers every run so far"
    cpu0[$i]="$(ticks_of "${SERVICE_PIDS[i]}")"
    logs+=("$(service_log "$i")")
  done
  local pg0 engine0
  pg0="$(tree_ticks "$(stack_pid postgres)")"
  engine0="$(ticks_of "$(engine_pid)")"
  follow_logs

  # Runs the service finished before this one: any other than ours during the measurement would skew its figures.
  local runs_before
  runs_before="$(cat "${logs[@]}" | grep -c -F ': stage times: ' || true)"

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
    check_logs
    outcome_of "$request_id"
    [[ -n $OUTCOME ]] && break
    for i in $(instances); do
      kill -0 "${SERVICE_PIDS[i]}" 2>/dev/null || {
        tail -n 40 "$(service_log "$i")"; SERVICE_PIDS[i]=""; die "service instance $i exited during run $rep (log: $(service_log "$i"))"; }
    done
    [[ $SINK == false ]] || kill -0 "$SINK_PID" 2>/dev/null || { cat "$SINK_OUT"; SINK_PID=""; die "the sink exited"; }
    kill -0 "$CONSUMER_PID" 2>/dev/null || { cat "$BENCH_DIR/outcomes.err"; die "the outcome consumer exited"; }
    ((SECONDS - start < RUN_TIMEOUT)) || { tail -n 40 "$SERVICE_LOG"; die "no outcome for $request_id within $RUN_TIMEOUT s"; }
    read -r -t 1 -u "$NEVER_FD" || true   # a one-second wait without starting a process
  done
  outcome=$OUTCOME
  local total_ticks=0 ticks
  R_HEAP[rep]=0; R_LIVE[rep]=0; R_RSS[rep]=0
  for i in $(instances); do
    read_hwm "${SERVICE_PIDS[i]}"
    I_RSS[$rep.$i]=$((HWM_KB / 1024))
    ticks=$(($(ticks_of "${SERVICE_PIDS[i]}") - cpu0[$i]))
    total_ticks=$((total_ticks + ticks))
    I_CPU[$rep.$i]="$(cpu_s "$ticks")"
  done
  R_CPU[rep]="$(cpu_s "$total_ticks")"
  R_PG_CPU[rep]="$(cpu_s $(($(tree_ticks "$(stack_pid postgres)") - pg0)))"
  R_ENGINE_CPU[rep]="$(cpu_s $(($(ticks_of "$(engine_pid)") - engine0)))"

  local status
  status="$(json_field status "$outcome")"
  if [[ $status != COMPLETED ]]; then
    info "outcome: $outcome"
    tail -n 40 "$SERVICE_LOG"
    die "run $rep ended $status: $(json_field error "$outcome")"
  fi
  R_WALL[rep]="$(json_field durationMs "$outcome")"
  R_DOCS[rep]="$(json_field documents "$outcome")"
  R_INDEX[rep]="$(json_field index "$outcome")"
  info "COMPLETED: ${R_DOCS[rep]} documents in ${R_WALL[rep]} ms into ${R_INDEX[rep]}"
  ((R_DOCS[rep] == PUBLISHED)) || info "WARNING: $PUBLISHED published companies, but ${R_DOCS[rep]} documents"

  # The run's log lines: stage times and NDJSON size, from whichever instance ran it.
  local times_line run_ids sent_line
  R_BY[rep]=""
  for i in $(instances); do
    if grep -F -- "$request_id" "$(service_log "$i")" | grep -q -F ': stage times: '; then
      R_BY[rep]=$i
    fi
  done
  [[ -n ${R_BY[rep]} ]] || die "no 'stage times' line for $request_id in ${logs[*]}"
  times_line="$(grep -F -- "$request_id" "$(service_log "${R_BY[rep]}")" | grep -F ': stage times: ' | tail -n1)"
  run_ids="$(sed -E 's/.*Run (.*): stage times: .*/\1/' <<<"$times_line")"
  # E.g. the request of an earlier benchmark that was killed mid-run, which this service resumes as it should.
  (($(cat "${logs[@]}" | grep -c -F ': stage times: ') - runs_before == 1)) \
    || info "WARNING: the service finished other runs during this one: its CPU and heap figures include them"
  [[ $run_ids == *"[$request_id]" ]] \
    || info "WARNING: the run served more than this request: $run_ids"
  stage() {   # stage NAME: its milliseconds in times_line (0 when absent)
    sed -E 's/.*: stage times: //; s/",".*//' <<<"$times_line" | tr ',' '\n' \
      | sed -n -E "s/^ *$1 ([0-9]+) ms *$/\1/p" | head -n1 | grep . || echo 0
  }
  R_CREATE[rep]="$(stage create)"
  R_LOAD[rep]="$(stage load)"
  R_READBUILD[rep]=$(($(stage read) + $(stage build)))
  R_BULK[rep]="$(stage 'wait for bulk')"
  R_CATCHUP[rep]=$(($(stage 'catch up') + $(stage 'catch up after swap')))
  R_REFRESH[rep]="$(stage 'refresh and verify')"
  R_SWAP[rep]="$(stage swap)"
  R_RETIRE[rep]="$(stage retire)"
  sent_line="$(grep -F -- "$request_id" "$(service_log "${R_BY[rep]}")" \
    | grep -E ': sent [0-9]+ documents \([0-9]+ MB of NDJSON\)' | tail -n1 || true)"
  R_MB[rep]="$(sed -n -E 's/.*: sent [0-9]+ documents \(([0-9]+) MB of NDJSON\).*/\1/p' <<<"$sent_line")"
  [[ -n ${R_MB[rep]} ]] || info "WARNING: no 'sent N documents (N MB of NDJSON)' line for $request_id"

  # The load stage's CPU, between the marks the logs gave.
  R_ENGINE_LOAD_CPU[rep]=""; R_SERVICE_LOAD_CPU[rep]=""; R_PG_LOAD_CPU[rep]=""; R_ENGINE_MS[rep]=""; R_SERVICE_MS[rep]=""
  R_READER_CPU[rep]=""; R_READER_RATE[rep]=""
  if [[ -n $LOAD_MARK0 && -n $LOAD_MARK1 ]]; then
    local m0 m1
    read -ra m0 <<<"$LOAD_MARK0"
    read -ra m1 <<<"$LOAD_MARK1"
    R_ENGINE_LOAD_CPU[rep]="$(cpu_s $((m1[0] - m0[0])))"
    R_SERVICE_LOAD_CPU[rep]="$(cpu_s $((m1[1] - m0[1])))"
    R_PG_LOAD_CPU[rep]="$(cpu_s $((m1[2] - m0[2])))"
    R_READER_CPU[rep]="$(cpu_s $((m1[3] - m0[3])))"
    # What the slice workers alone could do with a core of their own: the documents over their CPU time.
    R_READER_RATE[rep]="$(awk -v n="${R_DOCS[rep]}" -v t=$((m1[3] - m0[3])) -v hz="$CLK_TCK" 'BEGIN { if (t > 0) printf "%.0f\n", n / (t / hz) }')"
    # CPU seconds per 1,000 documents of the load stage (every document is sent in it).
    R_ENGINE_MS[rep]="$(awk -v c="${R_ENGINE_LOAD_CPU[rep]}" -v n="${R_DOCS[rep]}" 'BEGIN { printf "%.3f\n", c / n * 1000 }')"
    R_SERVICE_MS[rep]="$(awk -v c="${R_SERVICE_LOAD_CPU[rep]}" -v n="${R_DOCS[rep]}" 'BEGIN { printf "%.3f\n", c / n * 1000 }')"
    info "load stage (seen in the logs for $((LOAD_T1 - LOAD_T0)) s): CPU engine ${R_ENGINE_LOAD_CPU[rep]} s, service ${R_SERVICE_LOAD_CPU[rep]} s (its slice workers ${R_READER_CPU[rep]} s), PostgreSQL ${R_PG_LOAD_CPU[rep]} s"
  else
    info "WARNING: the load stage's log lines were not seen: no load-stage CPU for run $rep"
  fi

  # Each of the run's collections in the GC log, as "before->after" heap sizes. Peak heap used is the highest
  # before: heap used only falls at a collection, so its peaks are the sizes just before them. The highest after is
  # the most the run ever kept (live data plus old garbage not yet collected); the peak also holds the young
  # generation, whose size G1 chooses. Per instance; the run's figures are the highest instance's.
  for i in $(instances); do
    read -r "I_HEAP[$rep.$i]" "I_LIVE[$rep.$i]" < <(tail -c +$((gc_offset[$i] + 1)) "$(gc_log "$i")" 2>/dev/null \
      | grep -oE '[0-9]+[KMG]->[0-9]+[KMG]' | awk -F '->' '
          function mb(size, u) { u = substr(size, length(size)); return size * (u == "K" ? 1 / 1024 : u == "G" ? 1024 : 1) }
          { n++; if (mb($1) > before) before = mb($1); if (mb($2) > after) after = mb($2) }
          END { if (n) printf "%d %d\n", before, after; else print "" }')   # no collection: no figure
    ((I_HEAP[$rep.$i] > R_HEAP[rep])) && R_HEAP[rep]=${I_HEAP[$rep.$i]}
    ((I_LIVE[$rep.$i] > R_LIVE[rep])) && R_LIVE[rep]=${I_LIVE[$rep.$i]}
    ((I_RSS[$rep.$i] > R_RSS[rep])) && R_RSS[rep]=${I_RSS[$rep.$i]}
    ((INSTANCES == 1)) || info "instance $i: CPU ${I_CPU[$rep.$i]} s, peak heap used ${I_HEAP[$rep.$i]:--} MB, after GC at most ${I_LIVE[$rep.$i]:--} MB, peak RSS ${I_RSS[$rep.$i]} MB"
  done
  info "stage times (instance ${R_BY[rep]}): $(sed -E 's/.*: stage times: //; s/",".*//' <<<"$times_line")"
  info "CPU during the run: service ${R_CPU[rep]} s, PostgreSQL ${R_PG_CPU[rep]} s, $([[ $SINK == true ]] && echo sink || echo engine) ${R_ENGINE_CPU[rep]} s"
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
  service0="$(services_ticks)"
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
  C_SERVICE_CPU[rep]="$(cpu_s $(($(services_ticks) - service0)))"
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

stop_service() {   # stop_service [SECONDS]: every instance
  local i
  for i in $(instances); do
    step "Stopping service instance $i"
    stop_pid "${SERVICE_PIDS[i]}" "service $i" "${1:-60}"
    SERVICE_PIDS[i]=""
  done
}

# ---------------------------------------------------------------------------------------------------------------
# the bulk sink (--sink): started once, and its own speed measured after each service run

start_sink() {
  if curl -fs -m 2 -o /dev/null "$ENGINE_URL/" 2>/dev/null; then
    die "something already answers on port $SINK_PORT; set BENCH_SINK_PORT"
  fi
  step "Starting the bulk sink (dev/bench/BulkSink.java) on port $SINK_PORT"
  "$JAVA" -Xmx1g "$REPO_ROOT/dev/bench/BulkSink.java" serve --port "$SINK_PORT" >"$SINK_OUT" 2>"$BENCH_DIR/sink.err" </dev/null &
  SINK_PID=$!
  local rc=0
  wait_for_http "$ENGINE_URL/" "$SINK_PID" 120 0.5 || rc=$?
  ((rc == 0)) || { cat "$BENCH_DIR/sink.err"; SINK_PID=""; die "the sink did not start"; }
  info "sink ready (pid $SINK_PID)"
}

declare -a SK_DOCS SK_MB SK_MS SK_RATE SK_MBS SK_CPU SK_SENDER_CPU SK_CPU_MS
sink_run() {   # sink_run REP: the sink's load generator, documents of the service's average size
  local rep=$1 doc_bytes line sink0 children0
  doc_bytes=$(awk -v mb="${R_MB[1]:-0}" -v d="${R_DOCS[1]:-0}" 'BEGIN { b = d > 0 ? mb * 1e6 / d : 5200; printf "%d\n", b < 200 ? 200 : b }')
  step "Sink run $rep/$REPEAT: $SENDERS senders, $SINK_SECONDS s of synthetic _bulk bodies ($MAX_DOCS documents of $doc_bytes bytes)"
  sink0="$(ticks_of "$SINK_PID")"
  children_ticks
  children0=$CHILDREN_TICKS
  run_child "$BENCH_DIR/sink-load-$rep.out" "$JAVA" -Xmx512m "$REPO_ROOT/dev/bench/BulkSink.java" load \
    --url "$ENGINE_URL" --senders "$SENDERS" --seconds "$SINK_SECONDS" --doc-bytes "$doc_bytes" --max-docs "$MAX_DOCS" \
    || die "sink run $rep failed"
  SK_CPU[rep]="$(cpu_s $(($(ticks_of "$SINK_PID") - sink0)))"
  children_ticks
  SK_SENDER_CPU[rep]="$(cpu_s $((CHILDREN_TICKS - children0)))"
  line="$(grep '^RESULT ' "$BENCH_DIR/sink-load-$rep.out")"
  info "${line#RESULT }"
  kv() { sed -n -E "s/.* $1=([0-9]+).*/\1/p" <<<" ${line#RESULT }"; }
  SK_DOCS[rep]="$(kv documents)"
  SK_MB[rep]=$(($(kv bytes) / 1000000))
  SK_MS[rep]="$(kv ms)"
  SK_RATE[rep]="$(awk -v d="${SK_DOCS[rep]}" -v ms="${SK_MS[rep]}" 'BEGIN { printf "%.0f\n", d / ms * 1000 }')"
  SK_MBS[rep]="$(awk -v b="${SK_MB[rep]}" -v ms="${SK_MS[rep]}" 'BEGIN { printf "%.0f\n", b / ms * 1000 }')"
  SK_CPU_MS[rep]="$(awk -v c="${SK_CPU[rep]}" -v d="${SK_DOCS[rep]}" 'BEGIN { printf "%.4f\n", c / d * 1000 }')"
}

if [[ $AOT == true && ! -f $AOT_CACHE ]]; then
  # A real run, on the same data: the cache then holds the classes, linked state and method profiles of the read
  # path, not just those of start-up. The JDK writes it when the JVM exits (a child JVM assembles it: give it time).
  start_service train
  service_run 0
  for arr in R_DOCS R_WALL R_MB R_READBUILD R_BULK R_CATCHUP R_REFRESH R_SWAP R_CREATE R_HEAP R_LIVE R_RSS R_INDEX \
    R_CPU R_PG_CPU R_ENGINE_CPU R_BY R_LOAD R_RETIRE R_ENGINE_LOAD_CPU R_SERVICE_LOAD_CPU R_PG_LOAD_CPU R_ENGINE_MS \
    R_SERVICE_MS R_READER_CPU R_READER_RATE; do
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

[[ $SINK == true ]] && start_sink
start_service
for ((rep = 1; rep <= REPEAT; rep++)); do
  if [[ $COLD == true ]] && ((rep > 1)); then
    for i in $(instances); do
      cp "$(service_log "$i")" "$BENCH_DIR/$(basename "$(service_log "$i")" .log)-run-$((rep - 1)).log"
    done
    stop_service
    start_service
  fi
  service_run "$rep"
  if [[ $CEILING == true ]]; then
    ((rep == 1)) && export_documents "${R_INDEX[1]}"
    ceiling_run "$rep"
  elif [[ $SINK == true ]]; then
    sink_run "$rep"
  fi
done
stop_service

# ---------------------------------------------------------------------------------------------------------------
# 6. the report

rate() { awk -v d="$1" -v ms="$2" 'BEGIN { if (ms > 0) printf "%.0f\n", d / ms * 1000; else print "" }'; }
declare -a R_RATE R_LOAD_RATE C_RATE RATIO
for ((rep = 1; rep <= REPEAT; rep++)); do
  R_RATE[rep]="$(rate "${R_DOCS[rep]}" "${R_WALL[rep]}")"
  R_LOAD_RATE[rep]="$(rate "${R_DOCS[rep]}" "${R_LOAD[rep]}")"
  C_RATE[rep]="$(rate "${C_DOCS[rep]:-0}" "${C_TOTAL[rep]:-0}")"
  RATIO[rep]="$(awk -v a="${R_RATE[rep]}" -v b="${C_RATE[rep]}" 'BEGIN { if (b > 0) print a / b }')"
done

declare -a R_COMPANIES R_PUBLISHED C_MB
for ((rep = 1; rep <= REPEAT; rep++)); do
  R_COMPANIES[rep]=$COMPANIES
  R_PUBLISHED[rep]=$PUBLISHED
  C_MB[rep]=$((${C_BYTES[rep]:-0} / 1000000))   # as the service logs it
done

echo
echo "================================================================================================"
echo "Benchmark $STAMP: dev/bench.sh --companies $COMPANIES --repeat $REPEAT --senders $SENDERS --instances $INSTANCES$([[ $SINK == true ]] && echo " --sink")$([[ $SINK == false && $CEILING == false ]] && echo " --no-ceiling")"
echo "  service:     $JAR ($SOURCE_COMMIT)"
echo "  java:        $JAVA_VERSION, -Xmx$XMX${BENCH_JAVA_OPTS:+ $BENCH_JAVA_OPTS}$([[ $AOT == true ]] && echo ", aot-jar, -XX:AOTCache=$AOT_CACHE")"
echo "  instances:   $INSTANCES (HTTP ports $HTTP_PORT..$((HTTP_PORT + INSTANCES - 1)), one consumer group $GROUP)"
echo "  mode:        $([[ $COLD == true ]] && echo "every service run on a fresh JVM (--cold)" || echo "one service for all runs (run 1 cold, the others warm)"); ready after $(printf '%s ' "${READY_S[@]}")s; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  engine:      $ENGINE_DESC"
echo "  data:        N=$COMPANIES companies (seed $SEED), $PUBLISHED published"
echo "  bulk bodies: at most $MAX_DOCS documents and $MAX_BYTES bytes; machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo
echo "Service runs (wall = the outcome's durationMs; phases from the run's 'stage times' log line):"
table 'run\tcompanies\tpublished\tdocuments\twall s\tdocs/s\tNDJSON MB\tread+build s\tbulk s\tcatch-up s\trefresh+verify s\tswap s\tretire s\theap MB\tafter GC MB\tRSS MB' \
  R_COMPANIES:n0 R_PUBLISHED:n0 R_DOCS:n0 R_WALL:s R_RATE:n0 R_MB:n0 R_READBUILD:s R_BULK:s R_CATCHUP:s R_REFRESH:s R_SWAP:s \
  R_RETIRE:s R_HEAP:n0 R_LIVE:n0 R_RSS:n0
echo
ENGINE_NAME=engine
[[ $SINK == true ]] && ENGINE_NAME=sink
echo "CPU seconds taken during each service run (user + system): by the service, by PostgreSQL, by the $ENGINE_NAME:"
table "run\tservice CPU s\tPostgreSQL CPU s\t$ENGINE_NAME CPU s" R_CPU:c1 R_PG_CPU:c1 R_ENGINE_CPU:c1
echo
echo "The load stage (documents / its time in the stage times; CPU between its log lines, within a second):"
table "run\tload s\tload docs/s\t$ENGINE_NAME CPU s\t$ENGINE_NAME CPU s per 1,000 docs\tservice CPU s\tservice CPU s per 1,000 docs\tslice workers CPU s\tdocs per slice-worker CPU s\tPostgreSQL CPU s" \
  R_LOAD:s R_LOAD_RATE:n0 R_ENGINE_LOAD_CPU:c1 R_ENGINE_MS:c3 R_SERVICE_LOAD_CPU:c1 R_SERVICE_MS:c3 R_READER_CPU:c1 R_READER_RATE:n0 R_PG_LOAD_CPU:c1
echo
if ((INSTANCES > 1)); then
  header='run\tran it'
  specs=(R_BY:n0)
  for ((i = 1; i <= INSTANCES; i++)); do
    declare -a "IT_CPU_$i" "IT_HEAP_$i" "IT_LIVE_$i" "IT_RSS_$i"
    for ((rep = 1; rep <= REPEAT; rep++)); do
      declare -n cpu_ref="IT_CPU_$i" heap_ref="IT_HEAP_$i" live_ref="IT_LIVE_$i" rss_ref="IT_RSS_$i"
      cpu_ref[rep]=${I_CPU[$rep.$i]:-}
      heap_ref[rep]=${I_HEAP[$rep.$i]:-}
      live_ref[rep]=${I_LIVE[$rep.$i]:-}
      rss_ref[rep]=${I_RSS[$rep.$i]:-}
      unset -n cpu_ref heap_ref live_ref rss_ref
    done
    header+="\t#$i CPU s\t#$i heap MB\t#$i after GC MB\t#$i RSS MB"
    specs+=("IT_CPU_$i:c1" "IT_HEAP_$i:n0" "IT_LIVE_$i:n0" "IT_RSS_$i:n0")
  done
  echo "Per instance ($INSTANCES in the same consumer group; 'ran it' = the instance whose log has the run's stage times):"
  table "$header" "${specs[@]}"
  echo
fi
if [[ $CEILING == true ]]; then
  echo "Ceiling runs ($SENDERS concurrent _bulk senders, same documents and body limits; total = create + bulk + settings, refresh and count):"
  table 'run\tdocuments\tNDJSON MB\tcreate s\tbulk s\trefresh+verify s\ttotal s\tdocs/s\tsender CPU s\tengine CPU s\tidle service CPU s' \
    C_DOCS:n0 C_MB:n0 C_CREATE:s C_BULK:s C_SETTLE:s C_TOTAL:s C_RATE:n0 C_SENDER_CPU:c1 C_ENGINE_CPU:c1 C_SERVICE_CPU:c1
  echo
fi
if [[ $SINK == true ]]; then
  echo "Sink runs (the sink's own load generator, $SENDERS senders, $SINK_SECONDS s; CPU of the sink and of the generator):"
  table 'run\tdocuments\tMB\ts\tdocs/s\tMB/s\tsink CPU s\tsink CPU s per 1,000 docs\tgenerator CPU s' \
    SK_DOCS:n0 SK_MB:n0 SK_MS:s SK_RATE:n0 SK_MBS:n0 SK_CPU:c1 SK_CPU_MS:c4 SK_SENDER_CPU:c1
  echo
fi
printf 'Service docs/s:  median %s (min-max %s); load stage alone: median %s (min-max %s)\n' \
  "$(service_cell median R_RATE n0)" "$(service_cell range R_RATE n0)" \
  "$(service_cell median R_LOAD_RATE n0)" "$(service_cell range R_LOAD_RATE n0)"
printf '%s CPU per 1,000 documents in the load stage: median %s s (min-max %s)\n' "$ENGINE_NAME" \
  "$(service_cell median R_ENGINE_MS c3)" "$(service_cell range R_ENGINE_MS c3)"
printf 'Documents per CPU second of the slice workers (a bound on one worker with a core to itself): median %s (min-max %s)\n' \
  "$(service_cell median R_READER_RATE n0)" "$(service_cell range R_READER_RATE n0)"
if [[ $SINK == true ]]; then
  printf 'Sink docs/s:     median %s (min-max %s): %s times the service'"'"'s load stage\n' \
    "$(service_cell median SK_RATE n0)" "$(service_cell range SK_RATE n0)" \
    "$(fmt 1 "$(awk -v a="$(stat_of median "${SK_RATE[@]}")" -v b="$(stat_of median "${R_LOAD_RATE[@]}")" 'BEGIN { if (b > 0) print a / b }')")"
fi
if [[ $CEILING == true ]]; then
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
fi
echo
echo "Saved in $OUT_FILE (the service's logs and GC logs: $BENCH_DIR)"
