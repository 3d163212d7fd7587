import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { ErrorBody, ErrorCode } from '../../contract/errors.ts';
import { AppError } from '../lib/app-error.ts';

const DB_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006',
]);

/** True when the error (or its cause chain: Drizzle wraps driver errors) says the database is unreachable. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && DB_UNAVAILABLE_CODES.has(code)) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)) {
      return true;
    }
  }
  return false;
}

/**
 * PostgreSQL refuses text it cannot store (a NUL character above all) with these codes; only a
 * client's input can carry such text, so it is a bad request, not a server fault.
 */
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05']);

function isUnstorableText(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNSTORABLE_TEXT_CODES.has(code)) return true;
  }
  return false;
}

function body(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/**
 * The one error handler: every failure leaves as `{error: {code, message, details?}}` with a stable
 * code. 5xx details are logged with the request id and never sent to the client.
 */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      if (err.headers) reply.headers(err.headers);
      if (err.status >= 500) {
        // The code and message are written for clients; details of a server fault are not.
        request.log.error({ err, details: err.details }, err.message);
        return reply.status(err.status).send(body(err.code, err.message));
      }
      return reply.status(err.status).send(body(err.code, err.message, err.details));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({
        path: `${err.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
        message: v.message,
      }));
      return reply.status(400).send(body('VALIDATION_FAILED', 'The request is not valid', { issues }));
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
      return reply.status(500).send(body('INTERNAL', 'Something went wrong on our side'));
    }
    if (isDatabaseUnavailable(err)) {
      request.log.warn({ err: (err as Error).message }, 'database unavailable');
      reply.header('Retry-After', '5');
      return reply.status(503).send(body('DATABASE_UNAVAILABLE', 'The database is not reachable; try again shortly'));
    }
    if (isUnstorableText(err)) {
      return reply.status(400).send(body('BAD_REQUEST', 'The request contains text that cannot be stored (such as a NUL character)'));
    }
    const status = err.statusCode ?? 500;
    if (status === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send(body('PAYLOAD_TOO_LARGE', 'The request body is too large'));
    }
    if (status === 415 || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send(body('UNSUPPORTED_MEDIA_TYPE', 'Send JSON with Content-Type: application/json'));
    }
    if (status === 429) {
      return reply.status(429).send(body('RATE_LIMITED', 'Too many requests; slow down'));
    }
    if (status >= 400 && status < 500) {
      // Malformed JSON, prototype poisoning, empty JSON body and similar parser refusals.
      return reply.status(400).send(body('BAD_REQUEST', err.message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(body('INTERNAL', 'Something went wrong on our side'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(body('ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`));
  });
});
