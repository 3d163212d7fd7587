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
  // One labelled child per (method, route, status), made once: prom-client otherwise hashes the label
  // object on every observation. A callback hook, not an async one: no promise per request.
  const series = new Map<string, ReturnType<typeof metrics.requestDuration.labels>>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (route) {
      const key = `${request.method} ${reply.statusCode} ${route}`;
      let child = series.get(key);
      if (!child) series.set(key, (child = metrics.requestDuration.labels(request.method, route, String(reply.statusCode))));
      child.observe(reply.elapsedTime / 1000);
    }
    done();
  });
});
