import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams, page } from '../../../contract/common.ts';
import * as c from '../../../contract/org.ts';
import type { OrgService } from './org.service.ts';

const read = { access: { area: 'org', level: 'read' } } as const;
const write = { access: { area: 'org', level: 'write' } } as const;

export const orgRoutes: FastifyPluginAsyncZod<{ org: OrgService }> = async (app, { org }) => {
  // Locations
  app.get('/locations', {
    schema: { tags: ['org'], summary: 'List locations', querystring: c.listQuery, response: { 200: page(c.location) } },
    config: read,
    handler: (req) => org.listLocations(req.principal, req.query),
  });
  app.get('/locations/:id', {
    schema: { tags: ['org'], summary: 'Get a location', params: idParams, response: { 200: c.location } },
    config: read,
    handler: (req) => org.getLocation(req.principal, req.params.id),
  });
  app.post('/locations', {
    schema: { tags: ['org'], summary: 'Create a location', body: c.locationCreate, response: { 201: c.location } },
    config: write,
    handler: async (req, reply) => reply.status(201).send(await org.createLocation(req.principal, req.body)),
  });
  app.patch('/locations/:id', {
    schema: { tags: ['org'], summary: 'Update a location', params: idParams, body: c.locationUpdate, response: { 200: c.location } },
    config: write,
    handler: (req) => org.updateLocation(req.principal, req.params.id, req.body),
  });
  app.delete('/locations/:id', {
    schema: { tags: ['org'], summary: 'Deactivate a location (kept for history)', params: idParams, response: { 200: c.location } },
    config: write,
    handler: (req) => org.deactivateLocation(req.principal, req.params.id),
  });

  // Departments
  app.get('/departments', {
    schema: { tags: ['org'], summary: 'List departments', querystring: c.departmentListQuery, response: { 200: page(c.department) } },
    config: read,
    handler: (req) => org.listDepartments(req.principal, req.query),
  });
  app.get('/departments/:id', {
    schema: { tags: ['org'], summary: 'Get a department', params: idParams, response: { 200: c.department } },
    config: read,
    handler: (req) => org.getDepartment(req.principal, req.params.id),
  });
  app.post('/departments', {
    schema: { tags: ['org'], summary: 'Create a department', body: c.departmentCreate, response: { 201: c.department } },
    config: write,
    handler: async (req, reply) => reply.status(201).send(await org.createDepartment(req.principal, req.body)),
  });
  app.patch('/departments/:id', {
    schema: { tags: ['org'], summary: 'Update a department', params: idParams, body: c.departmentUpdate, response: { 200: c.department } },
    config: write,
    handler: (req) => org.updateDepartment(req.principal, req.params.id, req.body),
  });
  app.delete('/departments/:id', {
    schema: { tags: ['org'], summary: 'Deactivate a department', params: idParams, response: { 200: c.department } },
    config: write,
    handler: (req) => org.deactivateDepartment(req.principal, req.params.id),
  });

  // Employees
  app.get('/employees', {
    schema: { tags: ['org'], summary: 'List employees (search with q)', querystring: c.employeeListQuery, response: { 200: page(c.employee) } },
    config: read,
    handler: (req) => org.listEmployees(req.principal, req.query),
  });
  app.get('/employees/:id', {
    schema: { tags: ['org'], summary: 'Get an employee', params: idParams, response: { 200: c.employee } },
    config: read,
    handler: (req) => org.getEmployee(req.principal, req.params.id),
  });
  app.post('/employees', {
    schema: { tags: ['org'], summary: 'Create an employee', body: c.employeeCreate, response: { 201: c.employee } },
    config: write,
    handler: async (req, reply) => reply.status(201).send(await org.createEmployee(req.principal, req.body)),
  });
  app.patch('/employees/:id', {
    schema: { tags: ['org'], summary: 'Update an employee', params: idParams, body: c.employeeUpdate, response: { 200: c.employee } },
    config: write,
    handler: (req) => org.updateEmployee(req.principal, req.params.id, req.body),
  });
  app.delete('/employees/:id', {
    schema: { tags: ['org'], summary: 'Deactivate an employee', params: idParams, response: { 200: c.employee } },
    config: write,
    handler: (req) => org.deactivateEmployee(req.principal, req.params.id),
  });

  app.get('/org/headcount', {
    schema: {
      tags: ['org'],
      summary: 'Active headcount per location and department (managers: their scope)',
      response: { 200: c.headcountResponse },
    },
    config: read,
    handler: (req) => org.headcount(req.principal),
  });

  // Users (log-in accounts): people only, never API keys, since they grant roles.
  const usersRead = { access: { area: 'org', level: 'read', users: true } } as const;
  const usersWrite = { access: { area: 'org', level: 'write', users: true } } as const;
  app.get('/users', {
    schema: { tags: ['org'], summary: 'List log-in users', querystring: c.userListQuery, response: { 200: page(c.user) } },
    config: usersRead,
    handler: (req) => org.listUsers(req.principal, req.query),
  });
  app.get('/users/:id', {
    schema: { tags: ['org'], summary: 'Get a user', params: idParams, response: { 200: c.user } },
    config: usersRead,
    handler: (req) => org.getUser(req.principal, req.params.id),
  });
  app.post('/users', {
    schema: { tags: ['org'], summary: 'Create a log-in user', body: c.userCreate, response: { 201: c.user } },
    config: usersWrite,
    handler: async (req, reply) => reply.status(201).send(await org.createUser(req.principal, req.body)),
  });
  app.patch('/users/:id', {
    schema: { tags: ['org'], summary: 'Update a user (a new password ends their sessions)', params: idParams, body: c.userUpdate, response: { 200: c.user } },
    config: usersWrite,
    handler: (req) => org.updateUser(req.principal, req.params.id, req.body),
  });
  app.delete('/users/:id', {
    schema: { tags: ['org'], summary: 'Deactivate a user: ends their sessions and closes their sockets', params: idParams, response: { 200: c.user } },
    config: usersWrite,
    handler: (req) => org.deactivateUser(req.principal, req.params.id),
  });
};
