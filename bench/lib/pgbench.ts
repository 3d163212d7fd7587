import { spawn } from 'node:child_process';

export interface PgbenchResult {
  tps: number;
  transactions: number;
  latencyMs?: number;
}

/** Runs `pgbench -n -f script -c clients -j 2 -T seconds` (plus `extra` options) and parses its summary. */
export function runPgbenchScript(pgbench: string, url: string, scriptFile: string, clients: number, seconds: number, extra: string[] = []): Promise<PgbenchResult> {
  const args = ['-n', '-f', scriptFile, '-c', String(clients), '-j', '2', '-T', String(seconds), ...extra, url];
  return new Promise((resolve, reject) => {
    const child = spawn(pgbench, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
      const count = /number of transactions actually processed: (\d+)/.exec(out);
      const failed = /number of failed transactions: (\d+)/.exec(out);
      const latency = /latency average = ([\d.]+) ms/.exec(out);
      if (code !== 0 || !tps || !count) return reject(new Error(`pgbench failed (${code}):\n${out.slice(-3000)}`));
      if (failed && Number(failed[1]) > 0) return reject(new Error(`pgbench: ${failed[1]} failed transactions\n${out.slice(-3000)}`));
      resolve({ tps: Number(tps[1]), transactions: Number(count[1]), latencyMs: latency ? Number(latency[1]) : undefined });
    });
  });
}
