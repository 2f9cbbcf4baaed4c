#!/usr/bin/env bash
# Starts the real services Tidewatch's monitor and integration tests use, on this machine:
#   Apache Kafka (KRaft combined mode, 127.0.0.1:9092), jars from Maven Central via infra/pom.xml
#   Redis (127.0.0.1:6379): reuses one that answers PING, else starts redis-server
#   (installing Debian's package if missing).
#   Debian's chromium for the console's browser tests, if missing (infra/chromium-up.sh).
# Idempotent; it leaves alone any service it did not start. State lives in .cache/ (git-ignored).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache="$root/.cache"
kafka_dir="$cache/kafka"
libs="$kafka_dir/libs"
mkdir -p "$kafka_dir"
started=$(date +%s)

log() { echo "[services:up] $*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- ; }

# ---------- Redis ----------
redis_up() {
  if command -v redis-cli >/dev/null && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; then
    log "redis: already answering on 127.0.0.1:6379, reusing it"; return
  fi
  if port_open 6379; then log "redis: port 6379 is open but does not answer PING"; exit 1; fi
  if ! command -v redis-server >/dev/null; then
    log "redis: installing Debian's redis-server"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    ($sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server redis-tools) >/dev/null
    # Where systemd runs, the package starts its own Redis on 6379: reuse it, do not start a second.
    for _ in $(seq 1 20); do
      [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ] && { log "redis: the package's service answers on 127.0.0.1:6379, reusing it"; return; }
      port_open 6379 || break
      sleep 0.1
    done
  fi
  mkdir -p "$cache/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$cache/redis" --logfile "$cache/redis/redis.log" --pidfile "$cache/redis/redis.pid"
  for _ in $(seq 1 50); do
    [ "$(redis-cli -p 6379 ping 2>/dev/null)" = "PONG" ] && { log "redis: started (pid $(cat "$cache/redis/redis.pid"))"; echo started > "$cache/redis/owned"; return; }
    sleep 0.1
  done
  log "redis: did not answer PING; see $cache/redis/redis.log"; exit 1
}

# ---------- Kafka ----------
kafka_fetch() {
  if [ -f "$libs/.complete" ] && [ "$(cat "$libs/.complete")" = "$(sha1sum "$root/infra/pom.xml" | cut -c1-40)" ]; then return; fi
  command -v mvn >/dev/null || { log "kafka: mvn not found (apt-get install maven)"; exit 1; }
  command -v java >/dev/null || { log "kafka: java not found (apt-get install openjdk-17-jre-headless)"; exit 1; }
  log "kafka: fetching jars from Maven Central (first run only)"
  rm -rf "$libs"
  mvn -q -B -f "$root/infra/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs"
  sha1sum "$root/infra/pom.xml" | cut -c1-40 > "$libs/.complete"
}

# Kafka's own command-line clients (kafka-console-producer, kafka-console-consumer) in their own
# folder, with an SLF4J binding so their errors are logged: an integration test feeds the monitor
# with them, as an exchange's tooling would; infra/kafka-tools-bin.sh writes their scripts.
tools="$kafka_dir/tools"
kafka_tools_fetch() {
  if [ -f "$tools/.complete" ] && [ "$(cat "$tools/.complete")" = "$(sha1sum "$root/infra/tools-pom.xml" | cut -c1-40)" ]; then return; fi
  command -v mvn >/dev/null || { log "kafka tools: mvn not found (apt-get install maven)"; exit 1; }
  log "kafka tools: fetching the console clients from Maven Central (first run only)"
  rm -rf "$tools"
  mvn -q -B -f "$root/infra/tools-pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tools"
  sha1sum "$root/infra/tools-pom.xml" | cut -c1-40 > "$tools/.complete"
}

kafka_config() {
  cat > "$kafka_dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://127.0.0.1:9092
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=127.0.0.1:9093
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$kafka_dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.retention.hours=168
PROPS
}

kafka_ready() { node "$root/infra/kafka-ready.mjs" "${1:-1}" >/dev/null 2>&1; }

kafka_up() {
  if port_open 9092; then
    if kafka_ready 5; then log "kafka: already answering on 127.0.0.1:9092, reusing it"; return; fi
    log "kafka: port 9092 is open but a kafkajs admin cannot list topics"; exit 1
  fi
  kafka_fetch
  kafka_config
  local cp="$libs/*"
  local jopts=(-Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true "-Dlog4j2.configurationFile=$root/infra/log4j2.properties")
  if [ ! -f "$kafka_dir/data/meta.properties" ]; then
    local id; id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    java "${jopts[@]}" -cp "$cp" kafka.tools.StorageTool format --standalone -t "$id" -c "$kafka_dir/server.properties" > "$kafka_dir/format.log" 2>&1 \
      || { log "kafka: storage format failed; see $kafka_dir/format.log"; exit 1; }
  fi
  nohup java "${jopts[@]}" -cp "$cp" kafka.Kafka "$kafka_dir/server.properties" > "$kafka_dir/broker.log" 2>&1 &
  echo $! > "$kafka_dir/broker.pid"
  if kafka_ready 90; then
    log "kafka: started (pid $(cat "$kafka_dir/broker.pid"))"
  else
    log "kafka: not ready within 90 s; last lines of $kafka_dir/broker.log:"; tail -20 "$kafka_dir/broker.log"; exit 1
  fi
}

redis_up
[ -d "$root/node_modules/kafkajs" ] || { log "run npm ci first"; exit 1; }
# The broker's jars even when a broker already answers: the mutual-TLS test starts a second one.
kafka_fetch
kafka_up
kafka_tools_fetch
bash "$root/infra/kafka-tools-bin.sh" "$kafka_dir" # .cache/kafka/bin/kafka-console-producer.sh and the others
bash "$root/infra/chromium-up.sh"
log "ready in $(( $(date +%s) - started )) s"
