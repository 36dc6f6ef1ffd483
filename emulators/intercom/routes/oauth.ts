// OAuth code exchange, POST /auth/eagle/token (form-encoded or JSON): code, client_id and
// client_secret give {token_type: "Bearer", token, access_token}; a bad code answers 401
// "Unauthorized Code". Codes are minted by the control plane (POST /__emulator/oauth/codes),
// standing in for the consent screen at app.intercom.com/oauth. Not in the OpenAPI file.
import { randomBytes } from 'node:crypto';
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
