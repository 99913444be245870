export { createSimulator, type Simulator } from './app';
export {
  simulatorConfigSchema,
  type Faults,
  type IamUser,
  type QuotaError,
  type ScriptedAnswer,
  type SimProject,
  type SimulatorConfig,
  type SimulatorOptions,
} from './options';
export type { RefreshKind } from './refresh-body';
export { playbackUrls } from './catalogue';
export type { AcceptedCall, Arrival, IamLogin } from './state';
export { seededRandom } from './prng';
