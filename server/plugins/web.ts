import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Serves the built single-page app from dist/web. Any GET that is not an API, socket or docs path and
 * asks for HTML gets index.html, so deep links work; everything else keeps the JSON 404.
 */
export const webPlugin = fp(async (app: FastifyInstance, { root }: { root: string }) => {
  const index = path.join(root, 'index.html');
  if (!fs.existsSync(index)) {
    app.log.warn({ root }, 'web app not built; run `npm run build` (npm start does it for you)');
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: false,
    // Hashed assets never change; index.html must always be fresh.
    setHeaders(reply, file) {
      reply.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  // Re-read when a rebuild replaces it, so a running server never serves asset names that are gone.
  let html = fs.readFileSync(index);
  let htmlMtime = fs.statSync(index).mtimeMs;
  const currentHtml = () => {
    try {
      const mtime = fs.statSync(index).mtimeMs;
      if (mtime !== htmlMtime) [html, htmlMtime] = [fs.readFileSync(index), mtime];
    } catch {
      // mid-rebuild: keep serving the last good page
    }
    return html;
  };
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const url = request.url.split('?')[0]!;
    if (/^\/(api|socket\.io|docs)(\/|$)/.test(url)) {
      return reply.status(404).send({ error: { code: 'ROUTE_NOT_FOUND', message: `No route GET ${url}` } });
    }
    const file = path.join(root, path.normalize(url).replace(/^([/\\])+/, ''));
    if (file.startsWith(root + path.sep) && path.extname(file) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      return reply.sendFile(path.relative(root, file));
    }
    return reply.header('cache-control', 'no-cache').type('text/html').send(currentHtml());
  });
});
