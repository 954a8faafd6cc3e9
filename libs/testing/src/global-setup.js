// Jest global setup for integration and e2e tests: make sure the real Kafka broker and the real
// Postgres server are up (starting them if needed) before any test runs, and give the run an id
// that the workers inherit (see testRunId in names.ts) and the teardown uses.
const { execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const path = require('node:path');

module.exports = async () => {
  process.env.INTERLINK_TEST_RUN ??= randomBytes(2).toString('hex');
  const root = path.resolve(__dirname, '../../..');
  execFileSync('bash', [path.join(root, 'deploy/local/up.sh')], { stdio: 'inherit', cwd: root });
};
