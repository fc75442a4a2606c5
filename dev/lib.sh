# Shared by the dev/ scripts, which source it right after `set -euo pipefail`:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# It only defines: REPO_ROOT, the local stack's defaults and a few helpers. It exports nothing, changes no directory
# and starts nothing; a script exports what its children must see.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# ---------------------------------------------------------------------------------------------------------------
# the local stack (dev/stack.sh): where it lives and its ports, each overridable by the environment variable of the
# same name. STACK_DIR is made absolute (relative to the current directory): services run in other directories.

STACK_DIR="$(realpath -m "${STACK_DIR:-$REPO_ROOT/.stack}")"
PG_PORT="${PG_PORT:-5432}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_SSL_PORT="${KAFKA_SSL_PORT:-9094}"   # the broker's TLS listener (SASL_SSL: SCRAM-SHA-512 over TLS)
OPENSEARCH_PORT="${OPENSEARCH_PORT:-9200}"
OPENSEARCH_TRANSPORT_PORT="${OPENSEARCH_TRANSPORT_PORT:-9300}"
ELASTICSEARCH_PORT="${ELASTICSEARCH_PORT:-9201}"
ELASTICSEARCH_TRANSPORT_PORT="${ELASTICSEARCH_TRANSPORT_PORT:-9301}"
OPENSEARCH_CLUSTER_PORT="${OPENSEARCH_CLUSTER_PORT:-9240}"   # node N of the three-node cluster: this + N-1
OPENSEARCH_CLUSTER_TRANSPORT_PORT="${OPENSEARCH_CLUSTER_TRANSPORT_PORT:-9340}"

# The -D options that point the service (or its tests, through Maven) at the local stack, into the array STACK_PROPS;
# the it.* ones only tell the test of secure connections where the stack's TLS listener and certificates are.
stack_props() {   # stack_props DATABASE ENGINE_PORT
  STACK_PROPS=(-Dquarkus.datasource.jdbc.url="jdbc:postgresql://localhost:$PG_PORT/$1"
    -Dkafka.bootstrap.servers="localhost:$KAFKA_PORT"
    -Dquarkus.elasticsearch.hosts="localhost:$2"
    -Dit.kafka.tls.bootstrap.servers="localhost:$KAFKA_SSL_PORT"
    -Dit.tls.dir="$STACK_DIR/tls")
}

# ---------------------------------------------------------------------------------------------------------------
# Java: the build needs Java 21+ and the machine's default java is 17, so Temurin 25 is used when installed.

TEMURIN_25_HOME=/usr/lib/jvm/temurin-25-jdk-amd64

use_temurin_25() {   # export JAVA_HOME=Temurin 25, unless JAVA_HOME is set already or Temurin 25 is not installed
  if [[ -z "${JAVA_HOME:-}" && -d $TEMURIN_25_HOME ]]; then
    export JAVA_HOME=$TEMURIN_25_HOME
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# output

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# A script's usage: its header comment, from line 2 up to the first line that is not a comment, without the "# ".
print_header() {   # print_header SCRIPT
  sed -n '2,/^[^#]/p' "$1" | sed -e '$d' -e 's/^# \{0,1\}//'
}

# ---------------------------------------------------------------------------------------------------------------
# waiting

# Wait until URL answers with a 2xx while process PID lives, checking every INTERVAL seconds: returns 0 once it
# answers, 1 if PID exited first, 2 if TIMEOUT seconds passed first.
wait_for_http() {   # wait_for_http URL PID TIMEOUT_SECONDS INTERVAL_SECONDS
  local url=$1 pid=$2 timeout=$3 interval=$4 start=$SECONDS
  until curl -fs -m 2 -o /dev/null "$url"; do
    kill -0 "$pid" 2>/dev/null || return 1
    ((SECONDS - start < timeout)) || return 2
    sleep "$interval"
  done
}
