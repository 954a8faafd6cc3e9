import { KeyObject, sign, verify } from 'node:crypto';

/** What a person may do, carried in their token. */
export const ROLES = ['officer', 'analyst', 'supervisor', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenClaims {
  /** The issuer (identity provider) that vouches for the token. */
  iss: string;
  /** The user. */
  sub: string;
  /** The agency the user works for. */
  agency: string;
  roles: Role[];
  iat: number;
  exp: number;
}

export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT (RFC 7519) signed with Ed25519 (`alg: EdDSA`, RFC 8037). */
export function issueToken(
  issuer: { iss: string; keyId: string; privateKey: KeyObject },
  claims: { sub: string; agency: string; roles: Role[] },
  options: { ttlSeconds?: number; now?: Date } = {},
): string {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const header = b64({ alg: 'EdDSA', typ: 'JWT', kid: issuer.keyId });
  const payload = b64({ iss: issuer.iss, sub: claims.sub, agency: claims.agency, roles: claims.roles, iat, exp: iat + (options.ttlSeconds ?? 8 * 3600) });
  const signature = sign(null, Buffer.from(`${header}.${payload}`), issuer.privateKey).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

const SUB = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const AGENCY = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Tokens whose signatures verified, and under which key set, so that a token presented again (a
 * client sends the same one with every request until it expires) is not verified again: an
 * Ed25519 verification was 6% of the police service's CPU per command. Only the signature is
 * remembered, for exactly these bytes; every claim (expiry included) is checked on each use.
 * A different key set (keys reloaded: one added or withdrawn) starts it afresh. At most
 * `capacity` tokens, the oldest forgotten first.
 */
export class VerifiedSignatures {
  private keys?: Map<string, KeyObject>;
  private readonly tokens = new Set<string>();

  constructor(private readonly capacity = 1024) {}

  /** Whether `token` verified under this very key set. */
  has(token: string, keys: Map<string, KeyObject>): boolean {
    return keys === this.keys && this.tokens.has(token);
  }

  /** Records that `token` verified under `keys`; what was recorded under another key set is forgotten. */
  add(token: string, keys: Map<string, KeyObject>): void {
    if (keys !== this.keys) {
      this.keys = keys;
      this.tokens.clear();
    }
    if (this.capacity <= 0) return;
    if (this.tokens.size >= this.capacity) this.tokens.delete(this.tokens.values().next().value!);
    this.tokens.add(token);
  }

  get size(): number {
    return this.tokens.size;
  }
}

/**
 * Checks a token from `issuer` signed by one of its keys and returns its claims; throws
 * TokenError saying what is wrong. Only EdDSA is accepted, so no token can pick a weaker algorithm.
 * With `verified`, a token whose signature verified before under the same keys is not verified again.
 */
export function verifyToken(
  token: string,
  issuer: { iss: string; keys: Map<string, KeyObject> },
  now: Date = new Date(),
  verified?: VerifiedSignatures,
): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenError('the token is not a JWT (three base64url parts separated by dots)');
  let header: { alg?: unknown; kid?: unknown };
  let claims: Partial<TokenClaims>;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('the token is not a JWT: its header or payload is not base64url JSON');
  }
  if (header.alg !== 'EdDSA') throw new TokenError(`the token is signed with "${String(header.alg)}"; only EdDSA tokens are accepted`);
  const key = typeof header.kid === 'string' ? issuer.keys.get(header.kid) : undefined;
  if (!key) throw new TokenError(`the token's key "${String(header.kid)}" is not a key of the issuer ${issuer.iss}`);
  if (!verified?.has(token, issuer.keys)) {
    if (!verify(null, Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'))) {
      throw new TokenError('the token signature does not verify');
    }
    verified?.add(token, issuer.keys);
  }
  if (claims.iss !== issuer.iss) throw new TokenError(`the token was issued by "${String(claims.iss)}", not by ${issuer.iss}`);
  const seconds = Math.floor(now.getTime() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= seconds) throw new TokenError('the token has expired: get a new one');
  if (typeof claims.iat !== 'number' || claims.iat > seconds + 60) throw new TokenError('the token was issued in the future');
  if (typeof claims.sub !== 'string' || !SUB.test(claims.sub)) throw new TokenError('the token names no valid user (sub)');
  if (typeof claims.agency !== 'string' || !AGENCY.test(claims.agency)) throw new TokenError('the token names no valid agency');
  if (!Array.isArray(claims.roles) || !claims.roles.every((r) => (ROLES as readonly unknown[]).includes(r))) {
    throw new TokenError(`the token's roles must be among ${ROLES.join(', ')}`);
  }
  return claims as TokenClaims;
}
