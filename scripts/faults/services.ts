// The services under test as child processes (as `npm start` runs them), which the suite can
// SIGKILL, SIGSTOP/SIGCONT and start again with the same configuration.
import { ChildProcess, spawn } from 'node:child_process';
import { WriteStream, createWriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from './config';

export type AgencyRole = 'police' | 'immigration' | 'foreign-ministry';
export type ServiceRole = AgencyRole | 'audit' | 'task-force-console';

/** A loopback port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class ServiceProcess {
  private child?: ChildProcess;
  private log?: WriteStream;
  private exitWaiters: (() => void)[] = [];
  /** Set while the suite has it stopped (SIGSTOP). */
  stopped = false;
  starts = 0;
  readonly url: string;

  constructor(
    readonly role: ServiceRole,
    /** e.g. `foreign-ministry#2` for a second replica. */
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly logFile: string,
    /** Options for Node itself, e.g. `--cpu-prof` (which NODE_OPTIONS may not carry). */
    private readonly nodeArgs: string[] = [],
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.log ??= createWriteStream(this.logFile, { flags: 'a' });
    this.log.write(`\n===== ${new Date().toISOString()} start #${++this.starts} of ${this.name} on port ${this.port} =====\n`);
    const child = spawn(process.execPath, [...this.nodeArgs, '-r', '@swc-node/register', path.join(ROOT, `services/${this.role}/src/main.ts`)], {
      cwd: ROOT,
      env: { ...process.env, SWC_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), NO_COLOR: '1', ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    child.on('exit', (code, signal) => {
      this.log?.write(`===== ${new Date().toISOString()} ${this.name} exited (code ${code}, signal ${signal}) =====\n`);
      const waiters = this.exitWaiters;
      this.exitWaiters = [];
      waiters.forEach((w) => w());
    });
    this.child = child;
    this.stopped = false;
  }

  private exited(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /** SIGKILL and wait until the process is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    const gone = this.exited();
    this.child!.kill('SIGKILL');
    await gone;
  }

  pause(): void {
    this.child?.kill('SIGSTOP');
    this.stopped = true;
  }

  resume(): void {
    this.child?.kill('SIGCONT');
    this.stopped = false;
  }

  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    if (this.stopped) this.resume();
    const gone = this.exited();
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  closeLog(): void {
    this.log?.end();
    this.log = undefined;
  }
}

/** Waits until `GET url` answers 200 (or the process dies, or the time runs out). */
export async function waitHealthy(service: ServiceProcess, pathName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!service.running) throw new Error(`${service.name} exited during start-up; see ${service.logFile}`);
    try {
      const res = await fetch(`${service.url}${pathName}`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${service.name} did not answer 200 on ${pathName} within ${timeoutMs / 1000} s; see ${service.logFile}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
