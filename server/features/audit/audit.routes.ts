import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { auditQuery, logEvent } from '../../../contract/audit.ts';
import { page } from '../../../contract/common.ts';
import type { AuditService } from './audit.service.ts';

/** Read-only by design: no route can change or remove an event (and the database refuses it too). */
export const auditRoutes: FastifyPluginAsyncZod<{ audit: AuditService }> = async (app, { audit }) => {
  app.get('/audit', {
    schema: {
      tags: ['audit'],
      summary: 'The audit trail: events of the log, newest first',
      querystring: auditQuery,
      response: { 200: page(logEvent) },
    },
    config: { access: { area: 'audit', level: 'read' } },
    handler: (req) => audit.list(req.principal, req.query),
  });
};
