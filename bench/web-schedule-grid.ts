/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate callbacks run in the browser; the Node tsconfig has no DOM types. */
/**
 * The schedule grid's frame budget in real Chromium: 320 people x 31 days (month view, admin, every
 * location) rendered, then scrolled through every row. Long frames come from the browser's own
 * performance timeline (Long Animation Frames where Chromium has them, else long tasks) and from
 * requestAnimationFrame deltas. Target: no frame longer than 100 ms. Prints figures, asserts nothing.
 *
 *   npx tsx bench/web-schedule-grid.ts                 # builds the web app if needed, starts a demo server
 *   BENCH_BASE_URL=http://127.0.0.1:3000 npx tsx bench/web-schedule-grid.ts   # against a running demo server
 *
 * BENCH_PORT picks the port of the server it starts (default: a free one in 4500-4599);
 * CHROMIUM_PATH the browser (default /usr/bin/chromium).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { benchPort } from './lib/ports.ts';
import { repoRoot, spawnTs, waitForExit } from './lib/proc.ts';

const DEMO = { email: 'admin@northwind.example', password: 'workfloor-demo' };
const FRAME_BUDGET_MS = 100;

async function startDemoServer(): Promise<{ url: string; child: ChildProcess; dataDir: string }> {
  const index = path.join(repoRoot, 'dist', 'web', 'index.html');
  if (!fs.existsSync(index)) {
    process.stdout.write('building the web app…\n');
    // @ts-expect-error -- a plain .mjs module without types
    const { buildWeb } = (await import('../scripts/start.mjs')) as { buildWeb: () => Promise<void> };
    await buildWeb();
  }
  const port = Number(process.env.BENCH_PORT ?? (await benchPort()));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'workfloor-bench-grid-'));
  const child = spawnTs('server/main.ts', { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', DEMO: 'true', LOG_LEVEL: 'warn' }, 'ignore');
  const url = `http://127.0.0.1:${port}`;
  process.stdout.write(`starting a demo server on ${url} (the demo organisation takes ~30 s to create)…\n`);
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server not ready within 240 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, child, dataDir };
}

/** Installed before any page script: records long frames and every rAF delta, tagged by phase. */
function installProbe() {
  const w = globalThis as any;
  const probe = { phase: 'load', frames: [] as { phase: string; delta: number }[], long: [] as { phase: string; kind: string; duration: number; blocking: number }[], loaf: false };
  w.__gridProbe = probe;
  const observe = (type: string) => {
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as any[]) probe.long.push({ phase: probe.phase, kind: type, duration: e.duration, blocking: e.blockingDuration ?? 0 });
      }).observe({ type: type as never, buffered: true });
      return true;
    } catch {
      return false;
    }
  };
  probe.loaf = observe('long-animation-frame');
  observe('longtask');
  let last = 0;
  const tick = (t: number) => {
    if (last) probe.frames.push({ phase: probe.phase, delta: t - last });
    last = t;
    w.requestAnimationFrame(tick);
  };
  w.requestAnimationFrame(tick);
}

interface PhaseFigures {
  frames: number;
  maxFrame: number;
  p95Frame: number;
  over50: number;
  overBudget: number;
  longestLoaf: number;
  longestTask: number;
}

async function figures(page: Page, phase: string): Promise<PhaseFigures> {
  return page.evaluate(
    ([name, budget]) => {
      const p = (globalThis as any).__gridProbe;
      const deltas = (p.frames as { phase: string; delta: number }[]).filter((f) => f.phase === name).map((f) => f.delta).sort((a, b) => a - b);
      const long = (p.long as { phase: string; kind: string; duration: number }[]).filter((l) => l.phase === name);
      const max = (kind: string) => long.filter((l) => l.kind === kind).reduce((m, l) => Math.max(m, l.duration), 0);
      return {
        frames: deltas.length,
        maxFrame: deltas.at(-1) ?? 0,
        p95Frame: deltas[Math.floor(deltas.length * 0.95)] ?? 0,
        over50: deltas.filter((d) => d > 50).length,
        overBudget: deltas.filter((d) => d > (budget as number)).length,
        longestLoaf: max('long-animation-frame'),
        longestTask: max('longtask'),
      };
    },
    [phase, FRAME_BUDGET_MS] as const,
  );
}

const setPhase = (page: Page, phase: string) => page.evaluate((p) => ((globalThis as any).__gridProbe.phase = p), phase);

async function main() {
  let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
  const base = process.env.BENCH_BASE_URL ?? (server = await startDemoServer()).url;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
    // tsx compiles the page callbacks below with esbuild's keep-names helper: give the page that helper.
    await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Work e-mail').fill(DEMO.email);
    await page.getByLabel('Password').fill(DEMO.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 30_000 });

    // Render: a full load of the month view, from navigation to the grid on screen and idle.
    await context.addInitScript(installProbe);
    const started = Date.now();
    // The next month with 31 days, so the grid is 31 columns wide.
    const month = new Date();
    month.setUTCDate(1);
    do month.setUTCMonth(month.getUTCMonth() + 1);
    while (new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 0)).getUTCDate() !== 31);
    await page.goto(`/schedule?view=month&date=${month.toISOString().slice(0, 10)}`);
    await setPhase(page, 'render');
    const grid = page.getByRole('grid', { name: /^Schedule, \d+ people/ });
    await grid.waitFor({ timeout: 60_000 });
    const visibleMs = Date.now() - started;
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await page.waitForTimeout(1000);
    const people = Number(/Schedule, (\d+) people/.exec((await grid.getAttribute('aria-label')) ?? '')?.[1] ?? 0);
    const days = Number((await grid.getAttribute('aria-colcount')) ?? 1) - 1;
    const render = await figures(page, 'render');

    // Scroll: every row, at a brisk 600 px per frame (a fast flick), then back to the top.
    await setPhase(page, 'scroll');
    const scroll = await page.evaluate(async () => {
      const el = (globalThis as any).document.querySelector('[data-testid="schedule-scroll"]');
      const frame = () => new Promise((r) => (globalThis as any).requestAnimationFrame(r));
      let steps = 0;
      let maxCells = 0;
      const t0 = performance.now();
      for (const dir of [1, -1]) {
        for (;;) {
          const before = el.scrollTop;
          el.scrollTop = before + dir * 600;
          await frame();
          steps++;
          maxCells = Math.max(maxCells, el.querySelectorAll('[role="gridcell"]').length);
          if (el.scrollTop === before) break;
        }
      }
      return { steps, maxCells, ms: performance.now() - t0, height: el.scrollHeight };
    });
    await page.waitForTimeout(300);
    const scrolled = await figures(page, 'scroll');
    const loaf = await page.evaluate(() => (globalThis as any).__gridProbe.loaf as boolean);

    const f = (n: number) => `${n.toFixed(1)} ms`;
    const line = (name: string, p: PhaseFigures) =>
      `  ${name.padEnd(7)} longest frame (rAF) ${f(p.maxFrame).padStart(9)} · p95 ${f(p.p95Frame).padStart(8)} · frames ${String(p.frames).padStart(4)} · >50 ms ${p.over50} · >${FRAME_BUDGET_MS} ms ${p.overBudget} · longest ${loaf ? 'LoAF' : 'long task'} ${f(loaf ? p.longestLoaf : p.longestTask)} · longest long task ${f(p.longestTask)}`;
    process.stdout.write(`\nschedule grid, month view: ${people} people x ${days} days (admin, all locations), Chromium ${browser.version()}\n`);
    process.stdout.write(`  grid visible ${visibleMs} ms after navigation (log-in restore, API and render included)\n`);
    process.stdout.write(line('render', render) + '\n');
    process.stdout.write(line('scroll', scrolled) + '\n');
    process.stdout.write(`  scroll: ${scroll.steps} frames over ${(scroll.height / 1000).toFixed(1)}k px, down and back up in ${f(scroll.ms)}; at most ${scroll.maxCells} cells in the DOM\n`);
    const worst = Math.max(render.maxFrame, scrolled.maxFrame, render.longestLoaf, scrolled.longestLoaf, render.longestTask, scrolled.longestTask);
    process.stdout.write(`  target: no frame over ${FRAME_BUDGET_MS} ms -> worst ${f(worst)} (${worst <= FRAME_BUDGET_MS ? 'within' : 'over'} the target)\n`);
    await context.close();
  } finally {
    // Also when Chromium failed to start: the demo server this run started must not outlive it.
    await browser?.close();
    if (server) {
      server.child.kill('SIGTERM');
      await waitForExit(server.child);
      fs.rmSync(server.dataDir, { recursive: true, force: true });
    }
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
