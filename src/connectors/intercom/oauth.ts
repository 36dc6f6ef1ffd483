// Intercom OAuth, for `tandem connect intercom` with a public app: the consent URL on
// app.intercom.com, then `POST /auth/eagle/token` (not covered by intercom-client) for the code.
// Intercom access tokens do not expire and come with no refresh token.
import { err, ok, type Result } from '../result.ts';

export interface IntercomOAuthApp {
  readonly clientId: string;
  readonly clientSecret: string;
}

export function intercomAuthorizationUrl(params: {
  readonly clientId: string;
  readonly state: string;
  /** One of the app's registered redirect URLs (Intercom uses the first when absent). */
  readonly redirectUri?: string;
  /** https://app.intercom.com (.eu / .au), or the emulator's URL. */
  readonly appUrl?: string;
}): string {
  const url = new URL('/oauth', params.appUrl ?? 'https://app.intercom.com');
  url.searchParams.set('client_id', params.clientId);
  url.searchParams.set('state', params.state);
  if (params.redirectUri) url.searchParams.set('redirect_uri', params.redirectUri);
  return url.toString();
}

export async function exchangeIntercomCode(
  app: IntercomOAuthApp & { readonly baseUrl: string },
  code: string,
): Promise<Result<{ readonly accessToken: string }>> {
  let response: Response;
  try {
    response = await fetch(new URL('/auth/eagle/token', app.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        code,
        client_id: app.clientId,
        client_secret: app.clientSecret,
      }),
      signal: AbortSignal.timeout(20_000),
    });
  } catch (error) {
    return err({
      system: 'intercom',
      code: 'upstream',
      message: `token exchange failed: ${(error as Error).message}`,
    });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const token =
    body && typeof body === 'object'
      ? ((body as { access_token?: unknown; token?: unknown }).access_token ??
        (body as { token?: unknown }).token)
      : undefined;
  if (response.ok && typeof token === 'string') return ok({ accessToken: token });
  const first = (body as { errors?: { code?: string; message?: string }[] } | undefined)
    ?.errors?.[0];
  const message = first?.message ?? (text.slice(0, 200) || `HTTP ${response.status}`);
  const base = {
    system: 'intercom' as const,
    status: response.status,
    message,
    ...(first?.code ? { upstreamCode: first.code } : {}),
  };
  if (response.status >= 500) return err({ ...base, code: 'upstream' });
  if (response.status === 429) return err({ ...base, code: 'rate_limited', retryAfterMs: 10_000 });
  return err({ ...base, code: 'auth_failed', needsReconnect: true });
}
