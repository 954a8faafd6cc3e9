import { CanActivate, ExecutionContext, ForbiddenException, HttpException, HttpStatus, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Role, TokenClaims, TokenError, VerifiedSignatures, issuerKeys, verifyToken } from '@interlink/security';
import { RateLimiter } from './rate-limiter';

/** Routes anyone may call: liveness and the API docs. */
export const Public = () => SetMetadata('interlink:public', true);
/** The roles that may call a route (otherwise: commands officers and supervisors, reads also analysts). */
export const Roles = (...roles: Role[]) => SetMetadata('interlink:roles', roles);

export const COMMAND_ROLES: Role[] = ['officer', 'supervisor'];
export const READ_ROLES: Role[] = ['officer', 'analyst', 'supervisor'];

export interface AuthSettings {
  /** The identity provider whose tokens are accepted (AUTH_ISSUER). */
  issuer: string;
  /** Folder of the issuer's public keys (`<key id>.pub.pem`), AUTH_KEYS_DIR. */
  keysDir: string;
  /** Requests per minute per user (RATE_LIMIT_PER_MINUTE), and how many at once (RATE_LIMIT_BURST). */
  ratePerMinute: number;
  rateBurst: number;
}

/** How often the issuer's keys may be read again when a token names one not seen yet. */
const RELOAD_INTERVAL_MS = 5000;

/**
 * Every request carries a bearer token from the configured issuer, for this agency, with a role
 * the route allows: no valid token is 401; another agency's token, or a role that may not, is 403.
 */
@Injectable()
export class AgencyAuthGuard implements CanActivate {
  private keys: Map<string, KeyObject>;
  private loadedAt = 0;
  private readonly limiter: RateLimiter;
  /** Signatures already verified under the keys held: a client's next request with the same token is not verified again. */
  private readonly verified = new VerifiedSignatures();

  constructor(
    private readonly reflector: Reflector,
    private readonly settings: AuthSettings,
    private readonly agencyId: string,
  ) {
    this.keys = issuerKeys(settings.keysDir);
    this.loadedAt = Date.now();
    this.limiter = new RateLimiter(settings.ratePerMinute, settings.rateBurst);
  }

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>('interlink:public', targets)) return true;
    const request = context.switchToHttp().getRequest();
    const header: unknown = request.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) {
      throw new UnauthorizedException('send a bearer token: Authorization: Bearer <token> (npm run token prints one for development)');
    }
    const claims = this.verify(header.slice('Bearer '.length).trim());
    if (claims.agency !== this.agencyId) {
      throw new ForbiddenException(`this service serves ${this.agencyId}; your token is for ${claims.agency}`);
    }
    const allowed = this.reflector.getAllAndOverride<Role[]>('interlink:roles', targets) ?? (request.method === 'GET' ? READ_ROLES : COMMAND_ROLES);
    if (!claims.roles.some((role) => allowed.includes(role))) {
      throw new ForbiddenException(`this needs one of the roles ${allowed.join(', ')}; your token has ${claims.roles.join(', ') || 'none'}`);
    }
    const wait = this.limiter.take(`${claims.iss}/${claims.agency}/${claims.sub}`);
    if (wait > 0) {
      context.switchToHttp().getResponse().setHeader('Retry-After', String(wait));
      throw new HttpException(
        { message: `too many requests: ${this.settings.ratePerMinute} a minute per user; try again in ${wait} s`, error: 'Too Many Requests' },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    request.user = claims;
    return true;
  }

  /** Whether the issuer's public key named by the token has appeared in the folder since it was read. */
  private published(token: string): boolean {
    try {
      const { kid } = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { kid?: unknown };
      return typeof kid === 'string' && !this.keys.has(kid) && /^[A-Za-z0-9:._-]{1,200}$/.test(kid) && !kid.includes('..') && existsSync(join(this.settings.keysDir, `${kid}.pub.pem`));
    } catch {
      return false;
    }
  }

  private verify(token: string): TokenClaims {
    try {
      return verifyToken(token, { iss: this.settings.issuer, keys: this.keys }, new Date(), this.verified);
    } catch (error) {
      if (error instanceof TokenError && /is not a key of the issuer/.test(error.message) && (this.published(token) || Date.now() - this.loadedAt > RELOAD_INTERVAL_MS)) {
        this.keys = issuerKeys(this.settings.keysDir);
        this.loadedAt = Date.now();
        return this.verify(token);
      }
      throw new UnauthorizedException(error instanceof TokenError ? error.message : 'the token cannot be read');
    }
  }
}
