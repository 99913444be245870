export { createApi, type Api, type ApiDeps } from './app';
