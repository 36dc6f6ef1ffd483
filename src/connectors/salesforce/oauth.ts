// The OAuth web-server flow (authorization code with PKCE), for `tandem connect salesforce`:
// build the consent URL, then exchange the code the callback receives for tokens.
// jsforce's OAuth2 keeps the PKCE verifier on the instance that made the URL; the CLI may answer
// the callback from another one, so the verifier is returned and passed back explicitly.
import jsforce from 'jsforce';
import { err, ok, type Result } from '../result.ts';
import { mapSalesforceError } from './errors.ts';
import type { SalesforceTokens } from './types.ts';

export interface SalesforceOAuthApp {
  /** https://login.salesforce.com, https://test.salesforce.com (sandbox), a My Domain, or the emulator. */
  readonly loginUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The local callback registered on the connected app. */
  readonly redirectUri: string;
}

export interface AuthorizationStart {
  readonly url: string;
  /** Keep until the callback: `completeSalesforceAuthorization` needs it. */
  readonly codeVerifier: string;
}

export function startSalesforceAuthorization(
  app: SalesforceOAuthApp,
  params: { readonly state: string; readonly scope?: string },
): AuthorizationStart {
  const oauth2 = new jsforce.OAuth2({ ...app, useVerifier: true });
  const url = oauth2.getAuthorizationUrl({
    state: params.state,
    scope: params.scope ?? 'api refresh_token',
  });
  if (!oauth2.codeVerifier) throw new Error('jsforce made no PKCE verifier');
  return { url, codeVerifier: oauth2.codeVerifier };
}

export interface AuthorizedSalesforce extends SalesforceTokens {
  readonly refreshToken: string;
  readonly userId: string;
  readonly organizationId: string;
}

export async function completeSalesforceAuthorization(
  app: SalesforceOAuthApp,
  code: string,
  codeVerifier: string,
): Promise<Result<AuthorizedSalesforce>> {
  const oauth2 = new jsforce.OAuth2({ ...app, useVerifier: true });
  oauth2.codeVerifier = codeVerifier;
  try {
    const token = await oauth2.requestToken(code);
    // The identity URL ends in /<orgId>/<userId>.
    const [organizationId = '', userId = ''] = new URL(token.id).pathname.split('/').slice(-2);
    if (!token.refresh_token)
      return err({
        system: 'salesforce',
        code: 'permission',
        message:
          'Salesforce issued no refresh token: add the "refresh_token, offline_access" scope to the connected app',
      });
    return ok({
      accessToken: token.access_token,
      instanceUrl: token.instance_url,
      refreshToken: token.refresh_token,
      userId,
      organizationId,
    });
  } catch (error) {
    const mapped = mapSalesforceError(error, undefined);
    if (!mapped) throw error;
    return err(mapped);
  }
}
