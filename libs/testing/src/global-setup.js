// Jest global setup for integration and e2e tests: make sure the real Kafka broker and the real
// Postgres server are up (starting them if needed) before any test runs.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
  const root = path.resolve(__dirname, '../../..');
  execFileSync('bash', [path.join(root, 'deploy/local/up.sh')], { stdio: 'inherit', cwd: root });
};
