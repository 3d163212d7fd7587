import http from 'node:http';

/**
 * The baseline of the GET benchmark: a bare node:http server answering, from memory, the same JSON
 * body the Workfloor server sends for one location. It does nothing else (no routing, auth,
 * validation, database or logging), so it is the ceiling of what Node can serve on this machine.
 */
const body = Buffer.from(process.env.BENCH_BODY ?? '{}');
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
