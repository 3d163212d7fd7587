import net from 'node:net';

/** The port range the benchmarks' own servers listen on (the bare ws server, Workfloor under test). */
export const BENCH_PORTS = { first: 4500, last: 4599 };

function tryPort(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port in 4500-4599, starting from a random one so parallel runs rarely collide. */
export async function benchPort(): Promise<number> {
  const size = BENCH_PORTS.last - BENCH_PORTS.first + 1;
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = BENCH_PORTS.first + ((start + i) % size);
    if (await tryPort(port)) return port;
  }
  throw new Error(`no free port in ${BENCH_PORTS.first}-${BENCH_PORTS.last}`);
}
