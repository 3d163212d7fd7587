import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';

type Serializer = (data: unknown) => string;

/**
 * Fastify serializer compiler for the zod response schemas: each schema is turned into JSON Schema
 * once, at start-up, and compiled with fast-json-stringify, which writes only the declared fields
 * (nothing unlisted can leak) without walking the value twice. Encoding with zod and then
 * JSON.stringify, as the type provider does, cost a small GET more than the rest of its handler.
 *
 * `checkWithZod` (on outside production, so in every test) also encodes each response with its zod
 * schema first and fails the request with a ResponseSerializationError when they disagree, so a
 * handler that drifts from its contract is caught by the suite rather than shipped. A schema that
 * JSON Schema cannot express falls back to zod.
 */
export function responseSerializerCompiler(options: { checkWithZod: boolean }): FastifySerializerCompiler<z.ZodType> {
  return ({ schema, method, url }) => {
    const encodeWithZod = (data: unknown) => {
      const result = z.safeEncode(schema, data);
      if (result.error) throw new ResponseSerializationError(method, url, { cause: result.error });
      return result.data;
    };
    let compiled: Serializer;
    try {
      compiled = fastJson(nullableAsTypeList(z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'throw' })));
    } catch {
      return (data: unknown) => JSON.stringify(encodeWithZod(data));
    }
    if (!options.checkWithZod) return compiled;
    return (data: unknown) => compiled(encodeWithZod(data));
  };
}

type JsonSchema = Record<string, unknown>;

/**
 * zod writes `.nullable()` as `anyOf: [X, {type: 'null'}]`; fast-json-stringify serialises an anyOf
 * by validating the value against each branch at run time. `type: [X's type, 'null']` says the same
 * and compiles to a null check.
 */
function nullableAsTypeList(schema: JsonSchema): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) out[key] = walk(value);
    const anyOf = out.anyOf as JsonSchema[] | undefined;
    if (anyOf?.length === 2) {
      const nullIndex = anyOf.findIndex((branch) => branch.type === 'null' && Object.keys(branch).length === 1);
      const other = anyOf[1 - nullIndex];
      if (nullIndex >= 0 && other && typeof other.type === 'string' && other.type !== 'object' && other.type !== 'array') {
        const { anyOf: _anyOf, ...rest } = out;
        return { ...rest, ...other, type: [other.type, 'null'] };
      }
    }
    return out;
  };
  return walk(schema) as JsonSchema;
}
