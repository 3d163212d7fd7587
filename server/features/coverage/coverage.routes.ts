import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as c from '../../../contract/coverage.ts';
import type { CoverageService } from './coverage.service.ts';

export const coverageRoutes: FastifyPluginAsyncZod<{ coverage: CoverageService }> = async (app, { coverage }) => {
  app.get('/coverage/hourly', {
    schema: {
      tags: ['coverage'],
      summary: 'Required, scheduled and staffed headcount per local hour at a location',
      querystring: c.coverageQuery,
      response: { 200: c.coverageResponse },
    },
    config: { access: { area: 'coverage', level: 'read' } },
    handler: (req) => coverage.hourly(req.principal, req.query),
  });
  app.get('/coverage/alerts', {
    schema: {
      tags: ['coverage'],
      summary: 'Understaffing, overtime risk, rest risk and missed clock-outs, each with a sentence to act on',
      querystring: z.object({ locationId: z.uuid() }),
      response: { 200: c.alertsResponse },
    },
    config: { access: { area: 'coverage', level: 'read' } },
    handler: (req) => coverage.alerts(req.principal, req.query),
  });
  app.post('/coverage/rebuild', {
    schema: {
      tags: ['coverage'],
      summary: 'Recompute all coverage from the raw tables (admins, and API keys with coverage:write)',
      response: { 200: z.object({ hours: z.number().int(), locations: z.number().int() }) },
    },
    config: { access: { area: 'coverage', level: 'write' } },
    handler: (req) => coverage.requestRebuild(req.principal),
  });
};
