#!/usr/bin/env bash
# Apache Kafka (the broker users run) for the end-to-end tests, the benchmark and by hand:
# the Maven artifact org.apache.kafka:kafka_2.13 and its runtime dependencies, resolved by
# scripts/kafka/pom.xml from Maven Central, run in KRaft mode on loopback ports.
#
#   scripts/kafka.sh install            resolves the broker's jars into $KAFKA_HOME/libs (once)
#   scripts/kafka.sh start PORT         starts a one-node broker (broker + controller) on
#                                       127.0.0.1:PORT in the background, returns once it
#                                       serves clients, prints its address
#   scripts/kafka.sh stop PORT          stops the broker started on PORT
#   scripts/kafka.sh config DIR OPTS    writes DIR/server.properties (and DIR/cluster.id):
#       --node-id N --port P --controller-port C [--voters 1@127.0.0.1:C1,2@…] [--cluster-id ID]
#       [--replication-factor R] [--min-insync R] [--extra KEY=VALUE]…
#       [--sasl-ssl-port S --keystore FILE.p12 --keystore-password PW [--scram USER=PASSWORD]…]
#                                       --sasl-ssl-port adds a SASL_SSL listener on
#                                       127.0.0.1:S (SCRAM-SHA-512, TLS with the PKCS#12
#                                       keystore); each --scram user is created when `run`
#                                       formats the storage (StorageTool --add-scram)
#   scripts/kafka.sh tls DIR PASSWORD   makes a throw-away CA (DIR/ca.pem) and a server
#                                       certificate for 127.0.0.1/localhost signed by it, in
#                                       the PKCS#12 keystore DIR/server.p12 (openssl)
#   scripts/kafka.sh run DIR            formats DIR's storage if new, then runs the broker in
#                                       the foreground (exec: the caller's child *is* the JVM,
#                                       so kill -9 of that pid kills the broker)
#   scripts/kafka.sh version            prints the Kafka version the pom resolves
#   scripts/kafka.sh dump-log FILE…     prints the record batches of log segment files
#                                       (kafka.tools.DumpLogSegments: offsets, compresscodec)
#
# The Rust test harness (tests/src/broker.rs) uses `config` and `run`, one broker (or three)
# per test on free ports. Environment:
#   KAFKA_HOME          where the jars go (default: target/apache-kafka-<version> in the repo)
#   KAFKA_HEAP_OPTS     JVM heap (default: -Xms128m -Xmx768m)
#   JAVA                the java binary (default: java on PATH)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
POM="$ROOT/scripts/kafka/pom.xml"
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")
KAFKA_HOME="${KAFKA_HOME:-$ROOT/target/apache-kafka-$KAFKA_VERSION}"
STATE_DIR="${TMPDIR:-/tmp}/reportflow-kafka"
JAVA="${JAVA:-java}"

die() { echo "kafka.sh: $*" >&2; exit 1; }

ensure_tools() {
  if ! command -v mvn >/dev/null 2>&1 || ! command -v "$JAVA" >/dev/null 2>&1; then
    echo "kafka.sh: installing Java 17 and Maven (Debian packages)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      openjdk-17-jre-headless maven >/dev/null
  fi
}

cmd_install() {
  if [ -f "$KAFKA_HOME/libs/.complete" ]; then
    echo "Apache Kafka $KAFKA_VERSION already resolved in $KAFKA_HOME/libs"
    return 0
  fi
  ensure_tools
  rm -rf "$KAFKA_HOME/libs"
  mkdir -p "$KAFKA_HOME/libs"
  mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs"
  touch "$KAFKA_HOME/libs/.complete"
  echo "Apache Kafka $KAFKA_VERSION resolved into $KAFKA_HOME/libs ($(ls "$KAFKA_HOME/libs" | wc -l) jars)"
}

# The JVM's options (without the class path, whose `*` must reach java unexpanded).
jvm_opts() {
  [ -f "$KAFKA_HOME/libs/.complete" ] || die "Apache Kafka is not installed: run scripts/kafka.sh install"
  echo "${KAFKA_HEAP_OPTS:--Xms128m -Xmx768m}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$ROOT/scripts/kafka/log4j2.properties"
}

new_cluster_id() {
  # Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding. Like Kafka's
  # Uuid.randomUuid, never one starting with `-`: StorageTool would read it as an option.
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [ "${id:0:1}" != "-" ] && break
  done
  echo "$id"
}

cmd_config() {
  local dir="$1"; shift
  local node_id="" port="" cport="" voters="" cluster_id="" rf=1 min_isr=1
  local extra=() scram=() sasl_port="" keystore="" ks_pass=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --node-id) node_id="$2"; shift 2 ;;
      --port) port="$2"; shift 2 ;;
      --controller-port) cport="$2"; shift 2 ;;
      --voters) voters="$2"; shift 2 ;;
      --cluster-id) cluster_id="$2"; shift 2 ;;
      --replication-factor) rf="$2"; shift 2 ;;
      --min-insync) min_isr="$2"; shift 2 ;;
      --extra) extra+=("$2"); shift 2 ;;
      --sasl-ssl-port) sasl_port="$2"; shift 2 ;;
      --keystore) keystore="$2"; shift 2 ;;
      --keystore-password) ks_pass="$2"; shift 2 ;;
      --scram) scram+=("$2"); shift 2 ;;
      *) die "config: unknown option $1" ;;
    esac
  done
  [ -n "$node_id" ] && [ -n "$port" ] && [ -n "$cport" ] || die "config needs --node-id, --port and --controller-port"
  voters="${voters:-$node_id@127.0.0.1:$cport}"
  mkdir -p "$dir/data"
  [ -n "$cluster_id" ] || cluster_id=$(new_cluster_id)
  echo "$cluster_id" > "$dir/cluster.id"
  local listeners="PLAINTEXT://127.0.0.1:$port" advertised="PLAINTEXT://127.0.0.1:$port"
  if [ -n "$sasl_port" ]; then
    [ -n "$keystore" ] && [ -n "$ks_pass" ] || die "--sasl-ssl-port needs --keystore and --keystore-password"
    listeners="$listeners,SASL_SSL://127.0.0.1:$sasl_port"
    advertised="$advertised,SASL_SSL://127.0.0.1:$sasl_port"
  fi
  # SCRAM users, one `--add-scram` value per line, for `run`'s storage format.
  : > "$dir/scram"
  for up in "${scram[@]}"; do
    echo "SCRAM-SHA-512=[name=${up%%=*},password=${up#*=}]" >> "$dir/scram"
  done
  {
    echo "# Written by scripts/kafka.sh config: one KRaft node (broker + controller) on loopback."
    echo "process.roles=broker,controller"
    echo "node.id=$node_id"
    echo "controller.quorum.voters=$voters"
    echo "listeners=$listeners,CONTROLLER://127.0.0.1:$cport"
    echo "advertised.listeners=$advertised"
    echo "controller.listener.names=CONTROLLER"
    echo "inter.broker.listener.name=PLAINTEXT"
    echo "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL"
    echo "log.dirs=$dir/data"
    echo "num.partitions=1"
    echo "default.replication.factor=$rf"
    echo "min.insync.replicas=$min_isr"
    echo "offsets.topic.replication.factor=$rf"
    echo "offsets.topic.num.partitions=4"
    echo "transaction.state.log.replication.factor=$rf"
    echo "transaction.state.log.min.isr=$min_isr"
    echo "transaction.state.log.num.partitions=4"
    echo "share.coordinator.state.topic.replication.factor=$rf"
    echo "share.coordinator.state.topic.min.isr=$min_isr"
    # Tests start consumer groups right away: no 3 s wait for more members.
    echo "group.initial.rebalance.delay.ms=0"
    echo "auto.create.topics.enable=true"
    # Room for the 20 MiB reports the large-record tests send (the runtime's own limit is
    # what decides; the broker should not refuse first).
    echo "message.max.bytes=67108864"
    echo "replica.fetch.max.bytes=67108864"
    echo "socket.request.max.bytes=134217728"
    if [ -n "$sasl_port" ]; then
      # Clients authenticate with SCRAM-SHA-512 over TLS; brokers and controllers keep
      # talking PLAINTEXT among themselves on loopback.
      echo "sasl.enabled.mechanisms=SCRAM-SHA-512"
      echo "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
      echo "ssl.keystore.type=PKCS12"
      echo "ssl.keystore.location=$keystore"
      echo "ssl.keystore.password=$ks_pass"
      echo "ssl.key.password=$ks_pass"
    fi
    for kv in "${extra[@]}"; do echo "$kv"; done
  } > "$dir/server.properties"
}

cmd_run() {
  local dir="$1"
  [ -f "$dir/server.properties" ] || die "run: $dir/server.properties missing (use config first)"
  local opts
  opts=$(jvm_opts)
  if [ ! -f "$dir/data/meta.properties" ]; then
    local scram_args=()
    if [ -s "$dir/scram" ]; then
      while IFS= read -r line; do scram_args+=(--add-scram "$line"); done < "$dir/scram"
    fi
    # shellcheck disable=SC2086 # opts is a list of JVM flags.
    "$JAVA" $opts -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool format --ignore-formatted \
      -t "$(cat "$dir/cluster.id")" -c "$dir/server.properties" "${scram_args[@]}" \
      >"$dir/format.log" 2>&1 \
      || { cat "$dir/format.log" >&2; die "storage format failed"; }
  fi
  # shellcheck disable=SC2086
  exec "$JAVA" $opts -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$dir/server.properties"
}

cmd_tls() {
  local dir="$1" pass="$2"
  command -v openssl >/dev/null || die "tls: openssl is not installed"
  mkdir -p "$dir"
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=reportflow test CA" \
      -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
      -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile server.ext -out server.pem 2>/dev/null
    openssl pkcs12 -export -in server.pem -inkey server.key -certfile ca.pem -name server \
      -out server.p12 -passout "pass:$pass"
  ) || die "tls: openssl failed"
  echo "$dir/ca.pem"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd_start() {
  local port="$1"
  local dir="$STATE_DIR/$port"
  rm -rf "$dir"
  mkdir -p "$dir"
  cmd_config "$dir" --node-id 1 --port "$port" --controller-port "$(free_port)"
  nohup "$0" run "$dir" >"$dir/broker.log" 2>&1 &
  echo $! > "$dir/pid"
  local deadline=$((SECONDS + 90))
  until grep -q "Kafka Server started" "$dir/broker.log" 2>/dev/null; do
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      tail -30 "$dir/broker.log" >&2
      die "the broker on port $port exited during start (log: $dir/broker.log)"
    fi
    if ((SECONDS > deadline)); then
      tail -30 "$dir/broker.log" >&2
      die "the broker on port $port did not start within 90 s (log: $dir/broker.log)"
    fi
    sleep 0.5
  done
  echo "127.0.0.1:$port"
}

cmd_stop() {
  local port="$1"
  local pidfile="$STATE_DIR/$port/pid"
  [ -f "$pidfile" ] || die "no broker started on port $port by this script"
  local pid
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -rf "$STATE_DIR/$port"
}

case "${1:-}" in
  install) cmd_install ;;
  start) [ $# -eq 2 ] || die "usage: kafka.sh start PORT"; cmd_install >/dev/null; cmd_start "$2" ;;
  stop) [ $# -eq 2 ] || die "usage: kafka.sh stop PORT"; cmd_stop "$2" ;;
  config) [ $# -ge 2 ] || die "usage: kafka.sh config DIR OPTIONS"; shift; cmd_config "$@" ;;
  tls) [ $# -eq 3 ] || die "usage: kafka.sh tls DIR PASSWORD"; cmd_tls "$2" "$3" ;;
  run) [ $# -eq 2 ] || die "usage: kafka.sh run DIR"; cmd_run "$2" ;;
  version) echo "$KAFKA_VERSION" ;;
  dump-log)
    [ $# -ge 2 ] || die "usage: kafka.sh dump-log FILE…"
    shift
    # shellcheck disable=SC2046 # jvm_opts is a list of JVM flags.
    exec "$JAVA" $(jvm_opts) -cp "$KAFKA_HOME/libs/*" kafka.tools.DumpLogSegments --files "$(IFS=,; echo "$*")" ;;
  libs) echo "$KAFKA_HOME/libs" ;;
  -h|--help|"") sed -n '2,33p' "$0" ;;
  *) die "unknown command $1 (try --help)" ;;
esac
