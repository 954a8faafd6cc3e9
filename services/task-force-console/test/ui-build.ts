import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_UI_DIR, PACKAGE_ROOT } from '../src/config';

const SOURCES = ['ui', 'package.json'];

function newest(file: string): number {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(file).reduce((latest, name) => Math.max(latest, newest(path.join(file, name))), stat.mtimeMs);
}

/**
 * Builds the web page (npm run build:ui: type-check, then Vite) when dist/ui is missing or older
 * than any of its sources, so browser tests always load the page as the sources are now.
 * A lock folder keeps two test files from building at once.
 */
export function ensureUiBuilt(): string {
  const index = path.join(DEFAULT_UI_DIR, 'index.html');
  const lock = path.join(PACKAGE_ROOT, 'dist', '.ui-build.lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 180000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the deadline was left by a killed run.
      if (Date.now() > deadline || Date.now() - statSync(lock).mtimeMs > 180000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    const sourcesChanged = Math.max(...SOURCES.map((s) => newest(path.join(PACKAGE_ROOT, s))));
    if (!existsSync(index) || statSync(index).mtimeMs < sourcesChanged) {
      execFileSync('npm', ['run', '-s', 'build:ui'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
    }
    return DEFAULT_UI_DIR;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
