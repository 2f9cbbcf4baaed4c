// Exits 0 once a kafkajs admin can list topics on 127.0.0.1:9092, 1 after the deadline (seconds, argv[2]).
import kafkajs from 'kafkajs';
const deadline = Date.now() + Number(process.argv[2] ?? 60) * 1000;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new kafkajs.Kafka({ clientId: 'tidewatch-ready', brokers, logLevel: kafkajs.logLevel.NOTHING,
  retry: { retries: 0 }, connectionTimeout: 1000 });
while (Date.now() < deadline) {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
    process.exit(0);
  } catch {
    await admin.disconnect().catch(() => {});
    await new Promise((r) => setTimeout(r, 500));
  }
}
process.exit(1);
