// Jest global teardown for integration and e2e tests: delete the topics and consumer groups the
// run created (their agency ids look like `t1a2b3c4-police`), so a developer's broker does not
// accumulate thousands of partitions that slow its start.
const { Kafka, logLevel } = require('kafkajs');

const TEST_AGENCY = /(^|[.])t[0-9a-f]{8}-/;

module.exports = async () => {
  const kafka = new Kafka({
    clientId: 'interlink-test-teardown',
    brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => TEST_AGENCY.test(t));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30000 });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => TEST_AGENCY.test(g) || g.startsWith('reader-'));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } catch (error) {
    console.warn(`test teardown could not delete test topics: ${error.message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
};
