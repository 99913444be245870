import type { components, operations } from './generated/openapi';

/**
 * Names for the generated OpenAPI types. Each is derived from its operation's answer, not
 * restated, so a field added to the contract reaches callers with one `npm run generate`.
 */
type JsonOf<Op extends keyof operations, Status extends keyof operations[Op]['responses']> =
  operations[Op]['responses'][Status] extends { content: { 'application/json': infer T } } ? T : never;

export type Schemas = components['schemas'];
export type Priority = Schemas['Priority'];
export type ItemState = Schemas['ItemState'];
export type RequestStatus = Schemas['RequestStatus'];
export type ErrorBody = Schemas['ErrorBody'];
export type RefreshAccepted = JsonOf<'submitRefreshRequest', 202>;
export type RequestView = JsonOf<'getRefreshRequest', 200>;
export type RequestCounts = RequestView['counts'];
export type ItemsPage = JsonOf<'listRefreshRequestItems', 200>;
export type ItemView = ItemsPage['items'][number];
export type BudgetView = JsonOf<'getBudget', 200>;
export type SpendView = JsonOf<'getSpend', 200>;
export type SpendDay = SpendView['days'][number];
export type { components, operations, paths } from './generated/openapi';
