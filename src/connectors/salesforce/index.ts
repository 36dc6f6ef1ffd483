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
