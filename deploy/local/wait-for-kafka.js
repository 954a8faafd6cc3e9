#!/usr/bin/env node
/*
 * Wait until a Kafka cluster really answers a metadata request (not merely an open port).
 *
 *   node deploy/local/wait-for-kafka.js [--brokers host:port[,host:port]] [--timeout SECONDS]
 *                                       [--pid PID] [--expect-brokers N] [--quiet]
 *
 *   --brokers  bootstrap servers; default $KAFKA_BROKERS, else 127.0.0.1:${KAFKA_PORT:-9092}
 *   --timeout  give up after this many seconds; default $KAFKA_START_TIMEOUT, else 60
 *   --pid      also give up (exit 3) as soon as this process is gone (used by kafka.sh to
 *              notice a broker that died during start-up instead of waiting for the timeout)
 *   --expect-brokers  wait until the cluster lists at least N brokers (a cluster whose nodes are
 *              still registering answers with fewer)
 *   --quiet    print nothing on success
 *
 * Uses kafkajs (admin.connect() + admin.describeCluster()), resolved from the repository's
 * node_modules. Exit codes: 0 answered, 1 timed out, 2 usage / kafkajs missing, 3 --pid gone.
 * Plain CommonJS on purpose: runs before anything is built.
 */
'use strict';

const USAGE =
  'usage: wait-for-kafka.js [--brokers host:port[,...]] [--timeout SECONDS] [--pid PID] [--expect-brokers N] [--quiet]';

function parseArgs(argv) {
  const opts = {
    brokers: process.env.KAFKA_BROKERS || `127.0.0.1:${process.env.KAFKA_PORT || 9092}`,
    timeout: Number(process.env.KAFKA_START_TIMEOUT || 60),
    pid: undefined,
    expectBrokers: 1,
    quiet: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(2, `${arg} needs a value\n${USAGE}`);
      return argv[++i];
    };
    if (arg === '--brokers') opts.brokers = value();
    else if (arg === '--timeout') opts.timeout = Number(value());
    else if (arg === '--pid') opts.pid = Number(value());
    else if (arg === '--expect-brokers') opts.expectBrokers = Number(value());
    else if (arg === '--quiet') opts.quiet = true;
    else if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else fail(2, `unknown argument: ${arg}\n${USAGE}`);
  }
  if (!Number.isFinite(opts.timeout) || opts.timeout <= 0) fail(2, '--timeout must be a positive number of seconds');
  if (opts.pid !== undefined && !(Number.isInteger(opts.pid) && opts.pid > 0)) fail(2, '--pid must be a process id');
  if (!(Number.isInteger(opts.expectBrokers) && opts.expectBrokers > 0)) fail(2, '--expect-brokers must be a whole number from 1');
  opts.brokers = opts.brokers
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (opts.brokers.length === 0) fail(2, 'no brokers given');
  return opts;
}

function fail(code, message) {
  console.error(`wait-for-kafka: ${message}`);
  process.exit(code);
}

function loadKafkajs() {
  try {
    return require('kafkajs');
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND') {
      fail(
        2,
        'cannot load kafkajs. Install the workspace dependencies first (npm ci at the repository root), ' +
          'or point NODE_PATH at a node_modules folder that has kafkajs.',
      );
    }
    throw err;
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM'; // exists, owned by someone else
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function probe(Kafka, logLevel, brokers, budgetMs) {
  const timeout = Math.max(500, Math.min(5000, budgetMs));
  const kafka = new Kafka({
    clientId: 'interlink-wait-for-kafka',
    brokers,
    connectionTimeout: timeout,
    requestTimeout: timeout,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
    // A broker started with KAFKA_SASL=scram answers only authenticated clients: ask as its admin.
    ...(process.env.KAFKA_SASL === 'scram'
      ? { sasl: { mechanism: 'scram-sha-512', username: 'admin', password: process.env.KAFKA_ADMIN_PASSWORD || 'interlink-dev-admin' } }
      : {}),
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    return await admin.describeCluster();
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { Kafka, logLevel } = loadKafkajs();
  const started = Date.now();
  const deadline = started + opts.timeout * 1000;
  let lastError = 'no attempt made';
  let attempts = 0;

  for (;;) {
    if (opts.pid !== undefined && !processAlive(opts.pid)) {
      fail(3, `process ${opts.pid} exited before Kafka answered (last error: ${lastError})`);
    }
    attempts++;
    try {
      const cluster = await probe(Kafka, logLevel, opts.brokers, deadline - Date.now());
      if (cluster.brokers.length < opts.expectBrokers) {
        throw new Error(`the cluster lists ${cluster.brokers.length} of ${opts.expectBrokers} brokers`);
      }
      if (!opts.quiet) {
        const brokers = cluster.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(', ');
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        console.log(
          `Kafka answers on ${opts.brokers.join(',')}: cluster ${cluster.clusterId}, ` +
            `controller ${cluster.controller}, brokers [${brokers}] (after ${secs}s, ${attempts} attempt(s))`,
        );
      }
      return;
    } catch (err) {
      lastError = (err && (err.message || String(err))) || 'unknown error';
    }
    if (Date.now() + 500 >= deadline) break;
    await sleep(500);
  }
  fail(1, `Kafka at ${opts.brokers.join(',')} did not answer a metadata request within ${opts.timeout}s ` +
    `(${attempts} attempt(s); last error: ${lastError})`);
}

main().catch((err) => fail(1, (err && err.stack) || String(err)));
