import { generateKeyPairSync } from 'node:crypto';
import { TokenError, issueToken, verifyToken } from './tokens';

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
});
