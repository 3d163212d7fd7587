/**
 * `npx tsx bench/startup-and-web.ts` (also `npm run bench:web`): the newcomer's first minutes.
 * 1. `npm start` to /readyz on an empty DATA_DIR (demo generated) and on a second start, beside a bare
 *    process that only loads the TypeScript loader (the floor under any start of this code base).
 *    The web app is built first, outside the timing, so neither start includes a Vite build.
 * 2. The JavaScript Chromium downloads for the log-in page (every script response, lazy chunks
 *    included, gzipped at level 9 as e2e/app.test.ts measures it).
 * 3. Time for the people directory to render 320 and 5,000 rows in Chromium: from a full page load
 *    of /people (app boot, session refresh, fetch, render) and from a client-side navigation (the
 *    People link clicked in a freshly loaded app: fetch and render only), beside the same browser
 *    rendering a plain HTML table of as many rows (same run).
 * Figures and ratios only; no assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { loginPageJs } from '../e2e/browser.ts';
import { freePort } from './lib/proc.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// @ts-expect-error -- a plain .mjs module without types
const { buildWeb, webBuildReason } = (await import('../scripts/start.mjs')) as { buildWeb: () => Promise<void>; webBuildReason: () => string | null };
const ms = (n: number) => `${n.toFixed(0)} ms`;

function startServer(env: Record<string, string>): { child: ChildProcess; started: number } {
  const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  return { child, started: performance.now() };
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error('server exited before it was ready');
    try {
      if ((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error('server not ready in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

async function timeStart(dataDir: string, port: number, extra: Record<string, string> = {}) {
  const { child, started } = startServer({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: '', ...extra });
  await waitReady(`http://127.0.0.1:${port}`, child);
  return { child, ms: performance.now() - started };
}

function bareLoaderStart(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', 'process.exit(0)'], { cwd: root, stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', () => resolve(performance.now() - started)));
}

function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

async function loginPageJsOf(url: string) {
  const browser = await launchChromium();
  try {
    return await loginPageJs(await (await browser.newContext({ baseURL: url })).newPage());
  } finally {
    await browser.close();
  }
}

async function directoryRender(url: string, email: string, password: string, expectRows: number) {
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ baseURL: url, viewport: { width: 1440, height: 900 } })).newPage();
    await page.goto('/login');
    await page.getByLabel('Work e-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const rowsDrawn = async () => {
      await page.getByRole('region', { name: new RegExp(`^People, ${expectRows} rows$`) }).waitFor({ timeout: 60_000 });
      await page.locator('tbody tr[aria-rowindex]').nth(Math.min(5, expectRows - 1)).waitFor();
    };
    const times: number[] = [];
    const clientTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      // Full navigation: a page load of /people, the app booting and restoring the session first.
      await page.goto('/overview');
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      let started = performance.now();
      await page.goto('/people');
      await rowsDrawn();
      times.push(performance.now() - started);

      // Client-side navigation: a freshly loaded app (empty query cache), the People link clicked.
      await page.goto('/overview');
      await page.getByRole('heading', { level: 1, name: /^Good / }).waitFor();
      // Let the overview's own requests finish, so the click times the directory alone.
      await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => undefined);
      started = performance.now();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People', exact: true }).click();
      await rowsDrawn();
      clientTimes.push(performance.now() - started);
    }
    // Baseline: the same browser rendering a plain table of as many rows, from a page navigation.
    const rows = Array.from({ length: expectRows }, (_, i) => `<tr><td>Person ${i}</td><td>p${i}@example.com</td><td>Dept</td><td>Site</td></tr>`).join('');
    const baseline: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await page.setContent(`<table><tbody>${rows}</tbody></table>`);
      await page.locator('tr').nth(expectRows - 1).waitFor({ state: 'attached' });
      baseline.push(performance.now() - started);
    }
    const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
    return { app: median(times), client: median(clientTimes), baseline: median(baseline) };
  } finally {
    await browser.close();
  }
}

async function createPeople(url: string, email: string, password: string, count: number) {
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const token = ((await login.json()) as { accessToken: string }).accessToken;
  const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const post = async (p: string, body: object) => (await (await fetch(`${url}/api/v1${p}`, { method: 'POST', headers: h, body: JSON.stringify(body) })).json()) as { id: string };
  const location = await post('/locations', { name: 'Bench Site', timezone: 'Europe/London' });
  const department = await post('/departments', { name: 'Bench Dept', locationId: location.id });
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const i = next++;
        await post('/employees', { name: `Bench Person ${String(i).padStart(5, '0')}`, departmentId: department.id, locationId: location.id });
      }
    }),
  );
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workfloor-startbench-'));
try {
  // Built here, untimed: a start that finds a missing or stale build would time Vite, not the server.
  const reason = webBuildReason();
  if (reason) {
    process.stdout.write(`0. building the web app first (${reason}), outside the timings\n`);
    await buildWeb();
  }
  process.stdout.write('1. npm start -> /readyz\n');
  const loader = await bareLoaderStart();
  const port = await freePort();
  const first = await timeStart(path.join(tmp, 'demo'), port);
  await stop(first.child);
  const second = await timeStart(path.join(tmp, 'demo'), port);
  process.stdout.write(`   empty DATA_DIR (demo generated): ${ms(first.ms)}  (${(first.ms / loader).toFixed(1)}x a bare tsx start of ${ms(loader)})\n`);
  process.stdout.write(`   second start:                    ${ms(second.ms)}  (${(second.ms / loader).toFixed(1)}x)\n`);

  const url = `http://127.0.0.1:${port}`;
  const js = await loginPageJsOf(url);
  process.stdout.write(`2. log-in page JavaScript downloaded by Chromium: ${js.files} files, ${js.gzippedKb.toFixed(1)} KB gzipped\n`);

  process.stdout.write('3. people directory render in Chromium (median of 3; page load / client-side navigation)\n');
  const r320 = await directoryRender(url, 'admin@northwind.example', 'workfloor-demo', 320);
  process.stdout.write(
    `   320 rows:   page load ${ms(r320.app)}, client-side ${ms(r320.client)}  (plain HTML table: ${ms(r320.baseline)}; ${(r320.app / r320.baseline).toFixed(1)}x / ${(r320.client / r320.baseline).toFixed(1)}x)\n`,
  );
  await stop(second.child);

  const bigPort = await freePort();
  const big = await timeStart(path.join(tmp, 'big'), bigPort, { DEMO: 'false', ADMIN_EMAIL: 'bench@bench.example', ADMIN_PASSWORD: 'bench-password-1' });
  await createPeople(`http://127.0.0.1:${bigPort}`, 'bench@bench.example', 'bench-password-1', 5000);
  const r5000 = await directoryRender(`http://127.0.0.1:${bigPort}`, 'bench@bench.example', 'bench-password-1', 5000);
  process.stdout.write(
    `   5,000 rows: page load ${ms(r5000.app)}, client-side ${ms(r5000.client)}  (plain HTML table: ${ms(r5000.baseline)}; ${(r5000.app / r5000.baseline).toFixed(1)}x / ${(r5000.client / r5000.baseline).toFixed(1)}x)\n`,
  );
  await stop(big.child);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
