/**
 * Tandem's pure domain core: people-sync settings, type compatibility, mapping validation,
 * matching, link movement and sync planning. No I/O, no clock, no environment.
 */
export * from './candidates.ts';
export * from './compatibility.ts';
export * from './conflict.ts';
export * from './fallbacks.ts';
export * from './hash.ts';
export * from './intercom.ts';
export * from './links.ts';
export * from './matching.ts';
export * from './owner.ts';
export * from './planning.ts';
export * from './salesforce.ts';
export * from './settings.ts';
export * from './threshold.ts';
export * from './validation.ts';
export * from './values.ts';
export * from './budget.ts';
