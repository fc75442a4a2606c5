#!/usr/bin/env bash
# The project's test command (README "Quick start", and what .ci/run calls): starts the real services the tests
# need (dev/stack.sh: PostgreSQL, Kafka, OpenSearch and Elasticsearch, installed if missing), runs every test
# against OpenSearch (unit tests, @QuarkusTests, then the *IT tests of the packaged jar), then the example consumer
# examples/completed-listener against the same Kafka (extra Maven arguments are not passed to it), then the end-to-end
# flow again against Elasticsearch 9 with the `standard` analyzer (its test distribution has no analysis-common module
# for the custom one). The tests use a database of their own (companies_test), so they never empty the demo's.
#
#   dev/test.sh [extra Maven arguments]
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64   # the build needs Java 21+; the machine default is 17
fi

dev/stack.sh up postgres kafka opensearch elasticsearch

echo "==> All tests against OpenSearch (localhost:${OPENSEARCH_PORT:-9200})"
./mvnw -B --no-transfer-progress verify \
  -Dquarkus.datasource.jdbc.url="jdbc:postgresql://localhost:${PG_PORT:-5432}/companies_test" \
  -Dkafka.bootstrap.servers="localhost:${KAFKA_PORT:-9092}" \
  -Dquarkus.elasticsearch.hosts="localhost:${OPENSEARCH_PORT:-9200}" "$@"

# The example consumer other teams copy (a project of its own), built with the service's Quarkus version and tested
# against the same Kafka, where it also reads the outcomes the tests above published.
QUARKUS_VERSION="$(sed -n 's:.*<quarkus.platform.version>\(.*\)</quarkus.platform.version>.*:\1:p' pom.xml | head -n 1)"
echo "==> examples/completed-listener (Quarkus $QUARKUS_VERSION) against Kafka (localhost:${KAFKA_PORT:-9092})"
./mvnw -B --no-transfer-progress -f examples/completed-listener/pom.xml verify \
  -Dquarkus.platform.version="$QUARKUS_VERSION" -Dkafka.bootstrap.servers="localhost:${KAFKA_PORT:-9092}"

echo "==> End-to-end flow against Elasticsearch (localhost:${ELASTICSEARCH_PORT:-9201})"
./mvnw -B --no-transfer-progress test -Dtest=ReindexFlowTest \
  -Dquarkus.datasource.jdbc.url="jdbc:postgresql://localhost:${PG_PORT:-5432}/companies_test" \
  -Dkafka.bootstrap.servers="localhost:${KAFKA_PORT:-9092}" \
  -Dquarkus.elasticsearch.hosts="localhost:${ELASTICSEARCH_PORT:-9201}" \
  -Dreindex.index.analyzer=standard "$@"
