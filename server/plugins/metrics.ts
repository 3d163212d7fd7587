import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Registry, collectDefaultMetrics, type MetricValueWithName } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'workfloor_' });
  return {
    registry,
    requestDuration: new RequestDurations(registry),
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

const SLOW_REQUEST_MS = 1_000;

/**
 * Times every routed request by its route pattern (not the raw URL, which would explode cardinality),
 * and logs the slow ones. One callback hook, not an async one: no promise per request.
 */
export const metricsPlugin = fp(async (app: FastifyInstance, { metrics }: { metrics: Metrics }) => {
  app.addHook('onResponse', (request, reply, done) => {
    const ms = reply.elapsedTime;
    const route = request.routeOptions.url;
    if (route) metrics.requestDuration.observe(request.method, route, reply.statusCode, ms / 1000);
    if (ms > SLOW_REQUEST_MS) request.log.warn({ url: request.url, status: reply.statusCode, ms: Math.round(ms) }, 'slow request');
    done();
  });
});

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * `workfloor_http_request_duration_seconds`, a Prometheus histogram by method, route and status.
 * prom-client's Histogram validates and hashes the label set on every observation, a few per cent of
 * a small request; this one finds the series by one string key and adds to plain counters, and hands
 * the registry the same histogram when /metrics is read.
 */
class RequestDurations {
  readonly name = 'workfloor_http_request_duration_seconds';
  readonly help = 'HTTP request duration by route';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, { labels: { method: string; route: string; status: number }; buckets: Float64Array; sum: number; count: number }>();

  constructor(registry: Registry) {
    registry.registerMetric(this as never);
  }

  observe(method: string, route: string, status: number, seconds: number) {
    const key = `${method} ${status} ${route}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels: { method, route, status }, buckets: new Float64Array(DURATION_BUCKETS.length), sum: 0, count: 0 }));
    s.sum += seconds;
    s.count += 1;
    const i = DURATION_BUCKETS.findIndex((bound) => seconds <= bound);
    if (i >= 0) s.buckets[i]! += 1;
  }

  /** What prom-client's registry reads from a metric when /metrics is scraped. */
  get() {
    const values: MetricValueWithName<string>[] = [];
    for (const { labels, buckets, sum, count } of this.series.values()) {
      let cumulative = 0;
      DURATION_BUCKETS.forEach((bound, i) => {
        cumulative += buckets[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: bound, ...labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...labels }, value: count });
      values.push({ metricName: `${this.name}_sum`, labels, value: sum });
      values.push({ metricName: `${this.name}_count`, labels, value: count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset() {
    this.series.clear();
  }
}
