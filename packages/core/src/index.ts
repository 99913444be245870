export * from './items';
export * from './normalize-url';
export * from './budget-day';
export * from './backoff';
export * from './batching';
export * from './errors';
export * from './tenant-pause';
