#!/usr/bin/env node
// `npm run test:e2e`: builds the web app if it is missing or older than its sources, starts a server
// on a free port with a fresh DATA_DIR and the demo organisation, waits for /readyz, runs the
// Playwright tests in e2e/ (node:test + playwright-core driving the system Chromium), stops the server.
//
// Environment: E2E_PORT_FROM / E2E_PORT_TO (default 4100-4199), E2E_DATA_PREFIX (temp dir prefix),
// E2E_KEEP_DATA=1 to keep the data dir, CHROMIUM_PATH (default /usr/bin/chromium), E2E_ONLY=<regex>
// to run only matching test names.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFixture, DEMO_PASSWORD, LOGINS, login } from '../e2e/fixture.mjs';
import { buildWeb, webBuildReason } from './start.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (line) => process.stdout.write(`[e2e] ${line}\n`);

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function freePort() {
  const from = Number(process.env.E2E_PORT_FROM ?? 4100);
  const to = Number(process.env.E2E_PORT_TO ?? 4199);
  for (let port = from; port <= to; port++) if (await portFree(port)) return port;
  throw new Error(`no free port in ${from}-${to}`);
}

async function waitReady(base, server, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode} before it was ready`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server not ready after ${timeoutMs / 1000} s`);
}

async function main() {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) throw new Error(`Chromium not found at ${chromium} (install it, or set CHROMIUM_PATH)`);

  const reason = webBuildReason();
  if (reason) {
    log(`building the web app (${reason === 'missing' ? 'no build yet' : 'sources are newer than the build'})`);
    await buildWeb();
  }

  const port = await freePort();
  const dataDir = fs.mkdtempSync(process.env.E2E_DATA_PREFIX ?? path.join(os.tmpdir(), 'workfloor-e2e-'));
  const base = `http://127.0.0.1:${port}`;
  const serverLog = path.join(dataDir, 'server.log');
  const out = fs.createWriteStream(serverLog);
  log(`server on ${base}, DATA_DIR ${dataDir}`);
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO: 'true', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  server.stdout.on('data', (chunk) => {
    printed += chunk;
    out.write(chunk);
  });
  server.stderr.on('data', (chunk) => out.write(chunk));

  let code = 1;
  try {
    const started = Date.now();
    await waitReady(base, server, 240_000);
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // The demo organisation's admin, or the one-off admin the server prints when there is no demo.
    let adminEmail = LOGINS.admin;
    let adminPassword = DEMO_PASSWORD;
    let token = await login(base, adminEmail, adminPassword);
    if (!token) {
      const m = /created (\S+) with password (\S+)/.exec(printed);
      if (!m) throw new Error('neither the demo admin nor a printed admin password is available');
      [, adminEmail, adminPassword] = m;
      token = await login(base, adminEmail, adminPassword);
      if (!token) throw new Error('could not log in as the printed admin');
    }
    let org = 'demo';
    if (!(await login(base, LOGINS.manager, DEMO_PASSWORD))) {
      log('no demo organisation on this server: creating the e2e fixture through the API');
      await createFixture(base, token);
      org = 'fixture';
    }

    const files = fs
      .readdirSync(path.join(root, 'e2e'))
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => path.join('e2e', f));
    const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1'];
    if (process.env.E2E_ONLY) args.push(`--test-name-pattern=${process.env.E2E_ONLY}`);
    const tests = spawn(process.execPath, [...args, ...files], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, E2E_BASE_URL: base, E2E_ADMIN_EMAIL: adminEmail, E2E_ADMIN_PASSWORD: adminPassword, E2E_ORG: org, CHROMIUM_PATH: chromium },
    });
    code = await new Promise((resolve) => tests.on('exit', (c) => resolve(c ?? 1)));
  } catch (err) {
    log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    log(`server log: ${serverLog}`);
    code = 1;
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => {
      if (server.exitCode !== null) return resolve();
      const t = setTimeout(() => {
        server.kill('SIGKILL');
        resolve();
      }, 10_000);
      server.on('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
    out.end();
    if (code === 0 && !process.env.E2E_KEEP_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
    else log(`kept ${dataDir} (server.log inside)`);
  }
  process.exit(code);
}

main().catch((err) => {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
