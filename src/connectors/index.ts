// Tandem's connectors: the official SDKs behind small interfaces that answer Results.
export * from './result.ts';
export * from './salesforce/index.ts';
export * from './intercom/index.ts';
