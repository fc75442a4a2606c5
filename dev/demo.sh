#!/usr/bin/env bash
# The demo (README "Quick start"): brings the local stack up, loads sample companies, starts the packaged service,
# publishes a reindex-requested event, prints the reindex-completed outcome and a search through the alias.
#
#   dev/demo.sh [COMPANIES]     (default 20000; the stack stays up afterwards, the service is stopped)
set -euo pipefail

# Into the repository first: a relative STACK_DIR names a directory under it, as dev/stack.sh sees it from here.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# STACK_DIR, the ports, use_temurin_25, step, wait_for_http
source dev/lib.sh
COMPANIES="${1:-20000}"
HTTP_PORT="${QUARKUS_HTTP_PORT:-8080}"
ENGINE="localhost:$OPENSEARCH_PORT"
BOOTSTRAP="localhost:$KAFKA_PORT"
use_temurin_25
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
pretty() { python3 -m json.tool 2>/dev/null || cat; }
# One line from a _search answer: "    (2061 hits: "name 1", "name 2", "name 3")", with jq if installed, else python3.
hits_line() {
  if command -v jq >/dev/null; then
    jq -r '"    (\(.hits.total.value) hits: \([(.hits.hits // [])[]._source.name | tojson] | join(", ")))"'
  else
    python3 -c '
import json, sys
a = json.load(sys.stdin)["hits"]
print("    (%d hits: %s)" % (a["total"]["value"], ", ".join(json.dumps(h["_source"]["name"], ensure_ascii=False) for h in a.get("hits", []))))
'
  fi
}

dev/stack.sh up

step "Loading $COMPANIES sample companies"
dev/load-sample.sh --reset "$COMPANIES"   # PGPORT: the stack's PG_PORT

step "Building the service"
./mvnw -B -q --no-transfer-progress package -DskipTests

step "Starting the service on port $HTTP_PORT"
SERVICE_LOG="$STACK_DIR/logs/demo-service.log"
mkdir -p "$(dirname "$SERVICE_LOG")"
QUARKUS_HTTP_PORT="$HTTP_PORT" KAFKA_BOOTSTRAP_SERVERS="$BOOTSTRAP" QUARKUS_ELASTICSEARCH_HOSTS="$ENGINE" \
  QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://localhost:$PG_PORT/companies" \
  "$JAVA" -jar target/quarkus-app/quarkus-run.jar >"$SERVICE_LOG" 2>&1 &
SERVICE_PID=$!
trap 'kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true' EXIT
READY=0
wait_for_http "http://localhost:$HTTP_PORT/q/health/ready" "$SERVICE_PID" 120 1 || READY=$?
case $READY in
  1) tail -n 40 "$SERVICE_LOG"; exit 1 ;;
  2) echo "The service did not become ready"; tail -n 40 "$SERVICE_LOG"; exit 1 ;;
esac

REQUEST_ID="demo-$(date +%s)"
# Forced: the demo reloaded the sample on purpose, and a smaller one than the alias's index (after a bench, or a demo
# of more companies) would otherwise be refused by the shrink guard (reindex.swap.min-ratio).
REQUEST="{\"requestId\":\"$REQUEST_ID\",\"requestedBy\":\"demo\",\"requestedAt\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"force\":true}"
step "Publishing on reindex-requested: $REQUEST"
printf '%s\t%s\n' "$REQUEST_ID" "$REQUEST" | dev/stack.sh kafka-tool org.apache.kafka.tools.ConsoleProducer \
  --bootstrap-server "$BOOTSTRAP" --topic reindex-requested \
  --property parse.key=true --property key.separator=$'\t' 2>/dev/null

step "Waiting for the outcome on reindex-completed"
OUTCOME=""
for _ in $(seq 1 60); do
  OUTCOME=$(dev/stack.sh kafka-tool org.apache.kafka.tools.consumer.ConsoleConsumer \
    --bootstrap-server "$BOOTSTRAP" --topic reindex-completed --from-beginning --timeout-ms 5000 \
    --property print.key=true --property key.separator=$'\t' 2>/dev/null | grep -F "$REQUEST_ID"$'\t' | cut -f2- || true)
  [ -n "$OUTCOME" ] && break
  kill -0 "$SERVICE_PID" 2>/dev/null || { tail -n 40 "$SERVICE_LOG"; exit 1; }
done
[ -n "$OUTCOME" ] || { echo "No outcome for $REQUEST_ID"; tail -n 40 "$SERVICE_LOG"; exit 1; }
echo "$OUTCOME" | pretty

step "Search through the alias: companies about 'aerospace', top 3"
curl -fs "http://$ENGINE/companies/_search?q=wildcard:aerospace&size=3&track_total_hits=true&filter_path=hits.total.value,hits.hits._source.name&_source=name" | hits_line \
  || info "(no answer through the alias companies)"
step "Alias: $(curl -fs "http://$ENGINE/_cat/aliases/companies?h=alias,index")"

echo "$OUTCOME" | python3 -c '
import json, sys
o = json.load(sys.stdin)
if o["status"] == "COMPLETED":
    print("==> %s: %d documents in %.1f s, %.0f docs/s" % (o["status"], o["documents"], o["durationMs"] / 1000, o["documents"] / max(o["durationMs"], 1) * 1000))
else:
    print("==> %s: %s" % (o["status"], o["error"]))
    sys.exit(1)
'
