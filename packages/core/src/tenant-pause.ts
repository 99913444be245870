/**
 * Why a tenant's sending is paused. A bounded set, so it can label metrics: `none` when the
 * tenant is sending, otherwise the upstream problem that stopped it (rejected credentials, an
 * account problem such as arrears, or VOD's own quota answer).
 */
export const PAUSE_REASONS = ['none', 'credentials', 'account', 'quota'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];
