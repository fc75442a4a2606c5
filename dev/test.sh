#!/usr/bin/env bash
# The project's test command (README "Quick start", and what .ci/run calls): starts the real services the tests
# need (dev/stack.sh: PostgreSQL, Kafka, OpenSearch, Elasticsearch and a three-node OpenSearch cluster, installed if
# missing), runs every test against OpenSearch (unit tests, @QuarkusTests, then the *IT tests of the packaged jar),
# then the example consumer examples/completed-listener against the same Kafka (extra Maven arguments are not passed
# to it), then the end-to-end flow again against Elasticsearch 9 with the `standard` analyzer (its test distribution
# has no analysis-common module for the custom one), then the end-to-end flows (ReindexFlowTest, ZeroDowntimeTest,
# ConcurrentWritesTest), three packaged instances sharing runs (SlicedRunIT), the default settings with a late
# replica (DefaultSettingsIT) and an engine node killed after the count (EngineNodeLostIT) on the cluster with 3 shards
# and the default replicas (one, with three nodes). The tests use a database of their own (companies_test), so they
# never empty the demo's.
#
# The build checks the format and the import order instead of fixing them: a drift fails it (`./mvnw process-sources`
# fixes it).
#
#   dev/test.sh [extra Maven arguments]
set -euo pipefail
# REPO_ROOT, the ports, stack_props, use_temurin_25, step
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$REPO_ROOT"
use_temurin_25

dev/stack.sh up postgres kafka opensearch elasticsearch opensearch-cluster

step "The native build's own part: Quarkus's native build steps, stopped before native-image (sources only)"
# Reflection registration, native resources and build-time initialisation are decided here, on every change; only
# the native-image compilation itself needs GraalVM/Mandrel or a builder container (docs/operations.md).
./mvnw -B --no-transfer-progress package -DskipTests -Dquarkus.native.enabled=true \
  -Dquarkus.native.sources-only=true -Dformat.skip=true "$@"
NATIVE_JAR=$(ls target/native-sources/*-runner.jar)
NATIVE_RESOURCES=$(unzip -p "$NATIVE_JAR" META-INF/native-image/resource-config.json)
NATIVE_REFLECTION=$(unzip -p "$NATIVE_JAR" META-INF/native-image/reflect-config.json)
for pattern in 'index/[^/]*\\.json' 'labels/[^/]*\\.csv'; do
  grep -qF "$pattern" <<<"$NATIVE_RESOURCES" || { echo "The native build does not include $pattern"; exit 1; }
done
for class in io.companies.reindexer.source.CompanyDocument io.companies.reindexer.contract.ReindexCompleted \
    'io.companies.reindexer.api.ReindexResource$RunView'; do
  grep -qF "\"$class\"" <<<"$NATIVE_REFLECTION" || { echo "The native build does not register $class"; exit 1; }
done

step "All tests against OpenSearch (localhost:$OPENSEARCH_PORT)"
stack_props companies_test "$OPENSEARCH_PORT"
# SlicedRunIT runs on the cluster, below: its three instances share one engine, which is what a cluster is for;
# EngineNodeLostIT kills one of the cluster's nodes.
# DefaultSettingsIT runs on both: its single-node test here, its cluster test below.
./mvnw -B --no-transfer-progress verify -Dformat.goal=validate -Dimpsort.goal=check \
  -Dit.test='*IT,!SlicedRunIT,!EngineNodeLostIT' "${STACK_PROPS[@]}" "$@"

# The example consumer other teams copy (a project of its own), built with the service's Quarkus version and tested
# against the same Kafka, where it also reads the outcomes the tests above published.
QUARKUS_VERSION="$(sed -n 's:.*<quarkus.platform.version>\(.*\)</quarkus.platform.version>.*:\1:p' pom.xml | head -n 1)"
step "examples/completed-listener (Quarkus $QUARKUS_VERSION) against Kafka (localhost:$KAFKA_PORT)"
./mvnw -B --no-transfer-progress -f examples/completed-listener/pom.xml verify \
  -Dquarkus.platform.version="$QUARKUS_VERSION" -Dkafka.bootstrap.servers="localhost:$KAFKA_PORT"

step "End-to-end flow against Elasticsearch (localhost:$ELASTICSEARCH_PORT)"
stack_props companies_test "$ELASTICSEARCH_PORT"
./mvnw -B --no-transfer-progress test -Dformat.skip=true -Dtest=ReindexFlowTest "${STACK_PROPS[@]}" -Dreindex.index.analyzer=standard "$@"

# The same flows where an index has shards on several nodes and, with the default replicas, one replica to restore
# (system properties win over the test profile's 1 shard), the sliced run of three packaged instances (SlicedRunIT:
# kills, stops, a resume, concurrent writes), and the defaults with a replica assigned late behind a short socket
# timeout (DefaultSettingsIT), and a node of the cluster killed with SIGKILL and started again between the count and
# the flush of an index without replicas (EngineNodeLostIT, which sets its own shards and replicas).
step "End-to-end flows and three instances on the three-node OpenSearch cluster (localhost:$OPENSEARCH_CLUSTER_PORT), 3 shards, default replicas"
stack_props companies_test "$OPENSEARCH_CLUSTER_PORT"
./mvnw -B --no-transfer-progress verify -Dformat.skip=true -Dtest='ReindexFlowTest,ZeroDowntimeTest,ConcurrentWritesTest' \
  -Dit.test='SlicedRunIT,DefaultSettingsIT,EngineNodeLostIT' "${STACK_PROPS[@]}" -Dreindex.index.shards=3 -Dit.index.shards=3 "$@"
