import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomInt, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SigningKey } from './signing';

const AGENCY_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const PRIVATE_SUFFIX = '.key.pem';
const PUBLIC_SUFFIX = '.pub.pem';
const NOT_AFTER_SUFFIX = '.not-after';
/** Creating a key takes milliseconds; a lock this old was left by a process that died holding it. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 60_000;
const LOCK_POLL_MS = 25;

/**
 * Development keys: `<dir>/<agencyId>/<keyId>.key.pem` (PKCS8 PEM, mode 0600) and
 * `<keyId>.pub.pem` (SPKI PEM). Returns the newest key of the agency (key ids sort by creation
 * time: `<agencyId>:<UTC yyyymmddThhmmss>:<6 hex>`), creating one (and the folders) when there is
 * none.
 *
 * Services of one agency starting together must end up with the same key, so creation happens
 * under a lock folder and re-checks for a key once it holds the lock; files are written to a
 * temporary name and renamed, so a reader never sees half a key.
 */
export function loadOrCreateDevKey(dir: string, agencyId: string): SigningKey {
  const agencyDir = prepareAgencyDir(dir, agencyId);
  const newest = devKeyIds(agencyDir, agencyId).at(-1);
  if (newest) return readDevKey(agencyDir, agencyId, newest);
  return withLock(agencyDir, () => {
    const appeared = devKeyIds(agencyDir, agencyId).at(-1);
    return appeared ? readDevKey(agencyDir, agencyId, appeared) : createDevKey(agencyDir, agencyId, undefined);
  });
}

/**
 * A new key for the agency in `dir` (rotation). The old keys stay for verification, each given a
 * `<keyId>.not-after` of now unless it already has one. The new key is written first, so a crash
 * in between never leaves the agency with only retired keys. Processes still holding an old key
 * must reload it: what they sign from now on is dated after its notAfter.
 */
export function rotateDevKey(dir: string, agencyId: string): SigningKey {
  const agencyDir = prepareAgencyDir(dir, agencyId);
  return withLock(agencyDir, () => {
    const existing = devKeyIds(agencyDir, agencyId);
    const key = createDevKey(agencyDir, agencyId, existing.at(-1));
    const now = new Date().toISOString();
    for (const keyId of existing) {
      const notAfter = join(agencyDir, keyId + NOT_AFTER_SUFFIX);
      if (!existsSync(notAfter)) writeAtomically(notAfter, now + '\n', 0o644);
    }
    return key;
  });
}

/**
 * A production key from a PEM file or a PEM string (from the environment), with its key id.
 * `variable` names the environment variable the string came from, for error messages. A PEM whose
 * line breaks arrive as the two characters `\n` (common when set through an env file) is accepted.
 */
export function loadSigningKey(options: { agencyId: string; keyId: string; pem?: string; file?: string; variable?: string }): SigningKey {
  const { agencyId, keyId, pem, file, variable } = options;
  if (!AGENCY_ID.test(agencyId)) throw new Error(`Signing key ${keyId}: ${JSON.stringify(agencyId)} is not an agency id`);
  if (!keyId || keyId.length > 200 || /\s/.test(keyId)) throw new Error(`The key id for ${agencyId}'s signing key must be 1 to 200 characters without spaces`);
  if ((pem === undefined) === (file === undefined)) {
    throw new Error(`Signing key ${keyId}: give either a PEM string or a PEM file, ${pem === undefined ? 'not neither' : 'not both'}`);
  }
  const source = file !== undefined ? `signing key file ${file}` : variable ? `environment variable ${variable}` : `the PEM given for signing key ${keyId}`;
  let text: string;
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`Cannot read ${source} (key ${keyId} of ${agencyId}): ${(error as Error).message}`);
    }
  } else {
    text = pem as string;
  }
  if (text.trim() === '') throw new Error(`${capitalise(source)} is empty; it should hold the PKCS8 PEM private key of ${keyId}`);
  if (!text.includes('\n')) text = text.replace(/\\n/g, '\n');
  const privateKey = parsePrivateKey(text, `${capitalise(source)} (key ${keyId} of ${agencyId})`);
  return { agencyId, keyId, privateKey, publicKey: createPublicKey(privateKey) };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function parsePrivateKey(pem: string, what: string): KeyObject {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new Error(`${what} does not hold a PEM private key ("-----BEGIN PRIVATE KEY-----"): ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${what} holds a ${privateKey.asymmetricKeyType ?? 'unknown'} key; Interlink signs with Ed25519 (openssl genpkey -algorithm ed25519)`);
  }
  return privateKey;
}

function prepareAgencyDir(dir: string, agencyId: string): string {
  // The agency id becomes a folder name; the pattern keeps it from reaching outside `dir`.
  if (!AGENCY_ID.test(agencyId)) throw new Error(`${JSON.stringify(agencyId)} is not an agency id (lowercase letters, digits and single hyphens)`);
  const agencyDir = join(dir, agencyId);
  mkdirSync(agencyDir, { recursive: true });
  return agencyDir;
}

function keyIdPattern(agencyId: string): RegExp {
  return new RegExp(`^${agencyId}:([0-9]{8}T[0-9]{6}):([0-9a-f]{6})$`);
}

function devKeyIds(agencyDir: string, agencyId: string): string[] {
  const pattern = keyIdPattern(agencyId);
  return readdirSync(agencyDir)
    .filter((file) => file.endsWith(PRIVATE_SUFFIX))
    .map((file) => file.slice(0, -PRIVATE_SUFFIX.length))
    .filter((keyId) => pattern.test(keyId))
    .sort();
}

function readDevKey(agencyDir: string, agencyId: string, keyId: string): SigningKey {
  const path = join(agencyDir, keyId + PRIVATE_SUFFIX);
  const privateKey = parsePrivateKey(readFileSync(path, 'utf8'), `Development key file ${path}`);
  const publicKey = createPublicKey(privateKey);
  const publicPath = join(agencyDir, keyId + PUBLIC_SUFFIX);
  // Verifiers read only the public half; put it back if it went missing.
  if (!existsSync(publicPath)) writeAtomically(publicPath, publicKey.export({ type: 'spki', format: 'pem' }) as string, 0o644);
  return { agencyId, keyId, privateKey, publicKey };
}

function createDevKey(agencyDir: string, agencyId: string, newest: string | undefined): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyId = nextKeyId(agencyId, newest);
  // Public half first: a signer that picks up the new key must not sign before verifiers can find it.
  writeAtomically(join(agencyDir, keyId + PUBLIC_SUFFIX), publicKey.export({ type: 'spki', format: 'pem' }) as string, 0o644);
  writeAtomically(join(agencyDir, keyId + PRIVATE_SUFFIX), privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  return { agencyId, keyId, privateKey, publicKey };
}

/**
 * A key id that sorts after `newest`, even when the clock has not moved on (a rotation within the
 * same second) or went backwards, because "newest" is decided by sorting ids.
 */
function nextKeyId(agencyId: string, newest: string | undefined): string {
  let stamp = formatStamp(new Date());
  let suffix = randomInt(0x1000000);
  const previous = newest ? keyIdPattern(agencyId).exec(newest) : null;
  if (previous) {
    const [, previousStamp, previousHex] = previous;
    if (stamp <= previousStamp) {
      const previousSuffix = parseInt(previousHex, 16);
      if (previousSuffix < 0xffffff) {
        stamp = previousStamp;
        suffix = previousSuffix + 1 + randomInt(0xffffff - previousSuffix);
      } else {
        stamp = formatStamp(new Date(parseStamp(previousStamp) + 1000));
      }
    }
  }
  return `${agencyId}:${stamp}:${suffix.toString(16).padStart(6, '0')}`;
}

function formatStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').slice(0, 15);
}

function parseStamp(stamp: string): number {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(stamp) as RegExpExecArray;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

function writeAtomically(path: string, content: string, mode: number): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temporary);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, path);
  } catch (error) {
    unlinkSync(temporary);
    throw error;
  }
}

/**
 * Runs `action` while holding `<agencyDir>/.lock`, a folder because creating one is atomic on
 * every file system. The API is synchronous (services load their key before they start), so
 * waiting blocks the thread with Atomics.wait rather than spinning.
 */
function withLock<T>(agencyDir: string, action: () => T): T {
  const lock = join(agencyDir, '.lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (isStale(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`Gave up waiting for ${lock}, held by another process creating a key; remove it if no such process is running`);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, LOCK_POLL_MS);
  }
  try {
    return action();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isStale(lock: string): boolean {
  try {
    return Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS;
  } catch {
    // Released between our mkdir and stat: not stale, just try again.
    return false;
  }
}
