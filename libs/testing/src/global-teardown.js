// Jest global teardown for integration and e2e tests: delete the topics and consumer groups this
// run created (their agency ids begin with `t<run id>`, see names.ts), so a developer's broker does
// not accumulate thousands of partitions that slow its start. Another run sharing the broker at
// the same time keeps its own.
const { Kafka, logLevel } = require('kafkajs');

module.exports = async () => {
  const run = process.env.INTERLINK_TEST_RUN;
  if (!/^[0-9a-f]{4}$/.test(run ?? '')) return;
  const ours = new RegExp(`(^|[.])t${run}[0-9a-f]{4}-|^reader-${run}-`);
  const kafka = new Kafka({
    clientId: 'interlink-test-teardown',
    brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => ours.test(t));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30000 });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => ours.test(g));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } catch (error) {
    console.warn(`test teardown could not delete test topics: ${error.message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
};
