export {
  createSalesforceConnector,
  type PersonObject,
  type QueryOptions,
  type QueryPage,
  type SalesforceConnector,
  type SalesforceConnectorOptions,
  type SalesforceIdentity,
  type SalesforceTokens,
  type SObjectRecord,
  type UpdatedSince,
  type DeletedSince,
  type WritableRecord,
} from './connector.ts';
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
