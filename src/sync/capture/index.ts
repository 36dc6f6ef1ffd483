// Change capture (issue 5, point 5): Salesforce CDC, the SystemModstamp poll and the Intercom
// reconciliation sweep turn changes into per-record jobs for the person-sync handlers.
export * from './jobs.ts';
export { checkpointNames, readReplayId } from './checkpoint.ts';
export { captureChangeEvent, isTandemOrigin } from './cdc-event.ts';
export {
  createCdcSubscriber,
  defaultCdcChannels,
  type CdcState,
  type CdcSubscriber,
  type CdcSubscriberOptions,
} from './cdc.ts';
export {
  pollSalesforce,
  type PollCheckpoint,
  type PollOutcome,
  type SalesforcePollDeps,
} from './salesforce-poll.ts';
export {
  sweepIntercom,
  type IntercomSweepDeps,
  type SweepCheckpoint,
  type SweepOutcome,
} from './intercom-sweep.ts';
export { acquireLease, releaseLease, type LeaseValue } from './lease.ts';
export {
  createChangeCapture,
  type CaptureSettings,
  type ChangeCapture,
  type ChangeCaptureOptions,
  type SystemState,
} from './capture.ts';
