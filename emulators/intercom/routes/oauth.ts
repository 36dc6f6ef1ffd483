// OAuth. The consent screen (app.intercom.com/oauth?client_id=&state=&redirect_uri=) is
// emulated at GET /oauth: it consents at once and redirects to redirect_uri with ?code=&state=.
// Codes also come from the control plane (POST /__emulator/oauth/codes). The exchange, POST
// /auth/eagle/token (form-encoded or JSON): code, client_id and client_secret give
// {token_type: "Bearer", token, access_token}; a bad code answers 401 "Unauthorized Code".
// Neither is in the OpenAPI file.
import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { Emulator } from '../emulator.ts';
import { credentials } from '../emulator.ts';
import { ApiError } from '../errors.ts';

export function mintToken(): string {
  return Buffer.from(`tok:${randomBytes(18).toString('hex')}`).toString('base64');
}

export function oauthRoutes(emulator: Emulator) {
  return [
    {
      method: 'POST' as const,
      path: '/auth/eagle/token',
      handler: ({ body }: { body: unknown }) => {
        const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<
          string,
          unknown
        >;
        if (
          fields['client_id'] !== credentials.clientId ||
          fields['client_secret'] !== credentials.clientSecret
        )
          throw new ApiError(401, 'unauthorized', 'Unauthorized Client');
        const code = typeof fields['code'] === 'string' ? fields['code'] : '';
        if (!emulator.oauthCodes.delete(code))
          throw new ApiError(401, 'unauthorized', 'Unauthorized Code');
        const token = mintToken();
        emulator.ws.extraTokens.add(token);
        return { token_type: 'Bearer', token, access_token: token };
      },
    },
  ];
}

export function mintCode(emulator: Emulator): string {
  const code = randomBytes(12).toString('base64');
  emulator.oauthCodes.add(code);
  return code;
}

/** GET /oauth: the consent screen, consenting at once. */
export function consent(emulator: Emulator, c: Context): Response {
  const clientId = c.req.query('client_id');
  const redirectUri = c.req.query('redirect_uri');
  if (clientId !== credentials.clientId)
    return c.text(`Unknown client_id: use ${credentials.clientId}`, 400);
  if (redirectUri === undefined || !URL.canParse(redirectUri))
    return c.text('redirect_uri is required (the emulator has no registered redirect URLs)', 400);
  const target = new URL(redirectUri);
  target.searchParams.set('code', mintCode(emulator));
  const state = c.req.query('state');
  if (state !== undefined) target.searchParams.set('state', state);
  return c.redirect(target.toString(), 302);
}
