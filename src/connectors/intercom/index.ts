export {
  createIntercomConnector,
  type IntercomConnector,
  type IntercomConnectorOptions,
  type SearchOptions,
} from './connector.ts';
export { mapIntercomError } from './errors.ts';
export {
  rangeQuery as partitionRangeQuery,
  type ContactSearchPage,
  type IntercomPartitionedReading,
  type PartitionCursor,
  type PartitionedContacts,
  type PartitionedOptions,
} from './partition.ts';
export { parseRateLimitHeaders, type RateLimitUsage } from './rate-limit.ts';
export {
  createIntercomPacer,
  createIntercomPacers,
  defaultPacerMargin,
  type IntercomPacer,
  type IntercomPacers,
  type IntercomRateUsage,
  type PacerClock,
  type PacerOptions,
} from './pacer.ts';
export {
  dayOverlapBound,
  SeenFilter,
  updatedSinceQuery,
  type SearchFilter,
  type SearchQuery,
} from './search.ts';
export type {
  ContactInput,
  DataAttributeInput,
  DataAttributeType,
  IntercomAdmin,
  IntercomCompany,
  IntercomContact,
  IntercomDataAttribute,
  IntercomMe,
  IntercomTag,
} from './types.ts';
export { dataAttributeTypes } from './types.ts';
export {
  notificationSchema,
  parseIntercomNotification,
  toUnixSeconds,
  verifyIntercomSignature,
  type IntercomNotification,
} from './webhooks.ts';
export { exchangeIntercomCode, intercomAuthorizationUrl, type IntercomOAuthApp } from './oauth.ts';
