import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, localDate } from '../../../contract/common.ts';
import * as c from '../../../contract/timeclock.ts';
import { AppError } from '../../lib/app-error.ts';
import type { TimeclockService } from './timeclock.service.ts';

const read = { access: { area: 'clock', level: 'read' } } as const;
const write = { access: { area: 'clock', level: 'write' } } as const;
const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

export const timeclockRoutes: FastifyPluginAsyncZod<{ timeclock: TimeclockService }> = async (app, { timeclock }) => {
  app.post('/clock-events', {
    schema: {
      tags: ['timeclock'],
      summary:
        'Record a punch. The client makes the id: a replay answers 200 with the original; another body under the same id is 422. ' +
        'A late punch that does not fit yet is kept pending (202) until the punches around it arrive',
      body: c.clockEventCreate,
      response: { 200: c.clockEvent, 201: c.clockEvent, 202: c.clockEvent },
    },
    config: write,
    handler: async (req, reply) => {
      const { created, event } = await timeclock.recordPunch(req.principal, req.body, req.principal.kind === 'api_key' ? 'api' : 'web');
      return reply.status(!created ? 200 : event.state === 'pending' ? 202 : 201).send(event);
    },
  });
  app.post('/clock-events/batch', {
    schema: { tags: ['timeclock'], summary: 'Record up to 1,000 punches from an integration; each is applied on its own', body: c.clockBatch, response: { 200: c.batchResult } },
    config: write,
    handler: (req) => timeclock.batch(req.principal, req.body.events, 'api'),
  });
  app.post('/clock-events/corrections', {
    schema: {
      tags: ['timeclock'],
      summary:
        'Add a missed punch or move one (managers; the original is kept, superseded). A correction that does not fit the timeline is refused (409). ' +
        'A retry with the same id and body answers 200 with the original',
      body: c.clockCorrection,
      response: { 200: c.clockEvent, 201: c.clockEvent },
    },
    config: write,
    handler: async (req, reply) => {
      const { created, event } = await timeclock.recordCorrection(req.principal, req.body);
      return reply.status(created ? 201 : 200).send(event);
    },
  });
  app.get('/clock-events', {
    schema: {
      tags: ['timeclock'],
      summary: "An employee's punches, corrections included",
      querystring: z.object({ employeeId: z.uuid(), from: localDate, to: localDate }),
      response: { 200: z.object({ items: z.array(c.clockEvent) }) },
    },
    config: read,
    handler: (req) => timeclock.listPunches(req.principal, req.query),
  });
  // Multipart parsing only where a file is expected: registered here, its content-type parser and
  // its per-response clean-up hook stay out of every other route.
  await app.register(async (upload) => {
    await upload.register(multipart, { limits: { fileSize: MAX_IMPORT_BYTES, files: 1 } });
    upload.post('/clock-events/import', {
      schema: {
        tags: ['timeclock'],
        summary: 'Import a CSV of punches (multipart: `mapping` JSON field, then `file`); re-importing adds nothing',
        response: { 200: c.importResult },
      },
      config: write,
      handler: async (req) => {
        if (!req.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data with a mapping field and a file');
        let mapping: unknown;
        let text: string | undefined;
        for await (const part of req.parts({ limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 5 } })) {
          if (part.type === 'field' && part.fieldname === 'mapping') {
            try {
              mapping = JSON.parse(String(part.value));
            } catch {
              throw new AppError('VALIDATION_FAILED', 'mapping must be JSON', { field: 'mapping' });
            }
          } else if (part.type === 'file') {
            const buffer = await part.toBuffer();
            if (part.file.truncated) throw new AppError('PAYLOAD_TOO_LARGE', 'The file is larger than 10 MiB');
            text = buffer.toString('utf8');
          }
        }
        const parsed = c.importMapping.safeParse(mapping);
        if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'mapping is not valid', { issues: parsed.error.issues });
        if (text === undefined) throw new AppError('VALIDATION_FAILED', 'No file was sent', { field: 'file' });
        return timeclock.importCsv(req.principal, text, parsed.data);
      },
    });
  });

  app.get('/live', {
    schema: { tags: ['timeclock'], summary: 'Who is on the floor now, against today\'s schedule', querystring: c.liveQuery, response: { 200: c.liveResponse } },
    config: read,
    handler: async (req) => {
      const { at, seq, items, counts } = await timeclock.live(req.principal, req.query);
      return { at, seq, items, counts };
    },
  });

  app.get('/timesheets', {
    schema: { tags: ['timeclock'], summary: 'Worked shifts, overtime and difference from the schedule', querystring: c.timesheetQuery, response: { 200: c.timesheetResponse } },
    config: read,
    handler: async (req) => {
      const { employees: _employees, ...sheet } = await timeclock.timesheets(req.principal, req.query);
      return sheet;
    },
  });
  app.get('/timesheets.csv', {
    schema: { tags: ['timeclock'], summary: 'Payroll export: one row per worked shift', querystring: c.timesheetQuery },
    config: read,
    handler: async (req, reply) => {
      const csv = await timeclock.timesheetsCsv(req.principal, req.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="timesheets-${req.query.from}-${req.query.to}.csv"`)
        .send(csv);
    },
  });
  app.post('/timesheets/locks', {
    schema: { tags: ['timeclock'], summary: 'Approve and lock a period for a location: punches in it are refused afterwards', body: c.timesheetLockCreate, response: { 201: c.timesheetResponse.shape.locks.element } },
    config: write,
    handler: async (req, reply) => reply.status(201).send(await timeclock.lockPeriod(req.principal, req.body)),
  });

  app.put('/employees/:id/pin', {
    schema: { tags: ['timeclock'], summary: 'Set the kiosk PIN of an employee (themselves, or their manager)', params: idParams, body: c.pinSet, response: { 204: z.null() } },
    config: { access: { area: 'clock', level: 'write', users: true } },
    handler: async (req, reply) => {
      await timeclock.setPin(req.principal, req.params.id, req.body.pin);
      return reply.status(204).send(null);
    },
  });
  app.get('/kiosk/people', {
    schema: { tags: ['timeclock'], summary: 'Kiosk: find people at a location by name or badge', querystring: c.kioskPeopleQuery, response: { 200: c.kioskPeople } },
    config: write,
    handler: (req) => timeclock.kioskPeople(req.principal, req.query.locationId, req.query.q),
  });
  app.post('/kiosk/punch', {
    schema: { tags: ['timeclock'], summary: 'Kiosk: a punch confirmed with the person\'s PIN', body: c.kioskPunch, response: { 200: c.clockEvent, 201: c.clockEvent, 202: c.clockEvent } },
    config: write,
    handler: async (req, reply) => {
      const { created, event } = await timeclock.kioskPunch(req.principal, req.body);
      return reply.status(!created ? 200 : event.state === 'pending' ? 202 : 201).send(event);
    },
  });
};
