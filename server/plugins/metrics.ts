import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'workfloor_' });
  return {
    registry,
    requestDuration: new Histogram({
      name: 'workfloor_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    openSockets: new Gauge({ name: 'workfloor_open_sockets', help: 'Open Socket.IO connections', registers: [registry] }),
    eventsAppended: new Counter({
      name: 'workfloor_events_appended_total',
      help: 'Events committed to the log by this process',
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'workfloor_consumer_lag_events',
      help: 'Events in the log not yet processed by each consumer',
      labelNames: ['consumer'] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** Times every routed request by its route pattern (not the raw URL, which would explode cardinality). */
export const metricsPlugin = fp(async (app: FastifyInstance, { metrics }: { metrics: Metrics }) => {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    if (!route) return;
    metrics.requestDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
});
