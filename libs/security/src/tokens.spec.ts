import { generateKeyPairSync } from 'node:crypto';
import { TokenError, VerifiedSignatures, issueToken, verifyToken } from './tokens';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const issuer = { iss: 'interlink-dev-issuer', keyId: 'k1', privateKey };
const trusted = { iss: 'interlink-dev-issuer', keys: new Map([['k1', publicKey]]) };
const claims = { sub: 'insp.rahman', agency: 'police', roles: ['officer' as const] };

describe('tokens', () => {
  it('round-trips the claims', () => {
    expect(verifyToken(issueToken(issuer, claims), trusted)).toMatchObject({ ...claims, iss: 'interlink-dev-issuer' });
  });

  it('refuses expired, tampered, foreign-key, wrong-issuer and non-EdDSA tokens, saying why', () => {
    const past = new Date(Date.now() - 9 * 3600 * 1000);
    expect(() => verifyToken(issueToken(issuer, claims, { now: past }), trusted)).toThrow('the token has expired: get a new one');
    const [h, p, s] = issueToken(issuer, claims).split('.');
    const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['supervisor'] })).toString('base64url');
    expect(() => verifyToken(`${h}.${elevated}.${s}`, trusted)).toThrow('the token signature does not verify');
    expect(() => verifyToken(issueToken({ ...issuer, privateKey: other.privateKey }, claims), trusted)).toThrow('the token signature does not verify');
    expect(() => verifyToken(issueToken({ ...issuer, keyId: 'k9' }, claims), trusted)).toThrow(/key "k9" is not a key of the issuer/);
    expect(() => verifyToken(issueToken({ ...issuer, iss: 'evil' }, claims), trusted)).toThrow(/issued by "evil"/);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    expect(() => verifyToken(none, trusted)).toThrow(/only EdDSA/);
    expect(() => verifyToken('abc', trusted)).toThrow(TokenError);
    expect(() => verifyToken(issueToken(issuer, { ...claims, roles: ['admin' as never] }), trusted)).toThrow(/roles must be among/);
  });

  describe('with verified signatures remembered', () => {
    it('remembers a token whose signature verified, and still checks its claims on each use', () => {
      const verified = new VerifiedSignatures();
      const token = issueToken(issuer, claims, { ttlSeconds: 60 });
      expect(verifyToken(token, trusted, new Date(), verified)).toMatchObject(claims);
      expect(verified.has(token, trusted.keys)).toBe(true);
      expect(verifyToken(token, trusted, new Date(), verified)).toMatchObject(claims);
      // Remembered, yet expired two minutes later.
      expect(() => verifyToken(token, trusted, new Date(Date.now() + 120_000), verified)).toThrow('the token has expired: get a new one');
    });

    it('never remembers a token that did not verify, and a changed byte is another token', () => {
      const verified = new VerifiedSignatures();
      const token = issueToken(issuer, claims);
      verifyToken(token, trusted, new Date(), verified);
      const [h, p, s] = token.split('.');
      const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['supervisor'] })).toString('base64url');
      for (let i = 0; i < 2; i++) expect(() => verifyToken(`${h}.${elevated}.${s}`, trusted, new Date(), verified)).toThrow('the token signature does not verify');
      const forged = issueToken({ ...issuer, privateKey: other.privateKey }, claims);
      expect(() => verifyToken(forged, trusted, new Date(), verified)).toThrow('the token signature does not verify');
      expect(verified.has(forged, trusted.keys)).toBe(false);
      expect(verified.size).toBe(1);
    });

    it('forgets everything when the key set changes: a withdrawn key no longer lets its tokens in', () => {
      const verified = new VerifiedSignatures();
      const token = issueToken(issuer, claims);
      verifyToken(token, trusted, new Date(), verified);
      const withdrawn = { iss: trusted.iss, keys: new Map([['k2', other.publicKey]]) };
      expect(() => verifyToken(token, withdrawn, new Date(), verified)).toThrow(/key "k1" is not a key of the issuer/);
      // Reloaded with the same key in a new set: verified afresh, then remembered for that set.
      const reloaded = { iss: trusted.iss, keys: new Map([['k1', publicKey]]) };
      expect(verified.has(token, reloaded.keys)).toBe(false);
      expect(verifyToken(token, reloaded, new Date(), verified)).toMatchObject(claims);
      expect(verified.has(token, reloaded.keys)).toBe(true);
    });

    it('holds at most its capacity, forgetting the oldest first', () => {
      const verified = new VerifiedSignatures(2);
      const tokens = ['a', 'b', 'c'].map((sub) => issueToken(issuer, { ...claims, sub }));
      for (const token of tokens) verifyToken(token, trusted, new Date(), verified);
      expect(verified.size).toBe(2);
      expect(tokens.map((t) => verified.has(t, trusted.keys))).toEqual([false, true, true]);
    });
  });
});
