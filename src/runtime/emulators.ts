// The emulators (and their demo data generator) load only when one starts: every other
// command, a backfill or a worker included, is spared their memory.

export const emulatorNames = ['salesforce', 'intercom'] as const;
export type EmulatorName = (typeof emulatorNames)[number];

export interface EmulatorSettings {
  readonly port?: number;
  readonly host?: string;
  readonly seed?: string;
  readonly latencyMs?: number;
  readonly stateFile?: string;
  /** Intercom only: calls per minute. */
  readonly rateLimitPerMinute?: number;
}

export interface RunningEmulator {
  readonly name: EmulatorName;
  readonly url: string;
  /** What a person needs to connect to it, as label and value. */
  readonly credentials: readonly (readonly [string, string])[];
  /** The arguments of `tandem connect <name>` that connect Tandem to this emulator. */
  readonly connectArgs: readonly string[];
  close(): Promise<void>;
}

export const defaultEmulatorPorts: Record<EmulatorName, number> = {
  salesforce: 4410,
  intercom: 4420,
};

/** Starts one emulator with settings from the command line. */
export async function startEmulator(
  name: EmulatorName,
  settings: EmulatorSettings,
): Promise<RunningEmulator> {
  const common = {
    port: settings.port ?? defaultEmulatorPorts[name],
    ...(settings.host === undefined ? {} : { host: settings.host }),
    ...(settings.seed === undefined ? {} : { seed: settings.seed }),
    ...(settings.latencyMs === undefined ? {} : { latencyMs: settings.latencyMs }),
    ...(settings.stateFile === undefined ? {} : { stateFile: settings.stateFile }),
  };
  if (name === 'salesforce') {
    const { startSalesforceEmulator } = await import('../../emulators/salesforce/index.ts');
    const emulator = await startSalesforceEmulator(common);
    const c = emulator.credentials;
    return {
      name,
      url: emulator.url,
      credentials: [
        ['login URL', c.loginUrl],
        ['username', c.username],
        ['password', c.password],
        ['OAuth client id', c.clientId],
        ['OAuth client secret', c.clientSecret],
        ['API version', c.apiVersion],
      ],
      connectArgs: [
        '--login-url',
        c.loginUrl,
        '--client-id',
        c.clientId,
        '--client-secret',
        c.clientSecret,
        '--username',
        c.username,
        '--password',
        c.password,
      ],
      close: () => emulator.close(),
    };
  }
  const { startIntercomEmulator } = await import('../../emulators/intercom/index.ts');
  const emulator = await startIntercomEmulator({
    ...common,
    ...(settings.rateLimitPerMinute === undefined
      ? {}
      : { rateLimitPerMinute: settings.rateLimitPerMinute }),
  } as Parameters<typeof startIntercomEmulator>[0]);
  const c = emulator.credentials;
  return {
    name,
    url: emulator.url,
    credentials: [
      ['base URL', emulator.url],
      ['access token', c.accessToken],
      ['app client id', c.clientId],
      ['app client secret (OAuth, webhook signatures)', c.clientSecret],
    ],
    connectArgs: [
      '--base-url',
      emulator.url,
      '--token',
      c.accessToken,
      '--client-secret',
      c.clientSecret,
    ],
    close: () => emulator.close(),
  };
}

/** The lines `tandem emulate` and `tandem demo` print for an emulator. */
export function describeEmulator(emulator: RunningEmulator): string[] {
  const title = emulator.name === 'salesforce' ? 'Salesforce emulator' : 'Intercom emulator';
  const rows = [
    ...emulator.credentials,
    ['control plane', `${emulator.url}/__emulator/`] as const,
    [
      'connect Tandem',
      `tandem connect ${emulator.name} ${emulator.connectArgs.join(' ')}`,
    ] as const,
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `${title} at ${emulator.url}`,
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
  ];
}
