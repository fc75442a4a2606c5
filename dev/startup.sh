#!/usr/bin/env bash
# Measures JVM start-up of the packaged service, with and without a JDK 25 AOT cache: the time to started (from
# `java` to Quarkus's "started in" log line: HTTP listening, Flyway done, the Kafka clients created) and to ready
# (to the first 200 of /q/health/ready: the consumer has its partitions, PostgreSQL and the engine answer):
#   jar  the default fast-jar: java -jar target/quarkus-app/quarkus-run.jar
#   aot  Quarkus's aot-jar packaging with a JDK 25 AOT cache (JEP 514/515) recorded at build time on a start-up
#        of the application (quarkus.package.jar.aot.phase=build), run with -XX:AOTCache=app.aot
# Both are built here into target/startup/, then started alternately; prints the median and min-max.
# Needs the local stack (dev/stack.sh up) and JDK 25 (the cache is only valid for the JDK that made it).
#
#   dev/startup.sh [--runs N] [--no-build]
#
# Environment: STARTUP_HTTP_PORT [18089] the service's HTTP port; the stack's ports as dev/stack.sh.
set -euo pipefail
# REPO_ROOT, the ports, stack_props, TEMURIN_25_HOME, step
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$REPO_ROOT"
export JAVA_HOME="${JAVA_HOME:-$TEMURIN_25_HOME}"   # the AOT cache needs JDK 25, so Temurin 25 by default
JAVA="$JAVA_HOME/bin/java"
RUNS=5
BUILD=true
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --no-build) BUILD=false; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
OUT=target/startup
stack_props companies "$OPENSEARCH_PORT"
MAVEN=(./mvnw -B -q --no-transfer-progress "${STACK_PROPS[@]}")

if $BUILD; then
  rm -rf "$OUT" && mkdir -p "$OUT"
  step "aot-jar, its cache recorded on a start-up at build time"
  "${MAVEN[@]}" package -DskipTests -Dquarkus.package.jar.aot.enabled=true -Dquarkus.package.jar.aot.type=aot \
    -Dquarkus.package.jar.aot.phase=build
  cp -r target/quarkus-app "$OUT/aot"
  step "fast-jar"
  "${MAVEN[@]}" package -DskipTests
  cp -r target/quarkus-app "$OUT/jar"
fi
[ -f "$OUT/aot/app.aot" ] || { echo "no AOT cache in $OUT/aot" >&2; exit 1; }

PORT="${STARTUP_HTTP_PORT:-18089}"
# Start-up only: no request is served, no index is touched.
PROPS=(-Dquarkus.http.port=$PORT -Dreindex.enabled=false -Dreindex.topics.requested=startup-measure "${STACK_PROPS[@]}")

measure() {  # $1 = variant; prints "STARTED_MS READY_MS"
  local dir="$OUT/$1" extra=() start pid ms started line
  [ "$1" = aot ] && extra=(-XX:AOTCache=app.aot)
  start=$(date +%s%N)
  (cd "$dir" && exec "$JAVA" "${extra[@]}" "${PROPS[@]}" -jar quarkus-run.jar >"../$1.log" 2>&1) &
  pid=$!
  until curl -fs -o /dev/null "http://localhost:$PORT/q/health/ready"; do
    kill -0 $pid 2>/dev/null || { echo "the $1 service exited; see $OUT/$1.log" >&2; exit 1; }
    sleep 0.02
  done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  kill $pid && wait $pid 2>/dev/null || true
  # The "started in" line's time of day (the log format starts with HH:mm:ss.SSS), less the time `java` was run.
  line=$(grep -m1 -a ' started in ' "$OUT/$1.log" | grep -oE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}' || true)
  if [ -n "$line" ]; then
    started=$(( ($(date -d "$(date -d @$((start / 1000000000)) +%F) $line" +%s%N) - start) / 1000000 ))
  else
    started=-
  fi
  echo "$started $ms"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A started=([jar]="" [aot]="") ready=([jar]="" [aot]="")
for i in $(seq "$RUNS"); do
  for variant in jar aot; do
    read -r s r <<<"$(measure $variant)"
    started[$variant]+="$s "
    ready[$variant]+="$r "
  done
done
stats() {  # median, min-max and the sorted runs of the numbers in $1
  local sorted n
  sorted=$(tr ' ' '\n' <<<"$1" | grep -E '^[0-9]+$' | sort -n)
  n=$(wc -l <<<"$sorted")
  printf '%10s %14s   %s' "$(sed -n "$(( (n + 1) / 2 ))p" <<<"$sorted")" \
    "$(head -1 <<<"$sorted")-$(tail -1 <<<"$sorted")" "$(tr '\n' ' ' <<<"$sorted")"
}
echo "load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-8s %10s %14s   %s\n' variant to "median ms" "min-max ms" "runs"
for variant in jar aot; do
  printf '%-8s %-8s %s\n' "$variant" started "$(stats "${started[$variant]}")"
  printf '%-8s %-8s %s\n' "$variant" ready "$(stats "${ready[$variant]}")"
done
