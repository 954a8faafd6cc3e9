import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface TrustedKey {
  agencyId: string;
  keyId: string;
  publicKey: KeyObject;
  /** Events whose `time` is after this are not accepted under this key (it was rotated out). */
  notAfter?: Date;
}

const PUBLIC_SUFFIX = '.pub.pem';
const NOT_AFTER_SUFFIX = '.not-after';

/**
 * The exact public key behind a stored entry, kept apart from the entry so callers cannot change
 * it: a verification cache shared between stores must not vouch for a signature that was checked
 * against another store's key of the same id.
 */
const fingerprints = new WeakMap<TrustedKey, string>();

export function fingerprintOf(entry: TrustedKey): string | undefined {
  return fingerprints.get(entry);
}

/**
 * Public keys an agency trusts, by key id, each bound to the agency that owns it and optionally a
 * validity window (a rotated-out key stays trusted for events sealed before its `notAfter`).
 */
export class TrustStore {
  private readonly entries = new Map<string, TrustedKey>();

  add(entry: TrustedKey): this {
    const { agencyId, keyId, publicKey, notAfter } = entry;
    if (!agencyId || !keyId) throw new Error('A trusted key needs both an agency id and a key id');
    if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'ed25519') {
      throw new Error(`Key ${keyId} of ${agencyId} must be an Ed25519 public key, not a ${publicKey.asymmetricKeyType ?? ''} ${publicKey.type} key`);
    }
    if (notAfter !== undefined && Number.isNaN(notAfter.getTime())) throw new Error(`Key ${keyId} of ${agencyId} has an invalid notAfter date`);
    const fingerprint = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
    const known = this.entries.get(keyId);
    // Re-adding the same key may move its window; a key id silently changing owner or key would
    // let whoever controls the second source speak for the first agency.
    if (known && (known.agencyId !== agencyId || fingerprints.get(known) !== fingerprint)) {
      throw new Error(`Key id ${keyId} is already trusted for ${known.agencyId} with a different public key or agency`);
    }
    const stored: TrustedKey = Object.freeze({ agencyId, keyId, publicKey, ...(notAfter ? { notAfter } : {}) });
    fingerprints.set(stored, fingerprint);
    this.entries.set(keyId, stored);
    return this;
  }

  get(keyId: string): TrustedKey | undefined {
    return this.entries.get(keyId);
  }

  keyIds(): string[] {
    return [...this.entries.keys()].sort();
  }

  /**
   * Loads every `<agencyId>/<keyId>.pub.pem` (and optional `<keyId>.not-after` text file holding an
   * ISO date) below `dir`. Missing dir -> empty store. Names starting with a dot are skipped, which
   * also skips the `..data` folders of Kubernetes secret volumes (their files are reached through
   * symbolic links, hence stat rather than the directory entry's own type).
   */
  static fromDirectory(dir: string): TrustStore {
    const store = new TrustStore();
    let agencies: string[];
    try {
      agencies = readdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw new Error(`Cannot read the trusted keys folder ${dir}: ${(error as Error).message}`);
    }
    for (const agencyId of agencies.sort()) {
      const agencyDir = join(dir, agencyId);
      if (agencyId.startsWith('.') || !statSync(agencyDir).isDirectory()) continue;
      for (const file of readdirSync(agencyDir).sort()) {
        if (file.startsWith('.') || !file.endsWith(PUBLIC_SUFFIX)) continue;
        const keyId = file.slice(0, -PUBLIC_SUFFIX.length);
        const path = join(agencyDir, file);
        let publicKey: KeyObject;
        try {
          publicKey = createPublicKey(readFileSync(path, 'utf8'));
        } catch (error) {
          throw new Error(`Trusted key file ${path} does not hold a PEM public key: ${(error as Error).message}`);
        }
        store.add({ agencyId, keyId, publicKey, ...readNotAfter(join(agencyDir, keyId + NOT_AFTER_SUFFIX)) });
      }
    }
    return store;
  }
}

function readNotAfter(path: string): { notAfter?: Date } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const notAfter = new Date(text);
  if (Number.isNaN(notAfter.getTime())) throw new Error(`${path} must hold an ISO date such as 2025-01-31T12:00:00Z, not ${JSON.stringify(text)}`);
  return { notAfter };
}
