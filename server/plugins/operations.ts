import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { queryRows, type Database } from '../db/client.ts';
import type { Consumer } from '../events/consumer.ts';
import type { Metrics } from './metrics.ts';
import { sql } from 'drizzle-orm';

const READY_TIMEOUT_MS = 2_000;

/** /healthz (the process answers), /readyz (the database answers), /metrics (Prometheus). */
export const operationsPlugin = fp(
  async (app: FastifyInstance, { database, metrics, consumers }: { database: Database; metrics: Metrics; consumers: Consumer[] }) => {
    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      try {
        await Promise.race([
          database.ping(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS).unref()),
        ]);
        return { status: 'ready', database: 'up' };
      } catch {
        return reply.status(503).send({
          error: { code: 'DATABASE_UNAVAILABLE', message: 'The database is not reachable', details: { database: 'down' } },
        });
      }
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      // Lag is measured at scrape time, bounded so a far-behind consumer cannot make scraping slow.
      for (const consumer of consumers) {
        try {
          const at = await consumer.position();
          const [row] = await queryRows<{ lag: number }>(database.db, sql`
            SELECT count(*)::int AS lag FROM (
              SELECT 1 FROM events WHERE (tx_id, seq) > (${at.txId}::xid8, ${at.seq}::bigint) LIMIT 100000) behind`);
          metrics.consumerLag.set({ consumer: consumer.name }, Number(row?.lag ?? 0));
        } catch {
          // database down: keep the last value; /readyz reports the outage
        }
      }
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
);
