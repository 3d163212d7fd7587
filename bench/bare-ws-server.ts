import http from 'node:http';
import { WebSocketServer } from 'ws';

/**
 * The baseline of the push benchmark: a bare `ws` server with an HTTP endpoint. `POST /punch` answers
 * 201 with a body of the size Workfloor answers, then broadcasts the request body (the very event
 * message the Workfloor clients received, with a fresh id) once to every connected client, as text.
 * No auth, no channels, no database: the ceiling of a broadcast on this machine.
 * Env: PORT. Prints {"port": n} when listening.
 */
const answer = Buffer.from(JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', state: 'placed', padding: 'x'.repeat(300) }));
const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const message = Buffer.concat(chunks).toString('utf8');
    res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'content-length': answer.length });
    res.end(answer);
    // After answering, as Workfloor pushes after its commit: the client's clock starts when the POST returns.
    setImmediate(() => {
      for (const client of wss.clients) client.send(message);
    });
  });
});
server.keepAliveTimeout = 72_000;
const wss = new WebSocketServer({ server, perMessageDeflate: false });
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  server.close(() => process.exit(0));
});
