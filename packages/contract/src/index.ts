export * from './common';
export * from './refresh-requests';
export * from './budget';
export * from './drop-in';
export * from './health';
export * from './docs';
export * from './admin';
export { openApiDocument, type OpenApiDocument } from './document';
export * from './spend';
