import { KeyObject, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateDevKey } from './keys';

/** The development identity provider: its key lives with the agencies' development keys. */
export const DEV_ISSUER = 'interlink-dev-issuer';
export const DEV_ISSUER_FOLDER = 'token-issuer';

/** The development issuer's signing key (created on first use) in `keysDir/token-issuer`. */
export function devIssuer(keysDir: string): { iss: string; keyId: string; privateKey: KeyObject } {
  const key = loadOrCreateDevKey(keysDir, DEV_ISSUER_FOLDER);
  return { iss: DEV_ISSUER, keyId: key.keyId, privateKey: key.privateKey };
}

/** The public keys of an issuer, by key id, from the `.pub.pem` files in `dir`. */
export function issuerKeys(dir: string): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  if (!existsSync(dir)) return keys;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pub.pem'))) {
    keys.set(file.slice(0, -'.pub.pem'.length), createPublicKey(readFileSync(join(dir, file), 'utf8')));
  }
  return keys;
}
