// OAuth 2.0 as Salesforce runs it: access tokens that expire, refresh tokens (at most five per
// user and connected app; a sixth revokes the oldest), authorization codes for the web-server flow.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export interface Credentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
}

export const defaultCredentials: Credentials = {
  clientId: 'tandem-dev-client',
  clientSecret: 'tandem-dev-secret',
  username: 'admin@tandem.test',
  password: 'tandem-dev-password',
};

export interface Session {
  readonly userId: string;
  readonly clientId: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

interface RefreshGrant {
  readonly userId: string;
  readonly clientId: string;
  readonly issuedAt: number;
}

interface AuthorizationCode {
  readonly userId: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly expiresAt: number;
  readonly codeChallenge: string | null;
}

export type TokenError = { error: string; error_description: string };

export const maxRefreshTokensPerUserAndClient = 5;

export class AuthService {
  readonly credentials: Credentials;
  tokenTtlMs: number;
  readonly #now: () => number;
  readonly #access = new Map<string, Session>();
  readonly #refresh = new Map<string, RefreshGrant>();
  readonly #codes = new Map<string, AuthorizationCode>();
  readonly #orgId: string;

  constructor(options: {
    credentials: Credentials;
    tokenTtlMs: number;
    now: () => number;
    orgId: string;
  }) {
    this.credentials = options.credentials;
    this.tokenTtlMs = options.tokenTtlMs;
    this.#now = options.now;
    this.#orgId = options.orgId;
  }

  /** The session of a bearer token; 'expired' for a known token past its lifetime. */
  verify(token: string): Session | 'expired' | null {
    const session = this.#access.get(token);
    if (!session) return null;
    if (this.#now() >= session.expiresAt) return 'expired';
    return session;
  }

  issueAccessToken(userId: string, clientId: string): { token: string; session: Session } {
    const token = `${this.#orgId.slice(0, 15)}!AQ${randomBytes(36).toString('base64url')}`;
    const issuedAt = this.#now();
    const session = { userId, clientId, issuedAt, expiresAt: issuedAt + this.tokenTtlMs };
    this.#access.set(token, session);
    if (this.#access.size > 10_000) this.#sweep();
    return { token, session };
  }

  issueRefreshToken(userId: string, clientId: string): string {
    const token = `5Aep${randomBytes(48).toString('base64url')}`;
    this.#refresh.set(token, { userId, clientId, issuedAt: this.#now() });
    const mine = [...this.#refresh].filter(
      ([, g]) => g.userId === userId && g.clientId === clientId,
    );
    // Map order is issue order: revoke the oldest beyond the limit.
    for (const [old] of mine.slice(
      0,
      Math.max(0, mine.length - maxRefreshTokensPerUserAndClient),
    )) {
      this.#refresh.delete(old);
    }
    return token;
  }

  refreshGrant(token: string): RefreshGrant | undefined {
    return this.#refresh.get(token);
  }

  issueCode(grant: Omit<AuthorizationCode, 'expiresAt'>): string {
    const code = `aPrx${randomBytes(24).toString('base64url')}`;
    this.#codes.set(code, { ...grant, expiresAt: this.#now() + 15 * 60_000 });
    return code;
  }

  /** Consumes an authorization code (single use); checks redirect URI and PKCE verifier. */
  redeemCode(
    code: string,
    redirectUri: string | null,
    verifier: string | null,
  ): AuthorizationCode | TokenError {
    const grant = this.#codes.get(code);
    this.#codes.delete(code);
    if (!grant || grant.expiresAt <= this.#now())
      return { error: 'invalid_grant', error_description: 'invalid authorization code' };
    if (redirectUri !== null && redirectUri !== grant.redirectUri) {
      return { error: 'invalid_grant', error_description: 'redirect_uri must match configuration' };
    }
    if (grant.codeChallenge !== null) {
      const computed = verifier ? createHash('sha256').update(verifier).digest('base64url') : null;
      if (computed !== grant.codeChallenge)
        return { error: 'invalid_grant', error_description: 'invalid code verifier' };
    }
    return grant;
  }

  revoke(token: string): boolean {
    if (this.#access.delete(token)) return true;
    const grant = this.#refresh.get(token);
    if (!grant) return false;
    this.#refresh.delete(token);
    return true;
  }

  /** Every access token expires now (control plane); refresh tokens stay valid. */
  expireAll(): number {
    const now = this.#now();
    let n = 0;
    for (const [token, session] of this.#access) {
      if (session.expiresAt > now) n++;
      this.#access.set(token, { ...session, expiresAt: now });
    }
    return n;
  }

  signature(identityUrl: string, issuedAt: string): string {
    return createHmac('sha256', this.credentials.clientSecret)
      .update(identityUrl + issuedAt)
      .digest('base64');
  }

  #sweep(): void {
    const now = this.#now();
    // Expired tokens are kept an hour so they still answer INVALID_SESSION_ID, then dropped.
    for (const [token, session] of this.#access)
      if (session.expiresAt + 3_600_000 < now) this.#access.delete(token);
  }
}
