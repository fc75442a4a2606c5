#!/usr/bin/env bash
# The project's test command (README "Quick start", and what .ci/run calls): starts the real services the tests
# need (dev/stack.sh: PostgreSQL, Kafka, OpenSearch and Elasticsearch, installed if missing), runs every test
# against OpenSearch (unit tests, @QuarkusTests, then the *IT tests of the packaged jar), then the end-to-end flow
# again against Elasticsearch 9 with the `standard` analyzer (its test distribution has no analysis-common module for
# the custom one). The tests use a database of their own (companies_test), so they never empty the demo's.
#
#   dev/test.sh [extra Maven arguments]
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64   # the build needs Java 21+; the machine default is 17
fi

dev/stack.sh up postgres kafka opensearch elasticsearch

echo "==> The native build's own part: Quarkus's native build steps, stopped before native-image (sources only)"
# Reflection registration, native resources and build-time initialisation are decided here, on every change; only
# the native-image compilation itself needs GraalVM/Mandrel or a builder container (README, Operations).
./mvnw -B --no-transfer-progress package -DskipTests -Dquarkus.native.enabled=true \
  -Dquarkus.native.sources-only=true "$@"
NATIVE_JAR=$(ls target/native-sources/*-runner.jar)
NATIVE_RESOURCES=$(unzip -p "$NATIVE_JAR" META-INF/native-image/resource-config.json)
NATIVE_REFLECTION=$(unzip -p "$NATIVE_JAR" META-INF/native-image/reflect-config.json)
for pattern in 'index/[^/]*\\.json' 'labels/[^/]*\\.csv'; do
  grep -qF "$pattern" <<<"$NATIVE_RESOURCES" || { echo "The native build does not include $pattern"; exit 1; }
done
for class in io.companies.reindexer.source.CompanyDocument io.companies.reindexer.messaging.ReindexCompleted \
    'io.companies.reindexer.api.ReindexResource$RunView'; do
  grep -qF "\"$class\"" <<<"$NATIVE_REFLECTION" || { echo "The native build does not register $class"; exit 1; }
done

echo "==> All tests against OpenSearch (localhost:${OPENSEARCH_PORT:-9200})"
./mvnw -B --no-transfer-progress verify \
  -Dquarkus.datasource.jdbc.url="jdbc:postgresql://localhost:${PG_PORT:-5432}/companies_test" \
  -Dkafka.bootstrap.servers="localhost:${KAFKA_PORT:-9092}" \
  -Dquarkus.elasticsearch.hosts="localhost:${OPENSEARCH_PORT:-9200}" "$@"

echo "==> End-to-end flow against Elasticsearch (localhost:${ELASTICSEARCH_PORT:-9201})"
./mvnw -B --no-transfer-progress test -Dtest=ReindexFlowTest \
  -Dquarkus.datasource.jdbc.url="jdbc:postgresql://localhost:${PG_PORT:-5432}/companies_test" \
  -Dkafka.bootstrap.servers="localhost:${KAFKA_PORT:-9092}" \
  -Dquarkus.elasticsearch.hosts="localhost:${ELASTICSEARCH_PORT:-9201}" \
  -Dreindex.index.analyzer=standard "$@"
