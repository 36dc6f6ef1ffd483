export { createApp, type ServerDeps, type FailedJobView } from './app.ts';
export { createMetrics, type BudgetGauges, type Metrics, type JobCount } from './metrics.ts';
export { errorResponse, type ErrorBody } from './errors.ts';
export {
  intercomContactKey,
  webhookBodyLimit,
  webhookRoutes,
  type WebhookIntake,
} from './webhooks.ts';
export { ledgerRoutes, type LedgerDeps } from './ledger.ts';
export { eventView, failureView, linkView, replayView, timelineView } from './ledger-views.ts';
