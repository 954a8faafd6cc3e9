// A relay in its own process, so a test can kill it for real. With KILL_AFTER_PUBLISH=1 it
// SIGKILLs itself after its first batch reached Kafka and before the checkpoint is written.
import { EventStore, createDataSource } from '@interlink/event-store';
import { Relay, TopicManager, createKafka, kafkaSettingsFromEnv } from '@interlink/messaging';
import { caseFileRegistry } from '../case-file';

async function main() {
  const url = process.env.DATABASE_URL!;
  const agency = process.env.AGENCY!;
  const dataSource = createDataSource({ url, poolSize: 2 });
  await dataSource.initialize();
  const kafka = createKafka(kafkaSettingsFromEnv(`${agency}-relay-process`));
  const admin = kafka.admin();
  await admin.connect();
  const relay = new Relay(kafka, new TopicManager(admin), dataSource, new EventStore(dataSource, caseFileRegistry(), agency), {
    databaseUrl: url,
    onPublished: () => {
      if (process.env.KILL_AFTER_PUBLISH === '1') process.kill(process.pid, 'SIGKILL');
    },
  });
  await relay.start();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
