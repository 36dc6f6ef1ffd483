// OAuth for `tandem connect`: a one-shot local callback server, PKCE, and the two code exchanges.
// The callback listens on the loopback interface only and accepts exactly one request carrying
// the `state` it was started with; anything else is refused and the wait goes on.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CallbackServer {
  readonly redirectUri: string;
  /** Resolves with the authorization code; rejects on an OAuth error, a timeout or close(). */
  readonly code: Promise<string>;
  close(): Promise<void>;
}

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
}

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body></html>`;

export async function startCallbackServer(options: {
  readonly port: number;
  readonly state: string;
  readonly timeoutMs: number;
}): Promise<CallbackServer> {
  const path = '/oauth/callback';
  let settle: { resolve: (code: string) => void; reject: (error: Error) => void } | undefined;
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  // Callers attach their handler later; an early rejection must not count as unhandled.
  code.catch(() => undefined);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const answer = (status: number, title: string, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
      res.end(page(title, text));
    };
    if (url.pathname !== path) return answer(404, 'Not found', 'This is Tandem’s OAuth callback.');
    if (url.searchParams.get('state') !== options.state)
      return answer(400, 'Unexpected request', 'The state does not match; nothing was done.');
    const error = url.searchParams.get('error');
    if (error) {
      answer(400, 'Not connected', `The authorization was refused: ${error}.`);
      const description = url.searchParams.get('error_description');
      settle?.reject(
        new OAuthError(`authorization refused: ${error}${description ? ` (${description})` : ''}`),
      );
      return;
    }
    const received = url.searchParams.get('code');
    if (!received) return answer(400, 'Unexpected request', 'No authorization code.');
    answer(200, 'Tandem is connected', 'You can close this tab and return to the terminal.');
    settle?.resolve(received);
  };
  const listen = (server: Server, port: number, host: string) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  // The redirect URI says `localhost`, which a browser may resolve to either loopback address:
  // listen on both, never on other interfaces.
  const servers: Server[] = [createServer(handler)];
  await listen(servers[0]!, options.port, '127.0.0.1');
  const { port } = servers[0]!.address() as AddressInfo;
  const ipv6 = createServer(handler);
  try {
    await listen(ipv6, port, '::1');
    servers.push(ipv6);
  } catch {
    // No IPv6 loopback here (or the port is taken on it): 127.0.0.1 alone will do.
  }
  const timer = setTimeout(
    () =>
      settle?.reject(
        new OAuthError(
          `no answer from the browser within ${Math.round(options.timeoutMs / 1000)} s`,
        ),
      ),
    options.timeoutMs,
  );
  return {
    redirectUri: `http://localhost:${port}${path}`,
    code,
    close: async () => {
      clearTimeout(timer);
      settle?.reject(new OAuthError('callback closed'));
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

export const randomState = (): string => randomBytes(24).toString('base64url');

/** RFC 7636: a verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function salesforceAuthorizeUrl(options: {
  readonly loginUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly codeChallenge: string;
}): string {
  const url = new URL('/services/oauth2/authorize', options.loginUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('scope', 'api refresh_token');
  url.searchParams.set('state', options.state);
  url.searchParams.set('code_challenge', options.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

export interface SalesforceCodeTokens {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly instanceUrl: string;
}

async function postForm(url: string, form: Record<string, string>): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new OAuthError(`cannot reach ${new URL(url).origin}: ${(error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const b = (body ?? {}) as { error?: unknown; error_description?: unknown; errors?: unknown };
    const first = Array.isArray(b.errors) ? (b.errors[0] as { message?: unknown }) : undefined;
    const reason =
      typeof b.error === 'string'
        ? `${b.error}${typeof b.error_description === 'string' ? `: ${b.error_description}` : ''}`
        : typeof first?.message === 'string'
          ? first.message
          : `HTTP ${response.status}`;
    throw new OAuthError(`the code exchange was refused (${reason})`);
  }
  return body;
}

/** Exchanges an authorization code at `<loginUrl>/services/oauth2/token`. */
export async function exchangeSalesforceCode(options: {
  readonly loginUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly code: string;
  readonly redirectUri: string;
  readonly codeVerifier: string;
}): Promise<SalesforceCodeTokens> {
  const body = (await postForm(new URL('/services/oauth2/token', options.loginUrl).toString(), {
    grant_type: 'authorization_code',
    code: options.code,
    client_id: options.clientId,
    client_secret: options.clientSecret,
    redirect_uri: options.redirectUri,
    code_verifier: options.codeVerifier,
  })) as { access_token?: unknown; refresh_token?: unknown; instance_url?: unknown };
  if (typeof body.access_token !== 'string' || typeof body.instance_url !== 'string')
    throw new OAuthError('the token answer has no access_token or instance_url');
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
    instanceUrl: body.instance_url,
  };
}

export function intercomAuthorizeUrl(options: {
  readonly authorizeUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
}): string {
  const url = new URL(options.authorizeUrl);
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('state', options.state);
  return url.toString();
}

/** Exchanges an Intercom authorization code at `<baseUrl>/auth/eagle/token` for an access token. */
export async function exchangeIntercomCode(options: {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly code: string;
}): Promise<string> {
  const body = (await postForm(new URL('/auth/eagle/token', options.baseUrl).toString(), {
    code: options.code,
    client_id: options.clientId,
    client_secret: options.clientSecret,
  })) as { access_token?: unknown; token?: unknown };
  const token =
    typeof body.access_token === 'string'
      ? body.access_token
      : typeof body.token === 'string'
        ? body.token
        : undefined;
  if (!token) throw new OAuthError('the token answer has no access_token');
  return token;
}
