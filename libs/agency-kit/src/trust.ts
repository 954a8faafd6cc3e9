import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { EventEnvelope } from '@interlink/contracts';
import { EnvelopeVerifier, KeyDeliveryVerifier } from '@interlink/messaging';
import { SignatureCache, SigningKey, TrustStore, VerifyResult, loadOrCreateDevKey, loadSigningKey, verifyEnvelope, verifyKeyDelivery } from '@interlink/security';
import { SigningSettings } from './config';

export function signingKeyFor(agencyId: string, settings: SigningSettings): SigningKey {
  if (settings.keyFile || settings.keyPem) {
    return loadSigningKey({ agencyId, keyId: settings.keyId!, ...(settings.keyFile ? { file: settings.keyFile } : { pem: settings.keyPem }) });
  }
  return loadOrCreateDevKey(settings.keysDir, agencyId);
}

/** How often the trusted keys may be read again when an event names a key not seen yet. */
const RELOAD_INTERVAL_MS = 5000;

/**
 * Verifies partners' events and key deliveries against the public keys in `trustedKeysDir`. A key
 * id it does not know makes it read the directory again (at most every few seconds), so a
 * partner's new or rotated key is picked up without a restart; the event is parked meanwhile and
 * replays later.
 */
export class PartnerTrust {
  private readonly logger = new Logger('PartnerTrust');
  private store: TrustStore;
  private loadedAt = Date.now();
  private readonly cache = new SignatureCache();

  constructor(private readonly dir: string) {
    this.store = TrustStore.fromDirectory(dir);
  }

  readonly verify: EnvelopeVerifier = (envelope: EventEnvelope, sender: string) =>
    this.check(sender, envelope.keyid, (store) => verifyEnvelope(store, envelope as unknown as Record<string, unknown>, sender, this.cache));

  /** Checks a partner's key delivery (or erasure) the same way: signed by the owner with a key trusted here. */
  readonly verifyKeyDelivery: KeyDeliveryVerifier = (delivery) =>
    this.check(delivery.owner, delivery.keyid, (store) => verifyKeyDelivery(store, { ...delivery, time: delivery.time ?? '' }, delivery));

  private check(sender: string, keyId: string | undefined, run: (store: TrustStore) => VerifyResult): string | undefined {
    let result = run(this.store);
    if (!result.ok && result.failure === 'unknown-key' && (this.published(sender, keyId) || Date.now() - this.loadedAt > RELOAD_INTERVAL_MS)) {
      this.store = TrustStore.fromDirectory(this.dir);
      this.loadedAt = Date.now();
      this.logger.log(`reloaded trusted keys from ${this.dir}: ${this.store.keyIds().length} keys`);
      result = run(this.store);
    }
    return result.ok ? undefined : result.reason;
  }

  /** Whether the sender's public key for `keyId` has appeared in the folder since it was read. */
  private published(sender: string, keyId: string | undefined): boolean {
    if (!keyId || !/^[A-Za-z0-9:._-]{1,200}$/.test(keyId) || keyId.includes('..')) return false;
    return existsSync(join(this.dir, sender, `${keyId}.pub.pem`));
  }
}
