import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const baseURL = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000';
export const artifacts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
export const PASSWORD = 'workfloor-demo';
export const logins = {
  admin: { email: process.env.E2E_ADMIN_EMAIL ?? 'admin@northwind.example', password: process.env.E2E_ADMIN_PASSWORD ?? PASSWORD },
  manager: { email: 'manager@northwind.example', password: PASSWORD },
  employee: { email: 'employee@northwind.example', password: PASSWORD },
};
export type Role = keyof typeof logins;

export function launch(): Promise<Browser> {
  fs.mkdirSync(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function newContext(browser: Browser, colorScheme: 'light' | 'dark' = 'light'): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1440, height: 900 }, colorScheme, timezoneId: 'Europe/Paris', locale: 'en-GB' });
  context.setDefaultTimeout(30_000);
  return context;
}

/** Collects uncaught page errors and console errors, so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // A failed request is logged by the browser; 401s during silent refresh are expected.
    if (msg.type() === 'error' && !/status of 401/.test(msg.text())) errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

export async function login(page: Page, role: Role) {
  await page.goto('/login');
  await page.getByLabel('Work e-mail').fill(logins[role].email);
  await page.getByLabel('Password').fill(logins[role].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitForPath(page, /^\/(?!login)/);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Waits until no skeleton or "Loading" status is left on the page. */
export async function settle(page: Page) {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  // A function, not a string: the app's CSP forbids eval. (No DOM types in the Node tsconfig.)
  await page.waitForFunction(() => !(globalThis as any).document.querySelector('.animate-pulse'), undefined, { timeout: 15_000 });
  await page.waitForTimeout(300);
}

export interface AxeProblem {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/** axe-core over WCAG 2.1 A/AA: returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeProblem[]> {
  // A toast or dialog still fading in is seen by axe at part of its opacity and reported as low
  // contrast: wait for every finite animation and transition to end (spinners run forever; not those).
  await page
    .waitForFunction(
      () =>
        (globalThis as any).document
          .getAnimations()
          .every((a: any) => a.playState !== 'running' || a.effect?.getTiming?.().iterations === Infinity),
      undefined,
      { timeout: 5_000 },
    )
    .catch(() => undefined);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: false });
}

/**
 * Waits until the page's path (and query) matches. Client-side navigations never fire "load", so
 * page.waitForURL is the wrong tool for a single-page app; page.url() follows pushState.
 */
export async function waitForPath(page: Page, pattern: RegExp, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const url = new URL(page.url());
    if (pattern.test(url.pathname + url.search)) return;
    if (Date.now() > deadline) throw new Error(`expected the path to match ${pattern}, but it is ${url.pathname}${url.search}`);
    await page.waitForTimeout(50);
  }
}

/**
 * The JavaScript the browser really downloads for the log-in page, lazy route chunks included (the
 * entry scripts of index.html miss them): every script response until the form is up and the network
 * idle, gzipped at level 9. Shared by the e2e budget check and `npm run bench:web`.
 */
export async function loginPageJs(page: Page): Promise<{ files: number; gzippedKb: number }> {
  const scripts = new Map<string, Promise<Buffer>>();
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') scripts.set(response.url(), response.body());
  });
  await page.goto('/login');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.waitForLoadState('networkidle');
  let gz = 0;
  for (const body of scripts.values()) gz += gzipSync(await body, { level: 9 }).length;
  return { files: scripts.size, gzippedKb: gz / 1024 };
}
