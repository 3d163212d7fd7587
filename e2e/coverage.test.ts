/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate callbacks run in the browser; this project's Node tsconfig has no DOM types. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { artifacts, baseURL, login, logins, newContext, launch, screenshot, seriousA11yViolations, settle, watchErrors, type Role } from './browser.ts';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function apiLogin(role: Role): Promise<string> {
  const r = await fetch(`${baseURL}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(logins[role]) });
  assert.equal(r.status, 200, `log-in as ${role}`);
  return ((await r.json()) as { accessToken: string }).accessToken;
}

async function call<T>(token: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const r = await fetch(`${baseURL}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const text = await r.text();
  assert.ok(r.ok, `${init.method ?? 'GET'} ${path}: ${r.status} ${text}`);
  return JSON.parse(text) as T;
}

interface Loc {
  id: string;
  name: string;
  timezone: string;
  active: boolean;
}

async function openCoverage(page: Page, query = '') {
  await page.goto(`/coverage${query}`);
  await page.getByRole('heading', { level: 1, name: 'Coverage' }).waitFor();
  await page.getByRole('grid', { name: /^Coverage by hour and day/ }).waitFor();
  await settle(page);
}

for (const theme of ['light', 'dark'] as const) {
  describe(`coverage and overview (admin, ${theme})`, () => {
    test('the heatmap, today\'s lines and the alerts render, work with the keyboard and pass axe; the overview shows the floor tiles', async () => {
      const context = await newContext(browser, theme);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await login(page, 'admin');
      const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
      assert.ok(nav.includes('Coverage'), `nav: ${nav.join(', ')}`);

      await openCoverage(page);
      const grid = page.getByRole('grid', { name: /^Coverage by hour and day/ });
      // 24 local hours by 21 days; each cell tells its figures to assistive technology.
      assert.equal(await grid.getByRole('row').count(), 25);
      const cells = grid.getByRole('gridcell');
      assert.equal(await cells.count(), 24 * 21);
      assert.match((await cells.nth(8 * 21 + 3).getAttribute('aria-label')) ?? '', /\d{2}:00.*(required|no data|no such hour)/);
      await page.getByRole('img', { name: /^Today's headcount per hour/ }).waitFor();
      await page.getByRole('heading', { name: 'Alerts' }).waitFor();
      await screenshot(page, `coverage-admin-${theme}`);
      await page.screenshot({ path: `${artifacts}/coverage-admin-full-${theme}.png`, fullPage: true });
      const problems = await seriousA11yViolations(page);
      assert.deepEqual(problems, [], `coverage (${theme}): serious/critical axe violations:\n${JSON.stringify(problems, null, 2)}`);

      // Focus moves through the grid with the arrow keys and the panel follows it.
      const details = page.getByTestId('coverage-hour-details');
      await cells.nth(10 * 21 + 2).click();
      const before = await details.textContent();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowDown');
      const focused = await page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('data-cell'));
      assert.match(focused ?? '', /^\d{4}-\d{2}-\d{2}\|11$/);
      assert.notEqual(await details.textContent(), before);
      assert.match((await details.textContent()) ?? '', /Required/);
      await screenshot(page, `coverage-admin-selected-${theme}`);

      // Another location through the picker, kept in the address.
      const picker = page.getByLabel('Location');
      const options = await picker.locator('option').allTextContents();
      assert.ok(options.length >= 1);
      if (options.length > 1) {
        await picker.selectOption({ label: options[1]! });
        await page.waitForFunction(() => /locationId=/.test((globalThis as any).location.search));
        await settle(page);
        await screenshot(page, `coverage-admin-second-location-${theme}`);
      }

      await page.goto('/overview');
      await page.getByRole('heading', { level: 2, name: 'Floor today' }).waitFor();
      await settle(page);
      for (const id of ['tile-understaffed', 'tile-overtime', 'tile-missed', 'tile-floor']) {
        assert.match((await page.getByTestId(id).textContent()) ?? '', /\d/, `${id} shows a figure`);
      }
      await screenshot(page, `overview-admin-${theme}`);
      await page.screenshot({ path: `${artifacts}/overview-admin-full-${theme}.png`, fullPage: true });
      const overviewProblems = await seriousA11yViolations(page);
      assert.deepEqual(overviewProblems, [], `overview (${theme}): serious/critical axe violations:\n${JSON.stringify(overviewProblems, null, 2)}`);
      assert.deepEqual(errors, []);
      await context.close();
    });
  });
}

describe('coverage (manager)', () => {
  test('a department manager sees the coverage of their location, accessible', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await login(page, 'manager');
    await openCoverage(page);
    await screenshot(page, 'coverage-manager-light');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.goto('/overview');
    await page.getByRole('heading', { level: 2, name: 'Floor today' }).waitFor();
    await settle(page);
    await screenshot(page, 'overview-manager-light');
    assert.deepEqual(await seriousA11yViolations(page), []);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('coverage across a clock change', () => {
  test('a day of 25 (or 23) local hours shows the repeated (or skipped) hour in its row', async (t) => {
    const token = await apiLogin('admin');
    const locations = (await call<{ items: Loc[] }>(token, '/locations')).items.filter((l) => l.active);
    let found: { location: Loc; date: string; hours: number } | undefined;
    for (const location of locations) {
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: location.timezone }).format(new Date());
      const from = new Date(Date.parse(`${today}T12:00:00Z`) - 60 * 86_400_000).toISOString().slice(0, 10);
      const { items } = await call<{ items: { localDate: string }[] }>(token, `/coverage/hourly?locationId=${location.id}&from=${from}&to=${today}`);
      const perDay = new Map<string, number>();
      for (const h of items) perDay.set(h.localDate, (perDay.get(h.localDate) ?? 0) + 1);
      const day = [...perDay].find(([, n]) => n === 23 || n === 25);
      if (day) {
        found = { location, date: day[0], hours: day[1] };
        break;
      }
    }
    if (!found) {
      // The demo keeps about four weeks of history: a clock change is in it only part of the year.
      t.skip('no clock change in the coverage history of any location');
      return;
    }
    const { location, date, hours } = found;
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await login(page, 'admin');
    const end = new Date(Date.parse(`${date}T12:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10);
    await openCoverage(page, `?locationId=${location.id}&end=${end}`);
    const marker = hours === 25 ? 'clocks went back' : 'clocks went forward';
    const cells = await page.getByRole('gridcell').evaluateAll((els) => els.map((e: any) => [e.getAttribute('data-cell'), e.getAttribute('aria-label')] as [string, string]));
    const changed = cells.filter(([, label]) => label.includes(marker));
    assert.equal(changed.length, 1, `one cell of ${location.name} on ${date} (${hours} hours) says "${marker}"`);
    process.stdout.write(`  ${location.name}, ${date} (${hours} h): ${changed[0]![1]}\n`);
    await page.locator(`[data-cell="${changed[0]![0]}"]`).click();
    await page.getByTestId('coverage-hour-details').getByText(hours === 25 ? /happened twice/ : /did not exist/).waitFor();
    await screenshot(page, 'coverage-clock-change-light');
    assert.deepEqual(await seriousA11yViolations(page), []);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('coverage live', () => {
  test('a punch made through the API moves the current hour on the open page, without a reload', async () => {
    const token = await apiLogin('admin');
    const locations = (await call<{ items: Loc[] }>(token, '/locations')).items.filter((l) => l.active);
    // Someone not on the floor and not clocked in yet today, so a back-dated clock-in lands cleanly.
    let chosen: { location: Loc; employeeId: string } | undefined;
    for (const location of locations) {
      const live = await call<{ items: { employeeId: string; nextAction: string; status: string }[] }>(token, `/live?locationId=${location.id}`);
      const person = live.items.find((p) => p.nextAction === 'clock_in' && ['scheduled', 'absent', 'unscheduled', 'late'].includes(p.status));
      if (person) {
        chosen = { location, employeeId: person.employeeId };
        break;
      }
    }
    assert.ok(chosen, 'someone to clock in at one of the locations');
    const { location, employeeId } = chosen;

    const context = await newContext(browser, 'dark');
    const page = await context.newPage();
    const errors = watchErrors(page);
    await login(page, 'admin');
    await page.locator('[data-testid="live-indicator"][data-status="connected"]').waitFor();
    await openCoverage(page, `?locationId=${location.id}`);
    await page.evaluate(() => ((globalThis as any).__noReload = true));
    const now = page.getByTestId('coverage-now-cell');
    await now.waitFor();
    const beforeLabel = await now.getAttribute('aria-label');

    // Back-dated into the current local hour, so the hour's average staffing really changes (a punch
    // at this very second adds no elapsed time yet). Never before the hour started.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: location.timezone }).format(new Date());
    const hours = await call<{ items: { hourStart: string; hourEnd: string }[] }>(token, `/coverage/hourly?locationId=${location.id}&from=${today}&to=${today}`);
    const current = hours.items.find((h) => Date.parse(h.hourStart) <= Date.now() && Date.now() < Date.parse(h.hourEnd));
    const hourStart = current ? Date.parse(current.hourStart) : Math.floor(Date.now() / 1_800_000) * 1_800_000;
    if (Date.now() - hourStart < 15_000) await page.waitForTimeout(15_000 - (Date.now() - hourStart));
    const at = new Date(Math.max(hourStart + 1_000, Date.now() - 10 * 60_000)).toISOString();
    const started = Date.now();
    const punch = await call<{ state: string }>(token, '/clock-events', { method: 'POST', body: { id: randomUUID(), employeeId, kind: 'clock_in', at, locationId: location.id, source: 'e2e' } });
    assert.equal(punch.state, 'placed', 'the punch counts at once');
    await page.waitForFunction(
      (old) => (globalThis as any).document.querySelector('[data-testid="coverage-now-cell"]')?.getAttribute('aria-label') !== old,
      beforeLabel,
      { timeout: 5_000 },
    );
    const ms = Date.now() - started;
    process.stdout.write(`  punch -> coverage cell updated on the page in ${ms} ms\n  before: ${beforeLabel}\n  after:  ${await now.getAttribute('aria-label')}\n`);
    assert.equal(await page.evaluate(() => (globalThis as any).__noReload), true, 'the page was not reloaded');
    // The cell now shows more people on the floor, and the same figure the API gives for the hour.
    const staffedOf = (label: string | null) => Number(/: ([\d.]+) staffed of/.exec(label ?? '')?.[1] ?? NaN);
    const afterLabel = await now.getAttribute('aria-label');
    assert.ok(staffedOf(afterLabel) > staffedOf(beforeLabel), `staffed went up: ${beforeLabel} -> ${afterLabel}`);
    const fresh = await call<{ items: { hourStart: string; hourEnd: string; staffed: number }[] }>(token, `/coverage/hourly?locationId=${location.id}&from=${today}&to=${today}`);
    const row = fresh.items.find((h) => Date.parse(h.hourStart) <= Date.now() && Date.now() < Date.parse(h.hourEnd));
    assert.ok(row && Math.abs(row.staffed - staffedOf(afterLabel)) < 0.15, `page ${staffedOf(afterLabel)} vs API ${row?.staffed}`);
    await screenshot(page, 'coverage-live-dark');

    // Clean up: the person leaves again.
    await call(token, '/clock-events', { method: 'POST', body: { id: randomUUID(), employeeId, kind: 'clock_out', locationId: location.id, source: 'e2e' } });
    assert.deepEqual(errors, []);
    await context.close();
  });
});
