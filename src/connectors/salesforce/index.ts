export { createSalesforceConnector } from './connector.ts';
export type {
  PersonObject,
  QueryOptions,
  QueryPage,
  SalesforceConnector,
  SalesforceConnectorOptions,
  SalesforceIdentity,
  SalesforceTokens,
  SObjectRecord,
  UpdatedSince,
  DeletedSince,
  WritableRecord,
} from './types.ts';
export {
  bulkJobStates,
  type BulkIngestOperation,
  type BulkIngestResults,
  type BulkJobState,
  type BulkJobStatus,
  type BulkQueryOptions,
  type BulkQueryPosition,
  type BulkWaitOptions,
  type SalesforceBulk,
} from './bulk.ts';
export {
  blankMarker as bulkBlankMarker,
  parseBulkError,
  type BulkFailure,
  type BulkRecord,
  type BulkRowError,
  type BulkSuccess,
} from './bulk-csv.ts';
export { collectionLimit, type Saved, type Upserted } from './collections.ts';
export { mapSalesforceError, mapRecordError } from './errors.ts';
export { parseLimitInfo, usageFromLimits, type ApiUsage, type OrgLimits } from './limits.ts';
export { quote as soqlQuote, name as soqlName, datetime as soqlDatetime } from './soql.ts';
export type {
  ChangeEvent,
  ChangeEventHeader,
  ChangeSubscription,
  SubscribeChangesOptions,
} from './streaming.ts';
export {
  completeSalesforceAuthorization,
  startSalesforceAuthorization,
  type AuthorizationStart,
  type AuthorizedSalesforce,
  type SalesforceOAuthApp,
} from './oauth.ts';
