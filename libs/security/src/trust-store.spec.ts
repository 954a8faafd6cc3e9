import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newKey } from '../test/fixtures';
import { TrustStore } from './index';

const pem = (key: ReturnType<typeof newKey>) => key.publicKey.export({ type: 'spki', format: 'pem' }) as string;

describe('TrustStore', () => {
  const police = newKey('police', 'police:1');
  const immigration = newKey('immigration', 'immigration:1');

  describe('given keys added by hand', () => {
    const store = new TrustStore()
      .add({ agencyId: 'police', keyId: 'police:1', publicKey: police.publicKey })
      .add({ agencyId: 'immigration', keyId: 'immigration:1', publicKey: immigration.publicKey, notAfter: new Date('2025-01-01T00:00:00Z') });
    it('then a key is found by its id', () => expect(store.get('police:1')?.publicKey).toBe(police.publicKey));
    it('then the key is bound to its agency', () => expect(store.get('immigration:1')?.agencyId).toBe('immigration'));
    it('then the validity window is kept', () => expect(store.get('immigration:1')?.notAfter?.toISOString()).toBe('2025-01-01T00:00:00.000Z'));
    it('then a key without window has no notAfter', () => expect(store.get('police:1')).not.toHaveProperty('notAfter'));
    it('then an unknown id gives undefined', () => expect(store.get('police:2')).toBeUndefined());
    it('then the key ids are listed sorted', () => expect(store.keyIds()).toEqual(['immigration:1', 'police:1']));
    it('then a stored entry cannot be changed', () => expect(Object.isFrozen(store.get('police:1'))).toBe(true));
  });

  describe('given keys that do not fit', () => {
    it('then a private key is refused', () =>
      expect(() => new TrustStore().add({ agencyId: 'police', keyId: 'k', publicKey: police.privateKey })).toThrow(/Ed25519 public key/));
    it('then an EC key is refused', () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      expect(() => new TrustStore().add({ agencyId: 'police', keyId: 'k', publicKey })).toThrow(/Ed25519/);
    });
    it('then an empty agency id is refused', () => expect(() => new TrustStore().add({ agencyId: '', keyId: 'k', publicKey: police.publicKey })).toThrow());
    it('then an invalid notAfter is refused', () =>
      expect(() => new TrustStore().add({ agencyId: 'police', keyId: 'k', publicKey: police.publicKey, notAfter: new Date('x') })).toThrow(/notAfter/));
    it('then the same key id for another agency is refused', () => {
      const store = new TrustStore().add({ agencyId: 'police', keyId: 'k', publicKey: police.publicKey });
      expect(() => store.add({ agencyId: 'immigration', keyId: 'k', publicKey: police.publicKey })).toThrow(/already trusted for police/);
    });
    it('then the same key id with another key is refused', () => {
      const store = new TrustStore().add({ agencyId: 'police', keyId: 'k', publicKey: police.publicKey });
      expect(() => store.add({ agencyId: 'police', keyId: 'k', publicKey: immigration.publicKey })).toThrow(/already trusted/);
    });
    it('then adding the same key again moves its window', () => {
      const store = new TrustStore().add({ agencyId: 'police', keyId: 'k', publicKey: police.publicKey });
      store.add({ agencyId: 'police', keyId: 'k', publicKey: police.publicKey, notAfter: new Date('2026-01-01') });
      expect(store.get('k')?.notAfter?.getUTCFullYear()).toBe(2026);
    });
  });

  describe('fromDirectory', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'interlink-trust-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const put = (path: string, content: string) => {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content);
    };

    it('then a missing folder gives an empty store', () => expect(TrustStore.fromDirectory(join(dir, 'absent')).keyIds()).toEqual([]));
    it('then an empty folder gives an empty store', () => expect(TrustStore.fromDirectory(dir).keyIds()).toEqual([]));
    it('then every public key below the folder is loaded', () => {
      put('police/police:1.pub.pem', pem(police));
      put('immigration/immigration:1.pub.pem', pem(immigration));
      expect(TrustStore.fromDirectory(dir).keyIds()).toEqual(['immigration:1', 'police:1']);
    });
    it('then a key belongs to the agency of its folder', () => {
      put('police/police:1.pub.pem', pem(police));
      expect(TrustStore.fromDirectory(dir).get('police:1')?.agencyId).toBe('police');
    });
    it('then the loaded key is the one in the file', () => {
      put('police/police:1.pub.pem', pem(police));
      expect(TrustStore.fromDirectory(dir).get('police:1')?.publicKey.equals(police.publicKey)).toBe(true);
    });
    it('then a not-after file sets the window', () => {
      put('police/police:1.pub.pem', pem(police));
      put('police/police:1.not-after', '2025-02-03T04:05:06Z\n');
      expect(TrustStore.fromDirectory(dir).get('police:1')?.notAfter?.toISOString()).toBe('2025-02-03T04:05:06.000Z');
    });
    it('then a not-after file that is not a date throws naming the file', () => {
      put('police/police:1.pub.pem', pem(police));
      put('police/police:1.not-after', 'tomorrow');
      expect(() => TrustStore.fromDirectory(dir)).toThrow('police:1.not-after');
    });
    it('then a public key file that is not a key throws naming the file', () => {
      put('police/police:1.pub.pem', 'garbage');
      expect(() => TrustStore.fromDirectory(dir)).toThrow('police:1.pub.pem');
    });
    it('then private keys and other files are ignored', () => {
      put('police/police:1.pub.pem', pem(police));
      put('police/police:1.key.pem', police.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
      put('police/README', 'x');
      put('notes.txt', 'x');
      expect(TrustStore.fromDirectory(dir).keyIds()).toEqual(['police:1']);
    });
    it('then dot folders are skipped', () => {
      put('..data/police/police:9.pub.pem', pem(police));
      put('police/.police:8.pub.pem', pem(police));
      expect(TrustStore.fromDirectory(dir).keyIds()).toEqual([]);
    });
  });
});
