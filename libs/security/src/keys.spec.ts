import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainedEvents } from '../test/fixtures';
import { GENESIS_HASH, TrustStore, chainBatch, loadOrCreateDevKey, loadSigningKey, rotateDevKey, signBatch, verifyEnvelope } from './index';

const KEY_ID = /^police:\d{8}T\d{6}:[0-9a-f]{6}$/;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'interlink-keys-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const files = () => readdirSync(join(dir, 'police')).sort();
const verifies = (key: ReturnType<typeof loadOrCreateDevKey>) => {
  const [event] = signBatch(key, chainedEvents(1));
  return verifyEnvelope(TrustStore.fromDirectory(dir), event, 'police').ok;
};

describe('loadOrCreateDevKey', () => {
  describe('given no key yet', () => {
    it('then it creates the folders and one key pair', () => {
      const key = loadOrCreateDevKey(join(dir, 'nested', 'keys'), 'police');
      expect(readdirSync(join(dir, 'nested', 'keys', 'police')).sort()).toEqual([`${key.keyId}.key.pem`, `${key.keyId}.pub.pem`]);
    });
    it('then the key id has the agency, a UTC time and six hex digits', () => expect(loadOrCreateDevKey(dir, 'police').keyId).toMatch(KEY_ID));
    it('then the key id carries the current UTC time', () => {
      const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 11);
      expect(loadOrCreateDevKey(dir, 'police').keyId.split(':')[1].startsWith(stamp)).toBe(true);
    });
    it('then the key belongs to the agency', () => expect(loadOrCreateDevKey(dir, 'police').agencyId).toBe('police'));
    it('then the private key file is readable by its owner only', () => {
      const key = loadOrCreateDevKey(dir, 'police');
      expect(statSync(join(dir, 'police', `${key.keyId}.key.pem`)).mode & 0o777).toBe(0o600);
    });
    it('then the private key file is PKCS8 PEM', () => {
      const key = loadOrCreateDevKey(dir, 'police');
      expect(readFileSync(join(dir, 'police', `${key.keyId}.key.pem`), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    });
    it('then the public key file is SPKI PEM of the same key', () => {
      const key = loadOrCreateDevKey(dir, 'police');
      expect(readFileSync(join(dir, 'police', `${key.keyId}.pub.pem`), 'utf8')).toBe(key.publicKey.export({ type: 'spki', format: 'pem' }));
    });
    it('then it is an Ed25519 key', () => expect(loadOrCreateDevKey(dir, 'police').privateKey.asymmetricKeyType).toBe('ed25519'));
    it('then what it signs verifies against the folder as a trust store', () => expect(verifies(loadOrCreateDevKey(dir, 'police'))).toBe(true));
    it('then no temporary files or lock are left behind', () => {
      loadOrCreateDevKey(dir, 'police');
      expect(files().filter((file) => file.startsWith('.'))).toEqual([]);
    });
  });

  describe('given a key already created', () => {
    it('then it reuses it', () => expect(loadOrCreateDevKey(dir, 'police').keyId).toBe(loadOrCreateDevKey(dir, 'police').keyId));
    it('then it loads the same private key', () => {
      const first = loadOrCreateDevKey(dir, 'police');
      expect(loadOrCreateDevKey(dir, 'police').privateKey.equals(first.privateKey)).toBe(true);
    });
    it('then it creates no second key', () => {
      loadOrCreateDevKey(dir, 'police');
      loadOrCreateDevKey(dir, 'police');
      expect(files()).toHaveLength(2);
    });
    it('then another agency gets its own key', () => {
      const police = loadOrCreateDevKey(dir, 'police');
      expect(loadOrCreateDevKey(dir, 'immigration').keyId).not.toBe(police.keyId);
    });
    it('then a missing public key file is written again', () => {
      const key = loadOrCreateDevKey(dir, 'police');
      rmSync(join(dir, 'police', `${key.keyId}.pub.pem`));
      loadOrCreateDevKey(dir, 'police');
      expect(existsSync(join(dir, 'police', `${key.keyId}.pub.pem`))).toBe(true);
    });
    it('then the newest of several keys is used', () => {
      const older = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      const newer = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      mkdirSync(join(dir, 'police'));
      writeFileSync(join(dir, 'police', 'police:20250101T000000:ffffff.key.pem'), older);
      writeFileSync(join(dir, 'police', 'police:20250102T000000:000000.key.pem'), newer);
      expect(loadOrCreateDevKey(dir, 'police').keyId).toBe('police:20250102T000000:000000');
    });
    it('then a file that is not a key throws naming it', () => {
      mkdirSync(join(dir, 'police'));
      writeFileSync(join(dir, 'police', 'police:20250101T000000:000000.key.pem'), 'garbage');
      expect(() => loadOrCreateDevKey(dir, 'police')).toThrow('police:20250101T000000:000000.key.pem');
    });
  });

  describe('given a lock left by a process that died', () => {
    it('then it takes the lock over and creates the key', () => {
      mkdirSync(join(dir, 'police', '.lock'), { recursive: true });
      const old = new Date(Date.now() - 120_000);
      utimesSync(join(dir, 'police', '.lock'), old, old);
      expect(loadOrCreateDevKey(dir, 'police').keyId).toMatch(KEY_ID);
    });
  });

  describe('given an agency id that is not one', () => {
    it('then a path is refused', () => expect(() => loadOrCreateDevKey(dir, '../etc')).toThrow(/not an agency id/));
    it('then upper case is refused', () => expect(() => loadOrCreateDevKey(dir, 'Police')).toThrow(/not an agency id/));
  });

  describe('given another process creating a key while this one starts', () => {
    it('then it waits for that key and uses it instead of making its own', () => {
      const agencyDir = join(dir, 'police');
      mkdirSync(join(agencyDir, '.lock'), { recursive: true });
      const theirs = 'police:20250101T000000:123456';
      // A plain Node process stands in for the other service: it holds the lock, writes its key
      // and releases the lock while this process is blocked waiting.
      const script = `
        const { generateKeyPairSync } = require('node:crypto');
        const { writeFileSync, rmSync } = require('node:fs');
        const { join } = require('node:path');
        setTimeout(() => {
          const { privateKey } = generateKeyPairSync('ed25519');
          writeFileSync(join(${JSON.stringify(agencyDir)}, ${JSON.stringify(theirs + '.key.pem')}), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
          rmSync(join(${JSON.stringify(agencyDir)}, '.lock'), { recursive: true });
        }, 300);
      `;
      const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
      try {
        expect(loadOrCreateDevKey(dir, 'police').keyId).toBe(theirs);
      } finally {
        child.kill();
      }
    });
  });

  describe('given several processes starting at once', () => {
    it('then they all end up with the same single key', async () => {
      const register = require.resolve('@swc-node/register');
      const startAt = Date.now() + 1500;
      const script = `
        const { loadOrCreateDevKey } = require(${JSON.stringify(join(__dirname, 'keys.ts'))});
        while (Date.now() < ${startAt}) {}
        process.stdout.write(loadOrCreateDevKey(${JSON.stringify(dir)}, 'police').keyId);
      `;
      const run = () =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, ['-r', register, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stdout.on('data', (chunk) => (out += chunk));
          child.stderr.on('data', (chunk) => (err += chunk));
          child.on('error', reject);
          child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
        });
      const keyIds = await Promise.all(Array.from({ length: 6 }, run));
      expect(new Set(keyIds).size).toBe(1);
      expect(files().filter((file) => file.endsWith('.key.pem'))).toEqual([`${keyIds[0]}.key.pem`]);
    });
  });
});

describe('rotateDevKey', () => {
  it('then the new key sorts after the old one, even within the same second', () => {
    const old = loadOrCreateDevKey(dir, 'police');
    expect(rotateDevKey(dir, 'police').keyId > old.keyId).toBe(true);
  });
  it('then the new key is what loadOrCreateDevKey returns from then on', () => {
    loadOrCreateDevKey(dir, 'police');
    const rotated = rotateDevKey(dir, 'police');
    expect(loadOrCreateDevKey(dir, 'police').keyId).toBe(rotated.keyId);
  });
  it('then the old key files stay', () => {
    const old = loadOrCreateDevKey(dir, 'police');
    rotateDevKey(dir, 'police');
    expect(files()).toEqual(expect.arrayContaining([`${old.keyId}.key.pem`, `${old.keyId}.pub.pem`]));
  });
  it('then the old key gets a not-after of now', () => {
    const old = loadOrCreateDevKey(dir, 'police');
    const before = Date.now();
    rotateDevKey(dir, 'police');
    const notAfter = Date.parse(readFileSync(join(dir, 'police', `${old.keyId}.not-after`), 'utf8').trim());
    expect(notAfter >= before && notAfter <= Date.now()).toBe(true);
  });
  it('then the new key has no not-after', () => {
    loadOrCreateDevKey(dir, 'police');
    const key = rotateDevKey(dir, 'police');
    expect(existsSync(join(dir, 'police', `${key.keyId}.not-after`))).toBe(false);
  });
  it('then an earlier not-after is kept', () => {
    const first = loadOrCreateDevKey(dir, 'police');
    rotateDevKey(dir, 'police');
    const written = readFileSync(join(dir, 'police', `${first.keyId}.not-after`), 'utf8');
    rotateDevKey(dir, 'police');
    expect(readFileSync(join(dir, 'police', `${first.keyId}.not-after`), 'utf8')).toBe(written);
  });
  it('then rotating three times gives three keys in order', () => {
    const ids = [loadOrCreateDevKey(dir, 'police'), rotateDevKey(dir, 'police'), rotateDevKey(dir, 'police')].map((key) => key.keyId);
    expect([...ids].sort()).toEqual(ids);
  });
  it('then rotating without a key creates one', () => expect(rotateDevKey(dir, 'police').keyId).toMatch(KEY_ID));

  describe('given events signed before and after a rotation', () => {
    const dated = (time: string, sequence: number) =>
      chainBatch([{ ...chainedEvents(1, sequence)[0], time }], GENESIS_HASH);
    const verify = (event: Record<string, unknown>) => {
      const result = verifyEnvelope(TrustStore.fromDirectory(dir), event, 'police');
      return result.ok ? 'ok' : result.failure;
    };
    it('then events signed with the old key before it still verify', () => {
      const old = loadOrCreateDevKey(dir, 'police');
      const [event] = signBatch(old, dated(new Date(Date.now() - 60_000).toISOString(), 1));
      rotateDevKey(dir, 'police');
      expect(verify(event)).toBe('ok');
    });
    it('then events dated after the rotation with the old key are key-expired', () => {
      const old = loadOrCreateDevKey(dir, 'police');
      rotateDevKey(dir, 'police');
      const [event] = signBatch(old, dated(new Date(Date.now() + 60_000).toISOString(), 2));
      expect(verify(event)).toBe('key-expired');
    });
    it('then events signed with the new key verify', () => {
      loadOrCreateDevKey(dir, 'police');
      const key = rotateDevKey(dir, 'police');
      const [event] = signBatch(key, dated(new Date(Date.now() + 60_000).toISOString(), 3));
      expect(verify(event)).toBe('ok');
    });
  });
});

describe('loadSigningKey', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const options = { agencyId: 'police', keyId: 'police:prod-2025' };

  it('then a PEM string gives the key', () => expect(loadSigningKey({ ...options, pem }).privateKey.equals(privateKey)).toBe(true));
  it('then the key id is the one given', () => expect(loadSigningKey({ ...options, pem }).keyId).toBe('police:prod-2025'));
  it('then the public key is derived', () => expect(loadSigningKey({ ...options, pem }).publicKey.type).toBe('public'));
  it('then a PEM file gives the key', () => {
    writeFileSync(join(dir, 'signing.pem'), pem, { mode: 0o600 });
    expect(loadSigningKey({ ...options, file: join(dir, 'signing.pem') }).privateKey.equals(privateKey)).toBe(true);
  });
  it('then line breaks written as \\n are accepted', () =>
    expect(loadSigningKey({ ...options, pem: pem.trim().replace(/\n/g, '\\n') }).privateKey.equals(privateKey)).toBe(true));
  it('then a missing file throws naming it', () => expect(() => loadSigningKey({ ...options, file: join(dir, 'absent.pem') })).toThrow('absent.pem'));
  it('then garbage throws naming the variable', () =>
    expect(() => loadSigningKey({ ...options, pem: 'garbage', variable: 'POLICE_SIGNING_KEY' })).toThrow(/POLICE_SIGNING_KEY .*does not hold a PEM private key/));
  it('then an empty variable throws naming it', () =>
    expect(() => loadSigningKey({ ...options, pem: '', variable: 'POLICE_SIGNING_KEY' })).toThrow(/POLICE_SIGNING_KEY is empty/));
  it('then a file with an EC key throws saying Ed25519 is needed', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    writeFileSync(join(dir, 'ec.pem'), ec);
    expect(() => loadSigningKey({ ...options, file: join(dir, 'ec.pem') })).toThrow(/ec\.pem.*holds a ec key; Interlink signs with Ed25519/);
  });
  it('then a public key PEM throws', () => {
    const publicPem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(() => loadSigningKey({ ...options, pem: publicPem })).toThrow(/does not hold a PEM private key/);
  });
  it('then neither PEM nor file throws', () => expect(() => loadSigningKey(options)).toThrow(/either a PEM string or a PEM file/));
  it('then both PEM and file throw', () => expect(() => loadSigningKey({ ...options, pem, file: 'x' })).toThrow(/not both/));
  it('then an empty key id throws', () => expect(() => loadSigningKey({ ...options, keyId: '', pem })).toThrow(/key id/));
  it('then an invalid agency id throws', () => expect(() => loadSigningKey({ ...options, agencyId: 'Police!', pem })).toThrow(/not an agency id/));
});
