#!/usr/bin/env bash
# Local development stack without Docker: PostgreSQL 15, Apache Kafka (KRaft), OpenSearch and,
# on request, Elasticsearch, each installed (Debian packages / Maven Central) and run as a plain
# process under STACK_DIR.
#
#   dev/stack.sh up     [service...]   install what is missing, start what is not running (a node
#                                      of opensearch-cluster that died, alone), wait until ready
#   dev/stack.sh down   [service...]   stop what this script started (by PID)
#   dev/stack.sh status [service...]   PID, port and whether each service answers (exit 1 if
#                                      one of them is not up)
#   dev/stack.sh kafka-tool CLASS [ARGS...]   run a Kafka CLI class with the stack's Kafka jars,
#       e.g. dev/stack.sh kafka-tool org.apache.kafka.tools.TopicCommand --bootstrap-server localhost:9092 --list
#
# Services: postgres, kafka, opensearch, elasticsearch, opensearch-cluster (three OpenSearch
# nodes of the same distribution, 512 MiB heap each, one cluster). `up` without names starts
# postgres, kafka and opensearch (plus elasticsearch when STACK_ELASTICSEARCH=true); `down` and
# `status` without names act on all five. Must run as root (it installs packages and runs
# services as other users).
#
# TLS: `up` makes a private CA and a certificate for localhost (DNS:localhost, IP:127.0.0.1) in
# STACK_DIR/tls once (again when one is missing or about to expire): ca.crt (PEM), truststore.p12
# (the CA, PKCS12, password changeit), server.crt/server.key (PEM) and server.p12 (the server's
# key and certificate chain, PKCS12, password changeit). Kafka has a TLS listener on KAFKA_SSL_PORT
# beside the plaintext one, with SCRAM-SHA-512 over it (SASL_SSL; a test adds its own user), and PostgreSQL runs with ssl=on on its only port
# (plaintext connections keep working). OpenSearch and Elasticsearch stay plain HTTP.
#
# Environment (defaults in brackets):
#   STACK_DIR [<repo>/.stack]  PG_PORT [5432]  KAFKA_PORT [9092]  KAFKA_CONTROLLER_PORT [9093]
#   KAFKA_SSL_PORT [9094]
#   OPENSEARCH_PORT [9200]  OPENSEARCH_TRANSPORT_PORT [9300]
#   ELASTICSEARCH_PORT [9201]  ELASTICSEARCH_TRANSPORT_PORT [9301]  STACK_ELASTICSEARCH [false]
#   OPENSEARCH_CLUSTER_PORT [9240]  OPENSEARCH_CLUSTER_TRANSPORT_PORT [9340]: node N (1 to 3) of
#     opensearch-cluster listens on these plus N-1
#   KAFKA_VERSION [4.4.0, falling back to 4.3.1]  OPENSEARCH_VERSION [3.6.0]
#   ELASTICSEARCH_VERSION [9.2.4]  STACK_JAVA_HOME [Temurin 25 when installed, else the default java]
#   STACK_USER [reindexer]: the non-root OS user that runs OpenSearch and Elasticsearch
#
# The same services for people with Docker: docker-compose.yml at the repository root.
set -euo pipefail
# REPO_ROOT, STACK_DIR, the ports, step/info/die, print_header
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HELPERS="$REPO_ROOT/dev/stack"
STACK_ELASTICSEARCH="${STACK_ELASTICSEARCH:-false}"
KAFKA_VERSIONS="${KAFKA_VERSION:-4.4.0 4.3.1}"   # tried in order
OPENSEARCH_VERSION="${OPENSEARCH_VERSION:-3.6.0}"
ELASTICSEARCH_VERSION="${ELASTICSEARCH_VERSION:-9.2.4}"
STACK_USER="${STACK_USER:-reindexer}"

PG_VERSION=15
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
# The demo's and benchmark's database, and the tests' own: running the tests never empties what a user loaded.
PG_DBS=(companies companies_test)
PG_USER=companies
PG_PASSWORD=companies
KAFKA_TOPICS=(reindex-requested reindex-completed reindex-requested-dlq)

ALL_SERVICES=(postgres kafka opensearch elasticsearch opensearch-cluster)
CLUSTER_NODES=3
RUN_DIR="$STACK_DIR/run"     # pid files
LOG_DIR="$STACK_DIR/logs"    # stdout/stderr of every service

# ---------------------------------------------------------------------------------------------
# small helpers

# Print the end of a service's log and fail.
fail_with_log() {
  local svc=$1 msg=$2 proc
  printf 'ERROR: %s\n' "$msg" >&2
  for proc in $(service_procs "$svc"); do
    if [[ -f "$LOG_DIR/$proc.log" ]]; then
      printf -- '---- last lines of %s ----\n' "$LOG_DIR/$proc.log" >&2
      tail -n 40 "$LOG_DIR/$proc.log" >&2
      printf -- '----\n' >&2
    fi
  done
  exit 1
}

# Java used for Kafka, OpenSearch, Elasticsearch and the Maven wrapper. OpenSearch 3 and
# Elasticsearch 9 need Java 21+; the machine's default java is 17, so prefer Temurin 25.
stack_java_home() {
  if [[ -n "${STACK_JAVA_HOME:-}" ]]; then
    echo "$STACK_JAVA_HOME"
  elif [[ -x $TEMURIN_25_HOME/bin/java ]]; then
    echo "$TEMURIN_25_HOME"
  else
    local java
    java="$(command -v java)" || die "no java found; install a JDK 21+ or set STACK_JAVA_HOME"
    dirname "$(dirname "$(readlink -f "$java")")"
  fi
}
JAVA_HOME_STACK="$(stack_java_home)"
JAVA="$JAVA_HOME_STACK/bin/java"

java_major() { "$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }

need_java() {   # need_java 21 opensearch
  local major
  major="$(java_major)"
  [[ "${major:-0}" -ge "$1" ]] || die "$2 needs Java $1+, but $JAVA is Java ${major:-?}; set STACK_JAVA_HOME"
}

APT_UPDATED=false
apt_install() {
  if [[ $APT_UPDATED == false ]]; then
    step "apt-get update"
    apt-get update -qq >/dev/null
    APT_UPDATED=true
  fi
  step "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$LOG_DIR/apt.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/apt.log" >&2; die "apt-get install $* failed (log: $LOG_DIR/apt.log)"; }
}

need_cmd() {   # need_cmd COMMAND DEBIAN_PACKAGE
  command -v "$1" >/dev/null 2>&1 || apt_install "$2"
}

mvnw() {
  JAVA_HOME="$JAVA_HOME_STACK" "$REPO_ROOT/mvnw" -B -q "$@"
}

# Fetch GROUP:ARTIFACT:VERSION:zip through Maven (cached in ~/.m2) and unpack it into DEST_PARENT.
fetch_zip() {
  local coords=$1 dest_parent=$2 tmp
  tmp="$STACK_DIR/downloads"
  mkdir -p "$tmp" "$dest_parent"
  step "fetching $coords (Maven, cached in ~/.m2)"
  # kafka-pom.xml only serves as a project for Maven to run in; dependency:copy ignores its deps.
  mvnw -f "$HELPERS/kafka-pom.xml" dependency:copy -Dartifact="$coords" -DoutputDirectory="$tmp" \
    >"$tmp/fetch.log" 2>&1 || { tail -n 20 "$tmp/fetch.log" >&2; die "could not fetch $coords from Maven Central"; }
  local artifact version file
  artifact="$(cut -d: -f2 <<<"$coords")"
  version="$(cut -d: -f3 <<<"$coords")"
  file="$tmp/$artifact-$version.zip"
  step "unpacking $(basename "$file") into $dest_parent"
  unzip -q -o "$file" -d "$dest_parent"
  rm -f "$file"
}

user_exists() { id -u "$1" >/dev/null 2>&1; }

ensure_stack_user() {
  if ! user_exists "$STACK_USER"; then
    step "creating system user $STACK_USER (OpenSearch and Elasticsearch refuse to run as root)"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$STACK_USER"
  fi
}

# Services run as non-root users, so those must be able to reach STACK_DIR. When a parent
# directory is closed to others (a clone under /root, say), open it for traversal only (o+x:
# entering, not listing), and say so.
check_reachable_by() {
  local user=$1 dir
  can_reach() { setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups test -x "$STACK_DIR"; }
  can_reach && return 0
  dir="$STACK_DIR"
  while [[ $dir != / ]]; do
    dir="$(dirname "$dir")"
    if [[ $(stat -c %A "$dir") != *[xt] ]]; then   # t: sticky and searchable
      step "chmod o+x $dir (so that user $user can reach $STACK_DIR)"
      chmod o+x "$dir"
    fi
  done
  can_reach || die "user $user cannot reach $STACK_DIR; choose another STACK_DIR"
}

port_in_use() {   # is anything listening on 127.0.0.1/localhost:PORT?
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "sport = :$1" | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

require_free_port() {   # require_free_port PORT SERVICE VARIABLE
  if port_in_use "$1"; then
    local owner=""
    command -v ss >/dev/null 2>&1 && owner="$(ss -Hltnp "sport = :$1" | grep -o 'users:(([^)]*' | head -n1 | sed 's/users:((//')"
    die "port $1 needed by $2 is already in use by a process this script did not start${owner:+ ($owner)}; stop it or set $3 to another port"
  fi
}

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- pid files -------------------------------------------------------------------------------
# A pid file only counts while its process is alive AND its command line mentions a path under
# STACK_DIR, so a recycled PID never makes us skip a start or kill a stranger. (A dead child of
# this script is a zombie until reaped: kill -0 succeeds, but its cmdline is empty.)

pid_file() { echo "$RUN_DIR/$1.pid"; }

ours() {   # ours PID: is PID alive and one of our processes?
  local pid=$1
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$STACK_DIR/"
}

running_pid() {   # print the PID of a running process (a service, or a node of the cluster), or fail
  local f pid
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  pid="$(head -n1 "$f")"
  ours "$pid" || return 1
  echo "$pid"
}

# A service is one process named after it, except opensearch-cluster: one process per node.
service_procs() {   # service_procs SERVICE: the names of its processes (pid file, log)
  case $1 in
    opensearch-cluster) seq -f 'opensearch-cluster-%g' "$CLUSTER_NODES" ;;
    *) echo "$1" ;;
  esac
}

service_pids() {   # print the PIDs of a service's running processes, or fail if none runs
  local proc pid pids=()
  for proc in $(service_procs "$1"); do
    if pid="$(running_pid "$proc")"; then pids+=("$pid"); fi
  done
  ((${#pids[@]} > 0)) && echo "${pids[*]}"
}

service_alive() {   # is every process of a service running?
  local proc
  for proc in $(service_procs "$1"); do
    running_pid "$proc" >/dev/null || return 1
  done
}

# A service's hooks (SERVICE_prepare, _start, _setup, _answers) are named without its dashes.
hook() {   # hook SERVICE HOOK
  "${1//-/_}_$2"
}

# Start a command in its own session (so it outlives this script and the terminal), with its
# output in LOG_DIR/SERVICE.log, and record its PID. `setsid` and `setpriv` exec (they do not
# fork here), so $! is the PID of the service process itself.
launch() {   # launch SERVICE WORKDIR COMMAND...
  local svc=$1 workdir=$2
  shift 2
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  printf '\n==== %s starting at %s ====\n' "$svc" "$(date -Is)" >>"$LOG_DIR/$svc.log"
  (cd "$workdir" && exec setsid "$@" </dev/null >>"$LOG_DIR/$svc.log" 2>&1) &
  echo $! >"$(pid_file "$svc")"
}

# Wait until CHECK_COMMAND succeeds; fail with the service's log if its process dies or time runs out.
wait_until() {   # wait_until SERVICE TIMEOUT_SECONDS CHECK_COMMAND...
  local svc=$1 timeout=$2 start=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    service_alive "$svc" || fail_with_log "$svc" "$svc exited during start-up"
    ((SECONDS - start < timeout)) || fail_with_log "$svc" "$svc did not become ready within ${timeout}s"
    sleep 1
  done
}

# Stop a process by PID: TERM (or the given signal), wait, then KILL.
stop_pid() {   # stop_pid PID NAME [SIGNAL]
  local pid=$1 name=$2 sig=${3:-TERM} i
  ours "$pid" || return 0
  kill -s "$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    ours "$pid" || return 0
    sleep 0.5
  done
  info "$name (pid $pid) still running after 30s: sending KILL"
  kill -s KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 20; i++)); do
    ours "$pid" || return 0
    sleep 0.25
  done
  die "could not stop $name (pid $pid)"
}

# ---------------------------------------------------------------------------------------------
# TLS: a private CA and one certificate for localhost, which Kafka's TLS listener and PostgreSQL
# present (and the tests' TLS-terminating proxy in front of the engine). Kept across starts, so a
# client that trusts the CA keeps working; made anew only when a file is missing or the
# certificate expires within a day.

TLS_DIR="$STACK_DIR/tls"
TLS_PASSWORD=changeit   # of the PKCS12 files; a development CA, no secret

tls_valid() {   # tls_valid CERT: exists and is valid for at least another day
  [[ -f "$1" ]] && openssl x509 -noout -checkend 86400 -in "$1" >/dev/null 2>&1
}

tls_prepare() {
  need_cmd openssl openssl
  local f complete=true
  for f in ca.key ca.crt truststore.p12 server.key server.crt server.p12; do
    [[ -f "$TLS_DIR/$f" ]] || complete=false
  done
  if [[ $complete == true ]] && tls_valid "$TLS_DIR/ca.crt" && tls_valid "$TLS_DIR/server.crt"; then
    return
  fi
  step "tls: making a private CA and a certificate for localhost in $TLS_DIR"
  rm -rf "$TLS_DIR"
  mkdir -p "$TLS_DIR"
  chmod 755 "$TLS_DIR"
  (
    cd "$TLS_DIR"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=dev-stack local CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout ca.key -out ca.crt
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "extendedKeyUsage=serverAuth" \
      "keyUsage=critical,digitalSignature,keyEncipherment" >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 \
      -extfile server.ext -out server.crt
    openssl pkcs12 -export -name localhost -in server.crt -inkey server.key -certfile ca.crt \
      -passout "pass:$TLS_PASSWORD" -out server.p12
    # A trust store Java reads as trusted entries: keytool marks the certificate trusted, openssl does not.
    "$JAVA_HOME_STACK/bin/keytool" -importcert -noprompt -alias dev-stack-ca -file ca.crt \
      -storetype PKCS12 -keystore truststore.p12 -storepass "$TLS_PASSWORD"
    rm -f server.csr server.ext ca.srl
    # Readable by anyone: the public parts, and server.p12 for the tests' TLS proxy (a development key,
    # behind a password everyone knows anyway); the PEM keys by root only.
    chmod 644 ca.crt server.crt truststore.p12 server.p12
  ) >"$LOG_DIR/tls.log" 2>&1 || { cat "$LOG_DIR/tls.log" >&2; die "could not make the stack's certificates"; }
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL 15: Debian's binaries, but our own cluster (initdb under STACK_DIR), never the
# Debian-managed `15 main` cluster.

PG_HOME="$STACK_DIR/postgres"
PG_DATA="$PG_HOME/data"
PG_SOCKET_DIR="$PG_HOME/run"   # own socket dir: /var/run/postgresql may not exist or may be another cluster's

postgres_prepare() {
  if [[ ! -x "$PG_BIN/postgres" ]]; then
    # Installing `postgresql` would also create Debian's own `15 main` cluster on port 5432 (and
    # start it where services can start). We run our own cluster, so turn that off first: the
    # setting lives in createcluster.conf, which postgresql-common installs.
    apt_install postgresql-common
    local cc=/etc/postgresql-common/createcluster.conf
    if grep -qE '^[#[:space:]]*create_main_cluster' "$cc"; then
      sed -i -E 's/^[#[:space:]]*create_main_cluster.*/create_main_cluster = false/' "$cc"
    else
      echo 'create_main_cluster = false' >>"$cc"
    fi
    apt_install postgresql
    [[ -x "$PG_BIN/postgres" ]] || die "apt-get installed postgresql, but $PG_BIN/postgres is missing (not PostgreSQL $PG_VERSION?)"
  fi
  check_reachable_by postgres
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    step "postgres: initdb $PG_DATA"
    rm -rf "$PG_DATA"
    mkdir -p "$PG_DATA" "$PG_SOCKET_DIR"
    chown postgres:postgres "$PG_HOME" "$PG_DATA" "$PG_SOCKET_DIR"
    chmod 700 "$PG_DATA"
    # Superuser `postgres` over the Unix socket only (trust: this script is root); everybody
    # else, `companies` included, logs in over TCP with a password.
    (cd "$PG_HOME" && setpriv --reuid=postgres --regid=postgres --init-groups \
      "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256) >"$PG_HOME/initdb.log" 2>&1 \
      || { cat "$PG_HOME/initdb.log" >&2; die "initdb failed"; }
  fi
  mkdir -p "$PG_SOCKET_DIR"
  chown postgres:postgres "$PG_SOCKET_DIR"
  # PostgreSQL refuses a key file that others can read, and runs as postgres: its own copy.
  mkdir -p "$PG_HOME/tls"
  cp "$TLS_DIR/server.crt" "$TLS_DIR/server.key" "$PG_HOME/tls/"
  chown -R postgres:postgres "$PG_HOME/tls"
  chmod 600 "$PG_HOME/tls/server.key"
}

postgres_start() {
  require_free_port "$PG_PORT" postgres PG_PORT
  step "postgres: starting on 127.0.0.1:$PG_PORT (TLS offered, plaintext allowed)"
  launch postgres "$PG_HOME" setpriv --reuid=postgres --regid=postgres --init-groups \
    "$PG_BIN/postgres" -D "$PG_DATA" -p "$PG_PORT" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories="$PG_SOCKET_DIR" -c logging_collector=off \
    -c ssl=on -c ssl_cert_file="$PG_HOME/tls/server.crt" -c ssl_key_file="$PG_HOME/tls/server.key"
}

postgres_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

postgres_psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres "$@"; }

postgres_setup() {
  wait_until postgres 60 postgres_ready
  step "postgres: ensuring role $PG_USER and databases ${PG_DBS[*]}"
  postgres_psql -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD';
  END IF;
END \$\$;
SQL
  local db
  for db in "${PG_DBS[@]}"; do
    postgres_psql -d postgres <<SQL
SELECT 'CREATE DATABASE $db OWNER $PG_USER'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db') \gexec
SQL
  done
}

postgres_answers() { postgres_ready; }


# ---------------------------------------------------------------------------------------------
# Apache Kafka in KRaft combined mode (broker + controller in one JVM), jars from Maven Central.

KAFKA_HOME="$STACK_DIR/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_DATA="$KAFKA_HOME/data"

kafka_java() {   # run a Kafka main class with the stack's Kafka jars; WARN-level logging
  # Short-lived CLI JVMs: C1 only starts noticeably faster.
  "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -Dstack.kafka.log.level=WARN \
    -Dlog4j2.configurationFile="$HELPERS/kafka-log4j2.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

kafka_prepare() {
  need_java 17 kafka
  if [[ ! -f "$KAFKA_LIBS/.complete" ]]; then
    local v ok=false
    for v in $KAFKA_VERSIONS; do
      step "kafka: fetching Apache Kafka $v jars (Maven, cached in ~/.m2)"
      rm -rf "$KAFKA_LIBS"
      mkdir -p "$KAFKA_LIBS"
      if mvnw -f "$HELPERS/kafka-pom.xml" -Dkafka.version="$v" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" >"$KAFKA_HOME/fetch.log" 2>&1; then
        echo "$v" >"$KAFKA_LIBS/.complete"
        ok=true
        break
      fi
      info "Kafka $v could not be resolved (see $KAFKA_HOME/fetch.log)"
    done
    [[ $ok == true ]] || { tail -n 20 "$KAFKA_HOME/fetch.log" >&2; die "could not fetch any of Kafka $KAFKA_VERSIONS"; }
  fi
  # Regenerated on every start so port changes apply (the controller port is also recorded in
  # the formatted metadata: changing KAFKA_CONTROLLER_PORT later needs a fresh STACK_DIR).
  cat >"$KAFKA_HOME/server.properties" <<EOF
# Generated by dev/stack.sh; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=localhost:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$KAFKA_SSL_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://localhost:$KAFKA_PORT,SASL_SSL://localhost:$KAFKA_SSL_PORT,CONTROLLER://localhost:$KAFKA_CONTROLLER_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
# The TLS listener presents the stack's certificate for localhost (tls_prepare); clients need no certificate, but a
# SCRAM-SHA-512 user and password, as production brokers ask: users are added through the plaintext listener.
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS_DIR/server.p12
ssl.keystore.password=$TLS_PASSWORD
ssl.client.auth=none
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA
num.partitions=1
auto.create.topics.enable=true
# A single node: every internal topic has one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Consumers join a group at once instead of waiting 3s for more members.
group.initial.rebalance.delay.ms=0
EOF
  if [[ ! -f "$KAFKA_DATA/meta.properties" ]]; then
    step "kafka: formatting storage $KAFKA_DATA"
    [[ -f "$KAFKA_HOME/cluster.id" ]] || kafka_java kafka.tools.StorageTool random-uuid >"$KAFKA_HOME/cluster.id"
    kafka_java kafka.tools.StorageTool format --standalone -t "$(cat "$KAFKA_HOME/cluster.id")" \
      -c "$KAFKA_HOME/server.properties" >"$KAFKA_HOME/format.log" 2>&1 \
      || { cat "$KAFKA_HOME/format.log" >&2; die "kafka storage format failed"; }
  fi
}

kafka_start() {
  require_free_port "$KAFKA_PORT" kafka KAFKA_PORT
  require_free_port "$KAFKA_CONTROLLER_PORT" "kafka (controller)" KAFKA_CONTROLLER_PORT
  require_free_port "$KAFKA_SSL_PORT" "kafka (TLS)" KAFKA_SSL_PORT
  step "kafka: starting $(cat "$KAFKA_LIBS/.complete") on localhost:$KAFKA_PORT (TLS :$KAFKA_SSL_PORT, controller :$KAFKA_CONTROLLER_PORT)"
  launch kafka "$KAFKA_HOME" "$JAVA" -Xms512m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Dstack.kafka.log.level=INFO \
    -Dlog4j2.configurationFile="$HELPERS/kafka-log4j2.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_HOME/server.properties"
}

kafka_topics() {   # TopicCommand against our broker
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "localhost:$KAFKA_PORT" "$@"
}

kafka_setup() {
  wait_until kafka 120 tcp_open "$KAFKA_PORT"
  # An open port is not a working broker yet: a metadata round trip (listing topics) is.
  local existing missing=() t
  local start=$SECONDS
  until existing="$(kafka_topics --list 2>"$KAFKA_HOME/topics.err")"; do
    running_pid kafka >/dev/null || fail_with_log kafka "kafka exited during start-up"
    ((SECONDS - start < 120)) || { cat "$KAFKA_HOME/topics.err" >&2; fail_with_log kafka "kafka does not answer metadata requests"; }
    sleep 1
  done
  # A broker started before the TLS listener existed keeps running without it: say how to get it.
  tcp_open "$KAFKA_SSL_PORT" \
    || info "kafka: nothing listens on the TLS port $KAFKA_SSL_PORT (a broker started by an older dev/stack.sh?): dev/stack.sh down kafka && dev/stack.sh up kafka"
  for t in "${KAFKA_TOPICS[@]}"; do
    grep -qx -- "$t" <<<"$existing" || missing+=("$t")
  done
  if ((${#missing[@]} == 0)); then
    step "kafka: topics present: ${KAFKA_TOPICS[*]}"
    return
  fi
  for t in "${missing[@]}"; do
    step "kafka: creating topic $t"
    kafka_topics --create --if-not-exists --topic "$t" --partitions 1 --replication-factor 1 >/dev/null
  done
}

kafka_answers() { tcp_open "$KAFKA_PORT"; }

# ---------------------------------------------------------------------------------------------
# OpenSearch and Elasticsearch: the "integ-test-zip" distributions from Maven Central (no bundled
# JDK, only the core modules), unpacked under STACK_DIR and run as STACK_USER.

search_health() {   # search_health PORT [CONDITIONS]: cluster reachable and at least yellow (or CONDITIONS)?
  curl -fsS -m 5 "http://127.0.0.1:$1/_cluster/health?${2:-wait_for_status=yellow}&timeout=2s" >/dev/null
}

# Unpack the distribution once; write its config on every start (ports may change).
search_prepare() {   # search_prepare SERVICE GROUP ARTIFACT VERSION
  local svc=$1 group=$2 artifact=$3 version=$4
  local home="$STACK_DIR/$svc/$artifact-$version"
  need_java 21 "$svc"
  need_cmd unzip unzip
  need_cmd curl curl
  ensure_stack_user
  if [[ ! -f "$home/.complete" ]]; then
    rm -rf "$home"
    fetch_zip "$group:$artifact:$version:zip" "$STACK_DIR/$svc"
    [[ -x "$home/bin/$artifact" ]] || die "$home/bin/$artifact missing after unpacking"
    touch "$home/.complete"
  fi
  search_node_dirs "$STACK_DIR/$svc"
}

search_node_dirs() {   # search_node_dirs DIR: a node's data, logs and tmp under DIR
  mkdir -p "$1/data" "$1/logs" "$1/tmp"
  # The node writes its keystore into config/ and needs to own data, logs and tmp.
  chown -R "$STACK_USER:" "$1"
  check_reachable_by "$STACK_USER"
}

search_node_settings() {   # search_node_settings CLUSTER NODE DIR HTTP_PORT TRANSPORT_PORT
  cat <<EOF
# Generated by dev/stack.sh; edits are overwritten.
cluster.name: $1
node.name: $2
path.data: $3/data
path.logs: $3/logs
network.host: 127.0.0.1
http.port: $4
transport.port: $5
# Never block writes because the development disk is "almost full".
cluster.routing.allocation.disk.threshold_enabled: false
EOF
}

search_common_settings() {   # search_common_settings SERVICE HTTP_PORT TRANSPORT_PORT: a single node
  search_node_settings "stack-$1" "stack-$1" "$STACK_DIR/$1" "$2" "$3"
  echo "discovery.type: single-node"
}

OS_HOME="$STACK_DIR/opensearch/opensearch-$OPENSEARCH_VERSION"

opensearch_prepare() {
  search_prepare opensearch org.opensearch.distribution.integ-test-zip opensearch "$OPENSEARCH_VERSION"
  search_common_settings opensearch "$OPENSEARCH_PORT" "$OPENSEARCH_TRANSPORT_PORT" >"$OS_HOME/config/opensearch.yml"
}

opensearch_start() {
  require_free_port "$OPENSEARCH_PORT" opensearch OPENSEARCH_PORT
  require_free_port "$OPENSEARCH_TRANSPORT_PORT" "opensearch (transport)" OPENSEARCH_TRANSPORT_PORT
  step "opensearch: starting $OPENSEARCH_VERSION on 127.0.0.1:$OPENSEARCH_PORT (transport :$OPENSEARCH_TRANSPORT_PORT) as $STACK_USER"
  opensearch_launch opensearch "$STACK_DIR/opensearch" "$OS_HOME/config" 1g
}

opensearch_launch() {   # opensearch_launch PROCESS DIR CONFIG_DIR HEAP: a node of OS_HOME, its tmp in DIR/tmp
  # Work dir = home: jvm.options names the agent jar relative to it.
  launch "$1" "$OS_HOME" setpriv --reuid="$STACK_USER" --regid="$(id -g "$STACK_USER")" --init-groups \
    env OPENSEARCH_JAVA_HOME="$JAVA_HOME_STACK" JAVA_HOME="$JAVA_HOME_STACK" OPENSEARCH_PATH_CONF="$3" \
    OPENSEARCH_JAVA_OPTS="-Xms$4 -Xmx$4" OPENSEARCH_TMPDIR="$2/tmp" \
    "$OS_HOME/bin/opensearch"
}

opensearch_setup() {
  wait_until opensearch 180 search_health "$OPENSEARCH_PORT"
  step "opensearch: cluster health yellow or better on :$OPENSEARCH_PORT"
}

opensearch_answers() { search_health "$OPENSEARCH_PORT"; }

# ---------------------------------------------------------------------------------------------
# opensearch-cluster: three nodes of the opensearch service's distribution on this machine, one
# cluster (every node cluster-manager eligible and a data node), node N in STACK_DIR/opensearch-
# cluster/N with its own config, data and logs, HTTP on OPENSEARCH_CLUSTER_PORT+N-1 and transport
# on OPENSEARCH_CLUSTER_TRANSPORT_PORT+N-1. 512 MiB of heap each: three fit beside the rest.

CLUSTER_HOME="$STACK_DIR/opensearch-cluster"
CLUSTER_GREEN="wait_for_status=green&wait_for_nodes=$CLUSTER_NODES"

cluster_http_port() { echo $((OPENSEARCH_CLUSTER_PORT + $1 - 1)); }
cluster_transport_port() { echo $((OPENSEARCH_CLUSTER_TRANSPORT_PORT + $1 - 1)); }

cluster_settings() {   # cluster_settings N: node N's opensearch.yml
  local n i seeds=() nodes=()
  n=$1
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    seeds+=("127.0.0.1:$(cluster_transport_port "$i")")
    nodes+=("stack-opensearch-cluster-$i")
  done
  search_node_settings stack-opensearch-cluster "stack-opensearch-cluster-$n" "$CLUSTER_HOME/$n" \
    "$(cluster_http_port "$n")" "$(cluster_transport_port "$n")"
  local IFS=,
  echo "discovery.seed_hosts: [${seeds[*]}]"
  # Only read when the cluster forms for the first time (empty data directories).
  echo "cluster.initial_cluster_manager_nodes: [${nodes[*]}]"
}

cluster_node_prepare() {   # cluster_node_prepare N: node N's directories and config (the distribution's, own paths)
  local dir="$CLUSTER_HOME/$1"
  mkdir -p "$dir/config/jvm.options.d"
  cp "$OS_HOME/config/log4j2.properties" "$OS_HOME/config/fips_java.security" "$dir/config/"
  # The distribution's jvm.options puts the GC log, heap dumps and crash logs in the work dir (OS_HOME).
  sed -e "s|=logs/|=$dir/logs/|g" -e "s|HeapDumpPath=data|HeapDumpPath=$dir/data|" \
    "$OS_HOME/config/jvm.options" >"$dir/config/jvm.options"
  cluster_settings "$1" >"$dir/config/opensearch.yml"
  search_node_dirs "$dir"
}

opensearch_cluster_prepare() {
  search_prepare opensearch org.opensearch.distribution.integ-test-zip opensearch "$OPENSEARCH_VERSION"
  local n
  for ((n = 1; n <= CLUSTER_NODES; n++)); do
    running_pid "opensearch-cluster-$n" >/dev/null || cluster_node_prepare "$n"
  done
}

opensearch_cluster_start() {
  local n missing=()
  for ((n = 1; n <= CLUSTER_NODES; n++)); do
    running_pid "opensearch-cluster-$n" >/dev/null && continue
    missing+=("$n")
    require_free_port "$(cluster_http_port "$n")" "opensearch-cluster node $n" OPENSEARCH_CLUSTER_PORT
    require_free_port "$(cluster_transport_port "$n")" "opensearch-cluster node $n (transport)" OPENSEARCH_CLUSTER_TRANSPORT_PORT
  done
  for n in "${missing[@]}"; do
    step "opensearch-cluster: starting node $n ($OPENSEARCH_VERSION) on 127.0.0.1:$(cluster_http_port "$n") (transport :$(cluster_transport_port "$n")) as $STACK_USER"
    opensearch_launch "opensearch-cluster-$n" "$CLUSTER_HOME/$n" "$CLUSTER_HOME/$n/config" 512m
  done
}

opensearch_cluster_setup() {
  wait_until opensearch-cluster 300 search_health "$OPENSEARCH_CLUSTER_PORT" "$CLUSTER_GREEN"
  step "opensearch-cluster: cluster health green with $CLUSTER_NODES nodes on :$(service_port opensearch-cluster)"
}

opensearch_cluster_answers() { search_health "$OPENSEARCH_CLUSTER_PORT" "$CLUSTER_GREEN"; }

ES_HOME="$STACK_DIR/elasticsearch/elasticsearch-$ELASTICSEARCH_VERSION"

elasticsearch_prepare() {
  search_prepare elasticsearch org.elasticsearch.distribution.integ-test-zip elasticsearch "$ELASTICSEARCH_VERSION"
  {
    search_common_settings elasticsearch "$ELASTICSEARCH_PORT" "$ELASTICSEARCH_TRANSPORT_PORT"
    # This distribution does ship the x-pack-security module, enabled by default (TLS + passwords).
    # It has no ingest-geoip module, hence no GeoIP downloader to turn off.
    echo "xpack.security.enabled: false"
  } >"$ES_HOME/config/elasticsearch.yml"
}

elasticsearch_start() {
  require_free_port "$ELASTICSEARCH_PORT" elasticsearch ELASTICSEARCH_PORT
  require_free_port "$ELASTICSEARCH_TRANSPORT_PORT" "elasticsearch (transport)" ELASTICSEARCH_TRANSPORT_PORT
  step "elasticsearch: starting $ELASTICSEARCH_VERSION on 127.0.0.1:$ELASTICSEARCH_PORT (transport :$ELASTICSEARCH_TRANSPORT_PORT) as $STACK_USER"
  rm -f "$STACK_DIR/elasticsearch/server.pid"
  # bin/elasticsearch runs a small launcher JVM (its PID is recorded) that forks the server JVM;
  # -p makes the server write its own PID, so `down` can stop both.
  launch elasticsearch "$ES_HOME" setpriv --reuid="$STACK_USER" --regid="$(id -g "$STACK_USER")" --init-groups \
    env ES_JAVA_HOME="$JAVA_HOME_STACK" JAVA_HOME="$JAVA_HOME_STACK" \
    ES_JAVA_OPTS="-Xms1g -Xmx1g" ES_TMPDIR="$STACK_DIR/elasticsearch/tmp" \
    "$ES_HOME/bin/elasticsearch" -p "$STACK_DIR/elasticsearch/server.pid"
}

elasticsearch_setup() {
  wait_until elasticsearch 180 search_health "$ELASTICSEARCH_PORT"
  step "elasticsearch: cluster health yellow or better on :$ELASTICSEARCH_PORT"
}

elasticsearch_answers() { search_health "$ELASTICSEARCH_PORT"; }

# ---------------------------------------------------------------------------------------------
# commands

# postgres treats TERM as a "smart" shutdown that waits for every client to disconnect (an app
# left running would keep it up until we KILL it); INT is its "fast" shutdown.
stop_signal() {
  case $1 in
    postgres) echo INT ;;
    *) echo TERM ;;
  esac
}

service_port() {
  case $1 in
    postgres) echo "$PG_PORT" ;;
    kafka) echo "$KAFKA_PORT" ;;
    opensearch) echo "$OPENSEARCH_PORT" ;;
    elasticsearch) echo "$ELASTICSEARCH_PORT" ;;
    opensearch-cluster) echo "$OPENSEARCH_CLUSTER_PORT-$(cluster_http_port "$CLUSTER_NODES")" ;;
  esac
}

cmd_up() {
  local services=("$@") svc pid
  mkdir -p "$STACK_DIR" "$RUN_DIR" "$LOG_DIR"
  chmod 755 "$STACK_DIR"   # the postgres and STACK_USER users must be able to enter it
  tls_prepare
  # Install and start everything first, then wait: the services boot in parallel.
  for svc in "${services[@]}"; do
    # Every process: a node of the cluster that died (a test kills one) is started again, the others are left alone.
    if service_alive "$svc"; then
      step "$svc: already running (pid $(service_pids "$svc"))"
    else
      hook "$svc" prepare
      hook "$svc" start
    fi
  done
  for svc in "${services[@]}"; do
    hook "$svc" setup
  done
  for svc in "${services[@]}"; do
    info "$svc ready: pid $(service_pids "$svc"), port $(service_port "$svc")"
  done
  step "stack up (${services[*]}); logs in $LOG_DIR"
}

cmd_down() {
  local services=("$@") i proc
  # Reverse order: search engines and Kafka before PostgreSQL.
  for ((i = ${#services[@]} - 1; i >= 0; i--)); do
    for proc in $(service_procs "${services[i]}"); do
      stop_proc "$proc"
    done
  done
}

stop_proc() {   # stop_proc PROCESS: a service's process (a node of the cluster is one)
  local proc=$1 pid
  # Elasticsearch's server JVM first (its launcher then exits by itself); checked on its own in
  # case the launcher is already gone.
  local stopped_server=false
  if [[ $proc == elasticsearch && -f "$STACK_DIR/elasticsearch/server.pid" ]]; then
    pid="$(cat "$STACK_DIR/elasticsearch/server.pid")"
    if ours "$pid"; then
      step "elasticsearch: stopping server pid $pid"
      stop_pid "$pid" "elasticsearch server"
      stopped_server=true
    fi
  fi
  if pid="$(running_pid "$proc")"; then
    step "$proc: stopping pid $pid"
    stop_pid "$pid" "$proc" "$(stop_signal "$proc")"
  elif [[ $stopped_server == false ]]; then
    step "$proc: not running"
  fi
  rm -f "$(pid_file "$proc")"
}

cmd_status() {
  local svc pid port state rc=0
  printf '%-18s %-20s %-9s %s\n' SERVICE PID PORT STATE
  for svc in "$@"; do
    port="$(service_port "$svc")"
    if pid="$(service_pids "$svc")"; then
      if hook "$svc" answers >/dev/null 2>&1; then state=up; else state="running, not answering"; rc=1; fi
    else
      pid=-
      state=stopped
      rc=1
    fi
    printf '%-18s %-20s %-9s %s\n' "$svc" "$pid" "$port" "$state"
  done
  return $rc
}

usage() {
  print_header "${BASH_SOURCE[0]}"
  exit "${1:-0}"
}

main() {
  local cmd=${1:-}
  [[ -n $cmd ]] || usage 1
  shift
  case $cmd in
    -h | --help | help) usage 0 ;;
    kafka-tool)
      [[ -f "$KAFKA_LIBS/.complete" ]] || die "Kafka is not installed yet: run dev/stack.sh up kafka"
      kafka_java "$@"
      exit
      ;;
    up | down | status) ;;
    *) usage 1 ;;
  esac

  local services=() svc known k
  if (($# > 0)); then
    for svc in "$@"; do
      known=false
      for k in "${ALL_SERVICES[@]}"; do [[ $svc == "$k" ]] && known=true; done
      [[ $known == true ]] || die "unknown service '$svc' (known: ${ALL_SERVICES[*]})"
      services+=("$svc")
    done
  elif [[ $cmd == up ]]; then
    services=(postgres kafka opensearch)
    [[ $STACK_ELASTICSEARCH == true ]] && services+=(elasticsearch)
  else
    services=("${ALL_SERVICES[@]}")
  fi

  if [[ $cmd != status ]]; then
    [[ $(id -u) -eq 0 ]] || die "dev/stack.sh $cmd must run as root (it installs packages and switches users)"
  fi
  "cmd_$cmd" "${services[@]}"
}

main "$@"
