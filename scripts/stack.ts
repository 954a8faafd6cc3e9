// `npm start`: the local infrastructure, the agency services, the audit service and the
// task-force console, until Ctrl-C.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const LOG_DIR = path.join(ROOT, 'deploy/local/.data/logs');

export const SERVICES = [
  { role: 'police', port: 3001 },
  { role: 'immigration', port: 3002 },
  { role: 'foreign-ministry', port: 3003 },
  { role: 'audit', port: 3005 },
  { role: 'task-force-console', port: 3004 },
] as const;

export type ServiceRole = (typeof SERVICES)[number]['role'];

export interface RunningStack {
  urls: Record<ServiceRole, string>;
  stop(): Promise<void>;
}

async function healthy(url: string, child: ChildProcess, logFile: string, timeoutMs = 90000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with code ${child.exitCode}; see ${logFile}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not become healthy within ${timeoutMs / 1000} s; see ${logFile}`);
}

async function portFree(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/health`);
    return false;
  } catch {
    return true;
  }
}

/** Starts Kafka and Postgres (deploy/local/up.sh), then each service, and waits until all answer. */
export async function startStack(log: (line: string) => void = console.log): Promise<RunningStack> {
  log('Starting Postgres and Kafka (deploy/local/up.sh)...');
  execFileSync('bash', [path.join(ROOT, 'deploy/local/up.sh')], { stdio: 'inherit' });
  mkdirSync(LOG_DIR, { recursive: true });
  if (!existsSync(path.join(ROOT, 'services/task-force-console/dist/ui/index.html'))) {
    log('Building the task-force console page (npm run build:ui -w @interlink/task-force-console)...');
    execFileSync('npm', ['run', '-s', 'build:ui', '-w', '@interlink/task-force-console'], { cwd: ROOT, stdio: 'inherit' });
  }
  for (const { role, port } of SERVICES) {
    if (!(await portFree(port))) throw new Error(`port ${port} for ${role} is taken: is the stack already running (npm start / npm run demo)?`);
  }
  const children: ChildProcess[] = [];
  const urls = {} as Record<ServiceRole, string>;
  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
  };
  try {
    for (const { role, port } of SERVICES) {
      const logFile = path.join(LOG_DIR, `${role}.log`);
      const out = createWriteStream(logFile, { flags: 'a' });
      const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, `services/${role}/src/main.ts`)], {
        cwd: ROOT,
        env: { ...process.env, PORT: String(port), SWC_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.pipe(out);
      child.stderr!.pipe(out);
      children.push(child);
      urls[role] = `http://127.0.0.1:${port}`;
      log(`Starting ${role} on ${urls[role]} (log: ${path.relative(ROOT, logFile)})`);
    }
    await Promise.all(SERVICES.map(({ role }, i) => healthy(urls[role], children[i], path.join(LOG_DIR, `${role}.log`))));
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls, stop };
}

/** Keeps the stack up until Ctrl-C (or SIGTERM), then stops the services cleanly. */
export function untilInterrupted(stack: RunningStack): Promise<void> {
  return new Promise((resolve) => {
    const shutdown = () => {
      console.log('\nStopping the services (Kafka and Postgres keep running; deploy/local/kafka.sh stop stops the broker)...');
      stack.stop().then(resolve);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}

if (require.main === module) {
  startStack()
    .then(async (stack) => {
      console.log('\nInterlink is running:');
      for (const { role } of SERVICES) console.log(`  ${role.padEnd(18)} ${stack.urls[role]}   API docs: ${stack.urls[role]}/docs`);
      console.log(`\nTask-force console: ${stack.urls['task-force-console']}/ (sign in with: npm run -s token -- --agency task-force --user <you> --roles analyst)`);
      console.log('\nCtrl-C stops it.');
      await untilInterrupted(stack);
    })
    .catch((error: Error) => {
      console.error(`npm start: ${error.message}`);
      process.exit(1);
    });
}
