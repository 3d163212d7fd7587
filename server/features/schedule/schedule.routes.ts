import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, page } from '../../../contract/common.ts';
import * as c from '../../../contract/schedule.ts';
import type { ScheduleService } from './schedule.service.ts';

const read = { access: { area: 'schedule', level: 'read' } } as const;
const write = { access: { area: 'schedule', level: 'write' } } as const;

export const scheduleRoutes: FastifyPluginAsyncZod<{ schedule: ScheduleService }> = async (app, { schedule }) => {
  app.get('/schedule', {
    schema: {
      tags: ['schedule'],
      summary: 'The effective schedule (contracts + approved adjustments) with provenance and labour-rule violations',
      querystring: c.scheduleQuery,
      response: { 200: c.scheduleResponse },
    },
    config: read,
    handler: (req) => schedule.getSchedule(req.principal, req.query),
  });

  app.get('/employees/:id/contracts', {
    schema: { tags: ['schedule'], summary: "An employee's contracts, oldest first", params: idParams, response: { 200: z.object({ items: z.array(c.contract) }) } },
    config: read,
    handler: async (req) => ({ items: await schedule.listContracts(req.principal, req.params.id) }),
  });
  app.put('/employees/:id/contracts', {
    schema: {
      tags: ['schedule'],
      summary: 'Start a new contract: trims the contracts its period overlaps, and only those',
      params: idParams,
      body: c.contractPut,
      response: { 200: c.contract },
    },
    config: write,
    handler: (req) => schedule.putContract(req.principal, req.params.id, req.body),
  });

  app.get('/employees/:id/swap-candidates', {
    schema: {
      tags: ['schedule'],
      summary: 'Colleagues the employee may ask to swap shifts with: active, same department or location',
      params: idParams,
      response: { 200: c.swapCandidates },
    },
    config: read,
    handler: async (req) => ({ items: await schedule.swapCandidates(req.principal, req.params.id) }),
  });

  app.get('/holidays', {
    schema: { tags: ['schedule'], summary: 'Holidays per location', querystring: c.holidayQuery, response: { 200: z.object({ items: z.array(c.holiday) }) } },
    config: read,
    handler: (req) => schedule.listHolidays(req.principal, req.query),
  });
  app.post('/holidays', {
    schema: { tags: ['schedule'], summary: 'Add a holiday: contract shifts starting that day are not worked', body: c.holidayCreate, response: { 201: c.holiday } },
    config: write,
    handler: async (req, reply) => reply.status(201).send(await schedule.createHoliday(req.principal, req.body)),
  });
  app.delete('/holidays/:id', {
    schema: { tags: ['schedule'], summary: 'Remove a holiday', params: idParams, response: { 204: z.null() } },
    config: write,
    handler: async (req, reply) => {
      await schedule.deleteHoliday(req.principal, req.params.id);
      return reply.status(204).send(null);
    },
  });

  app.get('/adjustments', {
    schema: { tags: ['schedule'], summary: 'Adjustment requests, newest first', querystring: c.adjustmentListQuery, response: { 200: page(c.adjustment) } },
    config: read,
    handler: (req) => schedule.listAdjustments(req.principal, req.query),
  });
  app.post('/adjustments', {
    schema: { tags: ['schedule'], summary: 'Request time off, an extra or changed shift, or a swap', body: c.adjustmentCreate, response: { 201: c.adjustment } },
    config: write,
    handler: async (req, reply) => reply.status(201).send(await schedule.requestAdjustment(req.principal, req.body)),
  });
  app.get('/adjustments/:id', {
    schema: { tags: ['schedule'], summary: 'One adjustment', params: idParams, response: { 200: c.adjustment } },
    config: read,
    handler: (req) => schedule.getAdjustment(req.principal, req.params.id),
  });
  app.get('/adjustments/:id/preview', {
    schema: { tags: ['schedule'], summary: 'The schedule before and after approving, and the overlaps it would create', params: idParams, response: { 200: c.adjustmentPreview } },
    config: read,
    handler: (req) => schedule.preview(req.principal, req.params.id),
  });
  const decisionRoute = (verb: 'approve' | 'reject' | 'revoke', summary: string) =>
    app.post(`/adjustments/:id/${verb}`, {
      schema: { tags: ['schedule'], summary, params: idParams, body: c.decision.nullish(), response: { 200: c.adjustment } },
      config: write,
      handler: (req) => schedule[verb](req.principal, req.params.id, req.body?.note),
    });
  decisionRoute('approve', 'Approve a pending request (409 SCHEDULE_CONFLICT if it would make shifts overlap)');
  decisionRoute('reject', 'Reject a pending request');
  decisionRoute('revoke', 'Revoke an approved adjustment');
  app.post('/adjustments/:id/cancel', {
    schema: { tags: ['schedule'], summary: 'Cancel your own pending request', params: idParams, response: { 200: c.adjustment } },
    config: write,
    handler: (req) => schedule.cancel(req.principal, req.params.id),
  });
  app.post('/adjustments/:id/accept', {
    schema: { tags: ['schedule'], summary: 'Accept a swap you were asked to take part in', params: idParams, response: { 200: c.adjustment } },
    config: write,
    handler: (req) => schedule.acceptSwap(req.principal, req.params.id),
  });

  app.get('/locations/:id/labour-rules', {
    schema: { tags: ['schedule'], summary: 'Labour rules of a location', params: idParams, response: { 200: c.labourRules } },
    config: read,
    handler: (req) => schedule.getLabourRules(req.principal, req.params.id),
  });
  app.put('/locations/:id/labour-rules', {
    schema: { tags: ['schedule'], summary: 'Set the labour rules of a location', params: idParams, body: c.labourRules, response: { 200: c.labourRules } },
    config: write,
    handler: (req) => schedule.putLabourRules(req.principal, req.params.id, req.body),
  });
  app.get('/locations/:id/demand', {
    schema: { tags: ['schedule'], summary: 'Required headcount per weekday and local hour, with date overrides', params: idParams, response: { 200: c.demand } },
    config: read,
    handler: (req) => schedule.getDemand(req.principal, req.params.id),
  });
  app.put('/locations/:id/demand', {
    schema: { tags: ['schedule'], summary: 'Replace the demand curve (hours not listed require 0)', params: idParams, body: c.demandPut, response: { 200: c.demand } },
    config: write,
    handler: (req) => schedule.putDemand(req.principal, req.params.id, req.body),
  });

  const calendarUrl = (id: string, token: string) => `/api/v1/employees/${id}/calendar.ics?token=${token}`;
  app.get('/employees/:id/calendar-token', {
    schema: { tags: ['schedule'], summary: "The employee's calendar feed link (created on first use)", params: idParams, response: { 200: c.calendarToken } },
    config: { access: { area: 'schedule', level: 'read', users: true } },
    handler: async (req) => {
      const token = await schedule.calendarToken(req.principal, req.params.id, false);
      return { token, url: calendarUrl(req.params.id, token) };
    },
  });
  app.post('/employees/:id/calendar-token', {
    schema: { tags: ['schedule'], summary: 'Rotate the calendar feed link; the old one stops working', params: idParams, response: { 200: c.calendarToken } },
    config: { access: { area: 'schedule', level: 'write', users: true } },
    handler: async (req) => {
      const token = await schedule.calendarToken(req.principal, req.params.id, true);
      return { token, url: calendarUrl(req.params.id, token) };
    },
  });
  app.get('/employees/:id/calendar.ics', {
    schema: {
      tags: ['schedule'],
      summary: 'iCalendar feed of the employee\'s shifts (authorised by the token in the link)',
      params: idParams,
      querystring: z.object({ token: z.string().min(16).max(128) }),
    },
    config: { access: 'public' },
    handler: async (req, reply) => {
      const body = await schedule.calendarFeed(req.params.id, req.query.token);
      return reply.type('text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300').send(body);
    },
  });
};
