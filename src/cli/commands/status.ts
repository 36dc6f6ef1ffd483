import { progressOf } from '../../backfill/index.ts';
import { decideBudget } from '../../core/index.ts';
import { defaultPacerMargin, type IntercomRateUsage } from '../../connectors/index.ts';
import { openIntercom, openSalesforce, type ConnectionStore } from '../../sync/connections.ts';
import { databaseOptions, type Command } from '../command.ts';
import { setup } from '../setup.ts';
import { connectorFactories, withStore } from './support.ts';

export const statusCommand: Command = {
  name: 'status',
  summary:
    'Show the Salesforce API budget (usage, what is left of Tandem’s share, what is paused) and Intercom’s rate limit.',
  usage: 'tandem status [--json] [options]',
  details: [
    'Asks Salesforce for its /limits (one API call) and applies the budget settings',
    '(TANDEM_SALESFORCE_API_SHARE_PERCENT, TANDEM_BUDGET_PAUSE_BULK_PERCENT,',
    'TANDEM_BUDGET_PAUSE_LIVE_PERCENT) as the running workers do. When Intercom is connected,',
    'asks it who the token belongs to (one API call) and shows the rate limit its answer reports.',
    'Also shows the latest backfill: its status, phase and records done.',
    'See docs/budget.md.',
  ].join('\n'),
  options: {
    json: { type: 'boolean', describe: 'print the budget as JSON' },
    ...databaseOptions,
  },
  async run(context) {
    const { config } = setup(context);
    return withStore(context, async (store) => {
      const opened = await openSalesforce(store, connectorFactories);
      if (!opened) {
        context.err('Salesforce is not connected: tandem connect salesforce');
        return 1;
      }
      const limits = await opened.connector.limits();
      const usage = opened.connector.usage();
      if (!limits.ok || usage === undefined) {
        context.err(
          `could not read Salesforce's API usage: ${limits.ok ? 'no DailyApiRequests' : limits.error.message}`,
        );
        return 1;
      }
      const decision = decideBudget(usage, config.budget);
      const intercom = await intercomRate(store);
      const [latest] = await store.backfills.list({ limit: 1 });
      const backfill = latest && progressOf(latest);
      if (context.values['json']) {
        context.out(
          JSON.stringify(
            {
              usage: { used: usage.used, max: usage.max },
              settings: config.budget,
              ...decision,
              intercom:
                typeof intercom === 'string'
                  ? { error: intercom }
                  : {
                      limit: intercom.limit,
                      perWindow: intercom.perWindow,
                      windowMs: intercom.windowMs,
                      remaining: intercom.remaining,
                      resetAt: intercom.resetAt,
                    },
              backfill: backfill ?? null,
            },
            null,
            2,
          ),
        );
        return 0;
      }
      const { sharePercent, pauseBulkPercent, pauseLivePercent } = config.budget;
      context.out(
        [
          `Salesforce API: ${usage.used} of ${usage.max} calls used in the last 24 hours`,
          `Tandem's share: ${decision.share} calls (${sharePercent}%), ${decision.remaining} left, ${decision.percentOfShare.toFixed(1)}% used`,
          `Pauses: bulk at ${pauseBulkPercent}%, live at ${pauseLivePercent}%, everything at 100% of the share`,
          `Budget: ${decision.level}; paused: ${decision.paused.length > 0 ? decision.paused.join(', ') : 'nothing'}`,
          typeof intercom === 'string'
            ? `Intercom API: ${intercom}`
            : `Intercom API: ${intercom.perWindow} calls per ${intercom.windowMs / 1000} s (X-RateLimit-Limit ${intercom.limit}), ${intercom.remaining} left in this window; Tandem paces its calls to ${Math.round((1 - defaultPacerMargin) * 100)}% of it`,
          backfill === undefined
            ? 'Backfill: none yet (tandem backfill)'
            : `Backfill: #${backfill.id} ${backfill.status}${backfill.status === 'running' ? ` (${backfill.phase})` : ''}, ${backfill.done.toLocaleString('en-US')}${backfill.total === null ? '' : ` of ${backfill.total.toLocaleString('en-US')}`} records, ${backfill.errors} errors`,
        ].join('\n'),
      );
      return 0;
    });
  },
};

/** Intercom's rate limit from a fresh answer, or why there is none. */
async function intercomRate(store: ConnectionStore): Promise<IntercomRateUsage | string> {
  const opened = await openIntercom(store, connectorFactories);
  if (!opened) return 'not connected (tandem connect intercom)';
  const me = await opened.connector.me();
  const usage = opened.connector.usage();
  if (usage.limit === undefined)
    return me.ok
      ? 'the answer carried no rate-limit headers'
      : `could not read the rate limit: ${me.error.message}`;
  return usage;
}
