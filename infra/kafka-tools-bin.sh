#!/usr/bin/env bash
# Writes Apache Kafka's usual command-line scripts (kafka-console-producer.sh, …) into <kafka_dir>/bin,
# each running its class from the jars services-up.sh fetched (<kafka_dir>/tools, and <kafka_dir>/libs
# for kafka-configs.sh) with infra/tools-log4j2.properties: logs on stderr, so errors are seen.
# Usage: infra/kafka-tools-bin.sh <kafka_dir>
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kafka_dir=$(cd "$1" && pwd)
bin="$kafka_dir/bin"
mkdir -p "$bin"
write() { # name, classpath folder, main class
  printf '#!/bin/sh\n# Written by infra/kafka-tools-bin.sh (npm run services:up).\nexec java -cp "%s/*" "-Dlog4j2.configurationFile=%s" %s "$@"\n' \
    "$kafka_dir/$2" "$root/infra/tools-log4j2.properties" "$3" > "$bin/$1"
  chmod 755 "$bin/$1"
}
write kafka-console-producer.sh tools org.apache.kafka.tools.ConsoleProducer
write kafka-console-consumer.sh tools org.apache.kafka.tools.consumer.ConsoleConsumer
write kafka-topics.sh tools org.apache.kafka.tools.TopicCommand
write kafka-consumer-groups.sh tools org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
write kafka-get-offsets.sh tools org.apache.kafka.tools.GetOffsetShell
write kafka-delete-records.sh tools org.apache.kafka.tools.DeleteRecordsCommand
write kafka-configs.sh libs kafka.admin.ConfigCommand
