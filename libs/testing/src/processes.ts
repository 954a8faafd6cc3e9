import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export interface Fixture {
  child: ChildProcess;
  /** Resolves when the process ends, with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  kill(signal?: NodeJS.Signals): void;
}

const root = path.resolve(__dirname, '../../..');

/** Runs one of `processes/*.process.ts` in a child Node process (TypeScript through swc). */
export function spawnFixture(name: 'relay' | 'consumer', env: Record<string, string>): Fixture {
  return spawnTs(path.join(__dirname, 'processes', `${name}.process.ts`), env);
}

/** Runs an agency service's `main.ts` in a child Node process, as `npm start` would. */
export function spawnService(role: 'police' | 'immigration' | 'foreign-ministry', env: Record<string, string>): Fixture {
  return spawnTs(path.join(root, 'services', role, 'src', 'main.ts'), env);
}

function spawnTs(script: string, env: Record<string, string>): Fixture {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', script], {
    cwd: root,
    env: { ...process.env, SWC_NODE_PROJECT: path.join(root, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => output, kill: (signal = 'SIGTERM') => child.kill(signal) };
}

/** Runs a TypeScript command-line program to completion and returns what it printed. */
export function runTs(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', script, ...args], {
      cwd: root,
      env: { ...process.env, SWC_NODE_PROJECT: path.join(root, 'tsconfig.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

