import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { captureStderr, freePort, spawnTs, waitForExit } from './proc.ts';

export const BENCH_ADMIN = { email: 'bench-admin@bench.example', password: 'bench-password-1' };

export interface RunningServer {
  url: string;
  pid: number | undefined;
  child: ChildProcess;
  /** Signs in as the bootstrap admin; answers the bearer token. */
  login(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the real server the way production does (`server/main.ts` in its own process, with its
 * default log level unless LOG_LEVEL is given), on PostgreSQL when `databaseUrl` is set, else on
 * PGlite in a temporary DATA_DIR. No demo data, no simulator, no Redis.
 */
export async function startWorkfloor(options: { databaseUrl?: string; logLevel?: string; port?: number }): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'workfloor-bench-'));
  const port = options.port ?? (await freePort());
  const child = spawnTs(
    'server/main.ts',
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: options.databaseUrl ?? '',
      REDIS_URL: '',
      DEMO: 'false',
      SECRET: randomBytes(32).toString('hex'),
      ADMIN_EMAIL: BENCH_ADMIN.email,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
      LOG_LEVEL: options.logLevel ?? process.env.LOG_LEVEL ?? 'info',
      NODE_ENV: 'production',
    },
    // The request log goes where production sends it by default (stdout), here to /dev/null.
    'ignore',
  );
  const stderr = captureStderr(child);
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}\n${stderr()}`);
      try {
        const res = await fetch(`${url}/readyz`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`server not ready within 60 s\n${stderr()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    child.kill('SIGKILL');
    await waitForExit(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  return {
    url,
    pid: child.pid,
    child,
    async login() {
      const res = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(BENCH_ADMIN),
      });
      if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { accessToken: string }).accessToken;
    },
    async stop() {
      child.kill('SIGTERM');
      const code = await waitForExit(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (code !== 0 && code !== null) process.stderr.write(`server exited with ${code}\n${stderr()}\n`);
    },
  };
}
