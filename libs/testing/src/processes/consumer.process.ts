// A consumer in its own process, so a test can kill it for real. With KILL_AFTER_EVENTS=N it
// SIGKILLs itself while applying its N-th event, inside a batch's uncommitted transaction.
import { EventConsumer, TopicManager, createKafka, kafkaSettingsFromEnv } from '@interlink/messaging';
import { createDataSource } from '@interlink/event-store';
import { caseFileRegistry, receivedCasesHandler } from '../case-file';

async function main() {
  const url = process.env.DATABASE_URL!;
  const killAfter = Number(process.env.KILL_AFTER_EVENTS ?? 0);
  const dataSource = createDataSource({ url, poolSize: 2 });
  await dataSource.initialize();
  const kafka = createKafka(kafkaSettingsFromEnv(`${process.env.CONSUMER_NAME}-process`));
  const admin = kafka.admin();
  await admin.connect();
  const apply = receivedCasesHandler(process.env.TABLE!);
  let applied = 0;
  const consumer = new EventConsumer(kafka, new TopicManager(admin), dataSource, caseFileRegistry(), {
    name: process.env.CONSUMER_NAME!,
    agencyId: process.env.AGENCY!,
    topics: process.env.TOPICS!.split(','),
    sessionTimeout: 6000,
    handler: async (event, context) => {
      await apply(event, context);
      if (++applied === killAfter) process.kill(process.pid, 'SIGKILL');
    },
  });
  await consumer.start();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
