import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { page } from '../../contract/common.ts';
import * as org from '../../contract/org.ts';
import { responseSerializerCompiler } from './response-serializer.ts';

const compile = (schema: z.ZodType, checkWithZod: boolean) =>
  responseSerializerCompiler({ checkWithZod })({ schema, method: 'GET', url: '/test', httpStatus: '200' });

const employee = {
  id: '0b7c6f6e-3c1f-4d59-9a57-5d3f1c1f2a10',
  name: 'Ada Obi',
  email: null,
  departmentId: '5c0e8a46-0a55-4f1e-8d0e-8a4f1b2c3d4e',
  locationId: '7d2e9b1c-2a44-4c3e-9f5a-1b2c3d4e5f60',
  externalIds: { connecteam: 'ct-88' },
  active: true,
  createdAt: '2026-03-01T08:00:00.000Z',
  updatedAt: '2026-03-02T09:30:00.000Z',
};

describe('response serializer (fast-json-stringify from the zod schemas)', () => {
  it('writes what zod would, field for field, nulls included, and drops fields the schema does not list', () => {
    for (const checkWithZod of [false, true]) {
      const stringify = compile(page(org.employee), checkWithZod);
      const value = { items: [{ ...employee, passwordHash: 'secret', pin: '1234' }], nextCursor: null };
      const expected = JSON.stringify(z.encode(page(org.employee), value));
      expect(stringify(value)).toBe(expected);
      expect(JSON.parse(stringify(value)).items[0]).not.toHaveProperty('passwordHash');
      expect(JSON.parse(stringify(value)).items[0].email).toBeNull();
    }
  });

  it('with checkWithZod, refuses a response that breaks its contract instead of sending it', () => {
    const broken = { ...employee, active: 'yes' };
    expect(() => compile(org.employee, true)(broken)).toThrow(ResponseSerializationError);
  });

  it('without the check, still refuses a response missing a required field', () => {
    const { name: _name, ...missing } = employee;
    expect(() => compile(org.employee, false)(missing)).toThrow(/name/);
  });
});
