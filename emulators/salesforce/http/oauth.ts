// /services/oauth2/{authorize,token,revoke,userinfo} and the identity URL /id/<org>/<user>.
import type { Hono } from 'hono';
import type { EmulatorContext } from '../context.ts';
import type { Row } from '../store/table.ts';

function tokenError(status: number, error: string, description: string): Response {
  return new Response(JSON.stringify({ error, error_description: description }), {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8' },
  });
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8' },
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function formParams(req: Request): Promise<URLSearchParams> {
  const text = await req.text();
  const params = new URLSearchParams(new URL(req.url).search);
  for (const [k, v] of new URLSearchParams(text)) params.set(k, v);
  return params;
}

function findUser(ctx: EmulatorContext, username: string): { id: string; row: Row } | undefined {
  const table = ctx.org.table('User');
  const field = table?.type.field('Username');
  if (!table || !field) return undefined;
  const id = table.lookup(field, username)[0];
  const row = id ? table.get(id) : undefined;
  return id && row && row['IsActive'] !== false ? { id, row } : undefined;
}

function adminUserId(ctx: EmulatorContext): string {
  return findUser(ctx, ctx.auth.credentials.username)?.id ?? '';
}

export function identityUrl(ctx: EmulatorContext, userId: string): string {
  return `${ctx.baseUrl}/id/${ctx.org.orgId}/${userId}`;
}

function tokenResponse(
  ctx: EmulatorContext,
  userId: string,
  clientId: string,
  withRefresh: boolean,
  refreshToken?: string,
): Response {
  const { token, session } = ctx.auth.issueAccessToken(userId, clientId);
  const id = identityUrl(ctx, userId);
  const issuedAt = String(session.issuedAt);
  const body: Record<string, string> = { access_token: token };
  if (withRefresh)
    body['refresh_token'] = refreshToken ?? ctx.auth.issueRefreshToken(userId, clientId);
  Object.assign(body, {
    signature: ctx.auth.signature(id, issuedAt),
    scope: 'refresh_token api full',
    instance_url: ctx.baseUrl,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  });
  return json(body);
}

function bearer(ctx: EmulatorContext, req: Request): string | null {
  const header = req.headers.get('authorization') ?? '';
  const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header);
  return m ? (m[1] as string).trim() : new URL(req.url).searchParams.get('oauth_token');
}

export function registerOAuth(app: Hono, ctx: EmulatorContext): void {
  const creds = ctx.auth.credentials;

  app.get('/services/oauth2/authorize', (c) => {
    const q = new URL(c.req.url).searchParams;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    if (clientId !== creds.clientId)
      return c.html('<h1>error=invalid_client_id</h1><p>client identifier invalid</p>', 400);
    if (!/^https?:\/\//.test(redirectUri))
      return c.html(
        '<h1>error=redirect_uri_mismatch</h1><p>redirect_uri must match configuration</p>',
        400,
      );
    if ((q.get('response_type') ?? 'code') !== 'code')
      return c.html('<h1>error=unsupported_response_type</h1>', 400);
    const hidden = ['client_id', 'redirect_uri', 'state', 'scope', 'code_challenge']
      .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(q.get(k) ?? '')}">`)
      .join('');
    return c.html(`<!doctype html><html><head><title>Allow Access? | Tandem Salesforce emulator</title></head>
<body><h1>Allow Access?</h1>
<p><strong>${escapeHtml(clientId)}</strong> is asking to access your data as <strong>${escapeHtml(creds.username)}</strong>.</p>
<form method="post" action="/services/oauth2/authorize">${hidden}
<button type="submit" name="action" value="approve">Allow</button>
<button type="submit" name="action" value="deny">Deny</button></form></body></html>`);
  });

  app.post('/services/oauth2/authorize', async (c) => {
    const p = await formParams(c.req.raw);
    const redirectUri = p.get('redirect_uri') ?? '';
    if (p.get('client_id') !== creds.clientId || !/^https?:\/\//.test(redirectUri))
      return c.html('<h1>error=invalid_client_id</h1>', 400);
    const target = new URL(redirectUri);
    const state = p.get('state');
    if (p.get('action') === 'deny') {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'end-user denied authorization');
    } else {
      const code = ctx.auth.issueCode({
        userId: adminUserId(ctx),
        clientId: creds.clientId,
        redirectUri,
        codeChallenge: p.get('code_challenge') || null,
      });
      target.searchParams.set('code', code);
    }
    if (state) target.searchParams.set('state', state);
    return c.redirect(target.toString(), 302);
  });

  app.post('/services/oauth2/token', async (c) => {
    const p = await formParams(c.req.raw);
    const grant = p.get('grant_type');
    const clientId = p.get('client_id');
    if (clientId !== creds.clientId)
      return tokenError(400, 'invalid_client_id', 'client identifier invalid');
    const secretOk = p.get('client_secret') === creds.clientSecret;
    switch (grant) {
      case 'password': {
        if (!secretOk) return tokenError(400, 'invalid_client', 'invalid client credentials');
        const user = findUser(ctx, p.get('username') ?? '');
        if (!user || p.get('password') !== creds.password)
          return tokenError(400, 'invalid_grant', 'authentication failure');
        return tokenResponse(ctx, user.id, creds.clientId, false);
      }
      case 'refresh_token': {
        const refresh = p.get('refresh_token') ?? '';
        const found = ctx.auth.refreshGrant(refresh);
        if (!found || found.clientId !== clientId)
          return tokenError(400, 'invalid_grant', 'expired access/refresh token');
        if (p.has('client_secret') && !secretOk)
          return tokenError(400, 'invalid_client', 'invalid client credentials');
        return tokenResponse(ctx, found.userId, creds.clientId, false);
      }
      case 'authorization_code': {
        if (!secretOk && !p.has('code_verifier'))
          return tokenError(400, 'invalid_client', 'invalid client credentials');
        const redeemed = ctx.auth.redeemCode(
          p.get('code') ?? '',
          p.get('redirect_uri'),
          p.get('code_verifier'),
        );
        if ('error' in redeemed) return tokenError(400, redeemed.error, redeemed.error_description);
        return tokenResponse(ctx, redeemed.userId, creds.clientId, true);
      }
      case 'client_credentials': {
        if (!secretOk) return tokenError(400, 'invalid_client', 'invalid client credentials');
        return tokenResponse(ctx, adminUserId(ctx), creds.clientId, false);
      }
      default:
        return tokenError(400, 'unsupported_grant_type', 'grant type not supported');
    }
  });

  const revoke = async (req: Request): Promise<Response> => {
    const p = await formParams(req);
    const token = p.get('token') ?? '';
    if (!ctx.auth.revoke(token))
      return tokenError(400, 'unsupported_token_type', 'this token type is not supported');
    return new Response(null, { status: 200 });
  };
  app.post('/services/oauth2/revoke', (c) => revoke(c.req.raw));
  app.get('/services/oauth2/revoke', (c) => revoke(c.req.raw));

  const session = (req: Request): { userId: string } | Response => {
    const token = bearer(ctx, req);
    const s = token ? ctx.auth.verify(token) : null;
    if (!s || s === 'expired')
      return new Response('Bad_OAuth_Token', {
        status: 403,
        headers: { 'content-type': 'text/plain' },
      });
    return s;
  };

  const userinfo = (req: Request): Response => {
    const s = session(req);
    if (s instanceof Response) return s;
    const row = ctx.org.table('User')?.get(s.userId) ?? {};
    return json({
      sub: identityUrl(ctx, s.userId),
      user_id: s.userId,
      organization_id: ctx.org.orgId,
      preferred_username: row['Username'] ?? null,
      nickname: row['CommunityNickname'] ?? null,
      name: row['Name'] ?? null,
      email: row['Email'] ?? null,
      email_verified: true,
      given_name: row['FirstName'] ?? null,
      family_name: row['LastName'] ?? null,
      zoneinfo: row['TimeZoneSidKey'] ?? 'GMT',
      active: row['IsActive'] !== false,
      user_type: 'STANDARD',
      language: row['LanguageLocaleKey'] ?? 'en_US',
      locale: row['LocaleSidKey'] ?? 'en_US',
      utcOffset: 0,
      updated_at: row['LastModifiedDate'] ?? null,
      is_app_installed: true,
      urls: urls(ctx),
    });
  };
  app.get('/services/oauth2/userinfo', (c) => userinfo(c.req.raw));
  app.post('/services/oauth2/userinfo', (c) => userinfo(c.req.raw));

  app.get('/id/:org/:user', (c) => {
    const s = session(c.req.raw);
    if (s instanceof Response) return s;
    const userId = c.req.param('user');
    const row = ctx.org.table('User')?.get(userId);
    if (c.req.param('org') !== ctx.org.orgId || !row)
      return new Response('Bad_Id', { status: 404 });
    return json({
      id: identityUrl(ctx, userId),
      asserted_user: userId === s.userId,
      user_id: userId,
      organization_id: ctx.org.orgId,
      username: row['Username'] ?? null,
      nick_name: row['CommunityNickname'] ?? null,
      display_name: row['Name'] ?? null,
      email: row['Email'] ?? null,
      email_verified: true,
      first_name: row['FirstName'] ?? null,
      last_name: row['LastName'] ?? null,
      timezone: row['TimeZoneSidKey'] ?? 'GMT',
      active: row['IsActive'] !== false,
      user_type: 'STANDARD',
      language: row['LanguageLocaleKey'] ?? 'en_US',
      locale: row['LocaleSidKey'] ?? 'en_US',
      utcOffset: 0,
      last_modified_date: row['LastModifiedDate'] ?? null,
      is_app_installed: true,
      urls: urls(ctx),
    });
  });
}

function urls(ctx: EmulatorContext): Record<string, string> {
  const b = ctx.baseUrl;
  return {
    enterprise: `${b}/services/Soap/c/{version}/${ctx.org.orgId.slice(0, 15)}`,
    partner: `${b}/services/Soap/u/{version}/${ctx.org.orgId.slice(0, 15)}`,
    rest: `${b}/services/data/v{version}/`,
    sobjects: `${b}/services/data/v{version}/sobjects/`,
    search: `${b}/services/data/v{version}/search/`,
    query: `${b}/services/data/v{version}/query/`,
    recent: `${b}/services/data/v{version}/recent/`,
    custom_domain: b,
  };
}
