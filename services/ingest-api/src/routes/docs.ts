import { dirname } from 'node:path';
import { openApiDocument } from '@refresh/contract';
import express, { Router } from 'express';
import { routeName } from '../ops/metrics';

/** Swagger UI's browser bundle, shipped in the npm package: the page needs no CDN. */
const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

// Absolute asset paths, so /docs and /docs/ both work. The start script is a file rather than
// an inline <script>, so a strict Content-Security-Policy in front of the API does not break it.
const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>VOD refresh service — API</title>
    <link rel="stylesheet" type="text/css" href="/docs/swagger-ui.css">
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="/docs/swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;

// Replaces the package's own initializer, which points at the petstore example.
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
};
`;

/**
 * GET /openapi.json: the contract, built once from the zod schemas that validate requests.
 * GET /docs: Swagger UI browsing that document, served from local files.
 * No auth on either: the document holds no secrets and callers' tooling fetches it.
 */
export function docsRoutes(): Router {
  const router = Router();
  const document = openApiDocument();
  router.get('/openapi.json', routeName('docs'), (_req, res) => {
    res.json(document);
  });
  router.get(['/docs', '/docs/'], routeName('docs'), (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/docs/swagger-initializer.js', routeName('docs'), (_req, res) => {
    res.type('js').send(INITIALIZER);
  });
  router.use('/docs', routeName('docs'), express.static(SWAGGER_UI_DIR, { index: false, fallthrough: true, maxAge: '1h' }));
  return router;
}
