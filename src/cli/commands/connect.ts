import { spawn } from 'node:child_process';
import { isInteractive } from '../../config/index.ts';
import type { ConnectorError } from '../../connectors/index.ts';
import {
  defaultSalesforceApiVersion,
  explainConnectionError,
  intercomInfoFromMe,
  salesforceCallOptionsClient,
  saveIntercomConnection,
  saveSalesforceConnection,
  verifySalesforce,
  type SalesforceConnectionInfo,
} from '../../sync/connections.ts';
import { databaseOptions, UsageError, type Command, type CommandContext } from '../command.ts';
import {
  exchangeIntercomCode,
  exchangeSalesforceCode,
  intercomAuthorizeUrl,
  OAuthError,
  pkcePair,
  randomState,
  salesforceAuthorizeUrl,
  startCallbackServer,
} from './oauth.ts';
import { authorOf, authorOption, connectorFactories, flagOrEnv, withStore } from './support.ts';

const productionLoginUrl = 'https://login.salesforce.com';
const sandboxLoginUrl = 'https://test.salesforce.com';
const intercomApiUrl = 'https://api.intercom.io';
const intercomOAuthUrl = 'https://app.intercom.com/oauth';

export const connectCommand: Command = {
  name: 'connect',
  summary: 'Connect Tandem to Salesforce or Intercom and store the tokens, encrypted.',
  usage: 'tandem connect salesforce|intercom [options]',
  details: [
    'Salesforce: the OAuth web-server flow through a local callback (open the printed URL, allow',
    'access; the connected app needs http://localhost:PORT/oauth/callback as a callback URL, so',
    'pass --callback-port PORT), or --username/--password for development (the OAuth password',
    'flow). Client id and secret: --client-id/--client-secret or SALESFORCE_CLIENT_ID and',
    'SALESFORCE_CLIENT_SECRET.',
    '',
    'Intercom: --token (or INTERCOM_ACCESS_TOKEN), or OAuth: --code CODE, or --client-id alone for',
    'the browser flow (client secret from --client-secret or INTERCOM_CLIENT_SECRET). The client',
    'secret is also the key of webhook signatures, so give it even with --token.',
    '',
    'Each connection is checked with a real call before anything is stored.',
  ].join('\n'),
  allowPositionals: true,
  options: {
    ...databaseOptions,
    ...authorOption,
    sandbox: { type: 'boolean', describe: 'Salesforce: log in at https://test.salesforce.com' },
    'login-url': {
      type: 'string',
      value: 'URL',
      describe: 'Salesforce: a My Domain or the emulator (default https://login.salesforce.com)',
    },
    'client-id': { type: 'string', value: 'ID', describe: 'OAuth client id (consumer key)' },
    'client-secret': {
      type: 'string',
      value: 'SECRET',
      describe: 'OAuth client secret (consumer secret); Intercom: also signs webhooks',
    },
    username: {
      type: 'string',
      value: 'USER',
      describe: 'Salesforce, development: log in as USER',
    },
    password: {
      type: 'string',
      value: 'PASSWORD',
      describe: 'Salesforce, development: password plus security token (or SALESFORCE_PASSWORD)',
    },
    'api-version': {
      type: 'string',
      value: 'X.Y',
      describe: `Salesforce REST API version (default ${defaultSalesforceApiVersion})`,
    },
    'callback-port': {
      type: 'string',
      value: 'PORT',
      describe: 'port of the local OAuth callback (default: a free one)',
    },
    timeout: {
      type: 'string',
      value: 'SECONDS',
      describe: 'how long to wait for the browser (default 300)',
    },
    'no-browser': { type: 'boolean', describe: 'only print the authorization URL' },
    token: { type: 'string', value: 'TOKEN', describe: 'Intercom access token' },
    code: { type: 'string', value: 'CODE', describe: 'Intercom: an OAuth code to exchange' },
    'base-url': {
      type: 'string',
      value: 'URL',
      describe: `Intercom API (default ${intercomApiUrl}; .eu/.au regions, or the emulator)`,
    },
    'authorize-url': {
      type: 'string',
      value: 'URL',
      describe: `Intercom OAuth page for the browser flow (default ${intercomOAuthUrl})`,
    },
  },
  async run(context) {
    const [system, ...extra] = context.positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (system === 'salesforce') return connectSalesforce(context);
    if (system === 'intercom') return connectIntercom(context);
    throw new UsageError(
      system === undefined
        ? 'say which system to connect: salesforce or intercom'
        : `unknown system "${system}": salesforce or intercom`,
    );
  },
};

function numberFlag(context: CommandContext, flag: string, fallback: number, max: number): number {
  const raw = context.values[flag];
  if (typeof raw !== 'string') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new UsageError(`--${flag} must be a whole number from 0 to ${max}`);
  return value;
}

interface BrowserFlow {
  readonly authorizeUrl: (redirectUri: string, state: string) => string;
}

/** Prints (and on a terminal opens) the authorization URL, then waits for the callback's code. */
async function browserCode(
  context: CommandContext,
  flow: BrowserFlow,
): Promise<{ code: string; redirectUri: string }> {
  const state = randomState();
  const callback = await startCallbackServer({
    port: numberFlag(context, 'callback-port', 0, 65535),
    state,
    timeoutMs: numberFlag(context, 'timeout', 300, 86_400) * 1000,
  });
  try {
    const url = flow.authorizeUrl(callback.redirectUri, state);
    context.out(`Open this URL in a browser and allow access (callback ${callback.redirectUri}):`);
    context.out(url);
    if (!context.values['no-browser'] && isInteractive()) openBrowser(url);
    return { code: await callback.code, redirectUri: callback.redirectUri };
  } finally {
    await callback.close();
  }
}

function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // The URL is printed; a missing opener is no failure.
  }
}

async function connectSalesforce(context: CommandContext): Promise<number> {
  const explicitLogin = context.values['login-url'];
  if (typeof explicitLogin === 'string' && context.values['sandbox'])
    throw new UsageError('give either --sandbox or --login-url, not both');
  const loginUrl = (
    typeof explicitLogin === 'string'
      ? explicitLogin
      : context.values['sandbox']
        ? sandboxLoginUrl
        : productionLoginUrl
  ).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(loginUrl))
    throw new UsageError(`--login-url must be an http(s) URL, not "${loginUrl}"`);
  const clientId = flagOrEnv(context, 'client-id', 'SALESFORCE_CLIENT_ID');
  const clientSecret = flagOrEnv(context, 'client-secret', 'SALESFORCE_CLIENT_SECRET');
  if (!clientId || !clientSecret)
    throw new UsageError(
      'the connected app’s --client-id and --client-secret are required (or SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET)',
    );
  const username = flagOrEnv(context, 'username', 'SALESFORCE_USERNAME');
  const password = flagOrEnv(context, 'password', 'SALESFORCE_PASSWORD');
  if (username && !password)
    throw new UsageError('--username needs --password (or SALESFORCE_PASSWORD)');
  const apiVersion =
    typeof context.values['api-version'] === 'string'
      ? context.values['api-version']
      : defaultSalesforceApiVersion;
  if (!/^\d+\.\d$/.test(apiVersion))
    throw new UsageError(`--api-version must look like ${defaultSalesforceApiVersion}`);

  return withStore(context, async (store) => {
    const common = {
      loginUrl,
      clientId,
      clientSecret,
      apiVersion,
      callOptionsClient: salesforceCallOptionsClient,
    };
    let connector;
    if (username && password) {
      connector = connectorFactories.salesforce({ ...common, username, password });
    } else {
      let tokens;
      try {
        const pkce = pkcePair();
        const { code, redirectUri } = await browserCode(context, {
          authorizeUrl: (redirect, state) =>
            salesforceAuthorizeUrl({
              loginUrl,
              clientId,
              redirectUri: redirect,
              state,
              codeChallenge: pkce.challenge,
            }),
        });
        tokens = await exchangeSalesforceCode({
          loginUrl,
          clientId,
          clientSecret,
          code,
          redirectUri,
          codeVerifier: pkce.verifier,
        });
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        context.err(`tandem connect salesforce: ${error.message}`);
        return 1;
      }
      connector = connectorFactories.salesforce({
        ...common,
        instanceUrl: tokens.instanceUrl,
        accessToken: tokens.accessToken,
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      });
    }
    const verified = await verifySalesforce(connector);
    if (!verified.ok) {
      context.err(`tandem connect salesforce: ${explainConnectFailure(verified.error)}`);
      return 1;
    }
    const { identity } = verified.value;
    const tokens = connector.tokens();
    const info: SalesforceConnectionInfo = {
      loginUrl,
      clientId,
      flow: username ? 'password' : 'web_server',
      username: username ?? null,
      instanceUrl: identity.instanceUrl,
      organizationId: identity.organizationId,
      userId: identity.userId,
      apiVersion,
      connectedAt: new Date().toISOString(),
    };
    await saveSalesforceConnection(
      store,
      info,
      {
        clientSecret,
        ...(tokens ? { tokens } : {}),
        ...(username && password ? { password } : {}),
      },
      authorOf(context),
    );
    context.out(
      `Connected to Salesforce org ${identity.organizationId} at ${identity.instanceUrl} (user ${identity.userId}${username ? `, ${username}, development login` : ''}).`,
    );
    context.out(
      `Checked: Lead describe answered ${verified.value.leadFields} fields. Tokens are stored encrypted.`,
    );
    return 0;
  });
}

function explainConnectFailure(error: ConnectorError): string {
  if (error.code === 'auth_failed')
    return `${error.system === 'salesforce' ? 'Salesforce' : 'Intercom'} refused the credentials (${error.message})`;
  return explainConnectionError(error);
}

async function connectIntercom(context: CommandContext): Promise<number> {
  const baseUrl = (flagOrEnv(context, 'base-url', 'INTERCOM_BASE_URL') ?? intercomApiUrl).replace(
    /\/+$/,
    '',
  );
  if (!/^https?:\/\/[^/]+/.test(baseUrl))
    throw new UsageError(`--base-url must be an http(s) URL, not "${baseUrl}"`);
  const clientSecret = flagOrEnv(context, 'client-secret', 'INTERCOM_CLIENT_SECRET');
  const clientId = flagOrEnv(context, 'client-id', 'INTERCOM_CLIENT_ID');
  let token = flagOrEnv(context, 'token', 'INTERCOM_ACCESS_TOKEN');
  const code = typeof context.values['code'] === 'string' ? context.values['code'] : undefined;
  if (!token && (code !== undefined || clientId !== undefined) && (!clientId || !clientSecret))
    throw new UsageError(
      'the OAuth flow needs --client-id and --client-secret (or INTERCOM_CLIENT_ID and INTERCOM_CLIENT_SECRET)',
    );
  if (!token && !clientId)
    throw new UsageError(
      'give --token (or INTERCOM_ACCESS_TOKEN), or --client-id and --client-secret for OAuth',
    );

  return withStore(context, async (store) => {
    if (!token && clientId && clientSecret) {
      try {
        const authorizationCode =
          code ??
          (
            await browserCode(context, {
              authorizeUrl: (redirectUri, state) =>
                intercomAuthorizeUrl({
                  authorizeUrl:
                    typeof context.values['authorize-url'] === 'string'
                      ? context.values['authorize-url']
                      : intercomOAuthUrl,
                  clientId,
                  redirectUri,
                  state,
                }),
            })
          ).code;
        token = await exchangeIntercomCode({
          baseUrl,
          clientId,
          clientSecret,
          code: authorizationCode,
        });
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        context.err(`tandem connect intercom: ${error.message}`);
        return 1;
      }
    }
    const accessToken = token ?? '';
    const connector = connectorFactories.intercom({ baseUrl, accessToken });
    const me = await connector.me();
    if (!me.ok) {
      context.err(`tandem connect intercom: ${explainConnectFailure(me.error)}`);
      return 1;
    }
    const info = intercomInfoFromMe(
      me.value,
      baseUrl,
      clientSecret !== undefined,
      new Date().toISOString(),
    );
    await saveIntercomConnection(
      store,
      info,
      { accessToken, ...(clientSecret === undefined ? {} : { clientSecret }) },
      authorOf(context),
    );
    context.out(
      `Connected to Intercom workspace ${info.workspaceName ?? info.workspaceId ?? baseUrl} as ${info.adminEmail}. The token is stored encrypted.`,
    );
    if (clientSecret === undefined)
      context.out(
        'No client secret given: webhooks cannot be verified until you connect again with --client-secret.',
      );
    return 0;
  });
}
