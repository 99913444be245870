export { installShutdown, type ShutdownLogger, type ShutdownPlan } from './shutdown';
