import { decideBudget } from '../../core/index.ts';
import { openSalesforce } from '../../sync/connections.ts';
import { databaseOptions, type Command } from '../command.ts';
import { setup } from '../setup.ts';
import { connectorFactories, withStore } from './support.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show the Salesforce API budget: usage, what is left of Tandem’s share, what is paused.',
  usage: 'tandem status [--json] [options]',
  details: [
    'Asks Salesforce for its /limits (one API call) and applies the budget settings',
    '(TANDEM_SALESFORCE_API_SHARE_PERCENT, TANDEM_BUDGET_PAUSE_BULK_PERCENT,',
    'TANDEM_BUDGET_PAUSE_LIVE_PERCENT) as the running workers do. See docs/budget.md.',
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
      if (context.values['json']) {
        context.out(
          JSON.stringify(
            { usage: { used: usage.used, max: usage.max }, settings: config.budget, ...decision },
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
        ].join('\n'),
      );
      return 0;
    });
  },
};
