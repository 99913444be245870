export { RefreshClient, type RefreshClientOptions, type SubmitOptions, type WaitOptions } from './client';
export * from './errors';
export { progressOf, FINAL_STATES, type Progress } from './progress';
export type { SubmitItems } from './upload';
export type * from './types';
// receivers of completion webhooks check the Refresh-Signature header with these
export { verifyWebhook, WEBHOOK_SIGNATURE_HEADER } from '@refresh/core';
