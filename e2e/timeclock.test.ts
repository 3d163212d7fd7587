/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate callbacks run in the browser; this project's Node tsconfig has no DOM types. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { baseURL, login, logins, newContext, screenshot, seriousA11yViolations, settle, launch, watchErrors, type Role } from './browser.ts';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// ---- the API, straight from Node (the "other context") ----

const tokens = new Map<Role, string>();
async function token(role: Role): Promise<string> {
  const cached = tokens.get(role);
  if (cached) return cached;
  const r = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: logins[role].email, password: logins[role].password }),
  });
  assert.equal(r.status, 200, `log-in as ${role}`);
  const body = (await r.json()) as { accessToken: string };
  tokens.set(role, body.accessToken);
  return body.accessToken;
}

async function call<T>(role: Role, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(`${baseURL}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${await token(role)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
}

interface Me {
  employeeId: string;
  name: string;
}
interface LivePerson {
  employeeId: string;
  status: string;
  nextAction: string;
}

/** The demo employee, their location, and what they can do next there. */
async function employeeOnFloor() {
  const me = (await call<Me>('employee', 'GET', '/auth/me')).body;
  const employee = (await call<{ locationId: string; name: string }>('manager', 'GET', `/employees/${me.employeeId}`)).body;
  const live = (await call<{ items: LivePerson[] }>('admin', 'GET', `/live?locationId=${employee.locationId}`)).body;
  const row = live.items.find((i) => i.employeeId === me.employeeId);
  return { id: me.employeeId, name: employee.name, locationId: employee.locationId, row, nextAction: row?.nextAction ?? 'clock_in' };
}

const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function open(page: Page, path: string, heading: RegExp) {
  await page.goto(path);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await settle(page);
}

async function axeClean(page: Page, what: string) {
  const problems = await seriousA11yViolations(page);
  assert.deepEqual(problems, [], `${what}: serious/critical axe violations:\n${JSON.stringify(problems, null, 2)}`);
}

describe('time clock pages', () => {
  for (const theme of ['light', 'dark'] as const) {
    test(`live floor, timesheets and kiosk render, pass axe and work with the keyboard (${theme})`, async () => {
      const context = await newContext(browser, theme);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await login(page, 'manager');
      const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
      assert.ok(nav.includes('Live floor') && nav.includes('Timesheets'), `manager nav: ${nav.join(', ')}`);

      // Live floor: the location lands in the address; rows with status badges; filter chips.
      await open(page, '/live', /^Live floor$/);
      await page.waitForURL(/locationId=/);
      await page.getByTestId('live-row').first().waitFor();
      await screenshot(page, `manager-live-${theme}`);
      await axeClean(page, `live floor (${theme})`);
      const chips = page.getByRole('group', { name: 'Filter by status' }).getByRole('button');
      assert.ok((await chips.count()) >= 2, 'status chips');
      const chip = chips.nth(1);
      const chipStatus = (await chip.getAttribute('data-chip'))!;
      await chip.focus();
      await page.keyboard.press('Enter');
      assert.equal(await chip.getAttribute('aria-pressed'), 'true');
      await page.waitForURL(new RegExp(`status=${chipStatus}`));
      const statuses = await page.getByTestId('live-row').evaluateAll((rows) => rows.map((r: any) => r.dataset.status));
      assert.ok(statuses.length > 0 && statuses.every((s) => s === chipStatus), `filtered to ${chipStatus}: ${statuses.join(',')}`);
      await page.getByRole('button', { name: /^Everyone/ }).click();

      // Quick punch dialog: the reason is required.
      await page.getByRole('button', { name: /^Record a punch for / }).first().click();
      const dialog = page.getByRole('dialog', { name: /^Record a punch for / });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Record punch' }).click();
      await dialog.getByText('Say why (at least 3 characters)').waitFor();
      await screenshot(page, `manager-live-punch-dialog-${theme}`);
      await axeClean(page, `punch dialog (${theme})`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      // Timesheets: a week by default, rows expand to their shifts.
      await open(page, '/timesheets', /^Timesheets$/);
      await page.getByTestId('timesheet-row').first().waitFor();
      const expand = page.getByTestId('timesheet-row').first().getByRole('button');
      await expand.focus();
      await page.keyboard.press('Enter');
      assert.equal(await expand.getAttribute('aria-expanded'), 'true');
      await page.getByRole('table', { name: /^Shifts of / }).first().waitFor();
      await screenshot(page, `manager-timesheets-${theme}`);
      await axeClean(page, `timesheets (${theme})`);

      // Kiosk: full screen, no sidebar.
      const { locationId } = await employeeOnFloor();
      await open(page, `/kiosk?locationId=${locationId}`, /^Clock in or out$/);
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0, 'the kiosk has no sidebar');
      await screenshot(page, `manager-kiosk-${theme}`);
      await axeClean(page, `kiosk (${theme})`);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
});

describe('live floor', () => {
  test('shows a punch made through the API in another context without a reload', async () => {
    const person = await employeeOnFloor();
    const context = await newContext(browser, 'dark');
    const page = await context.newPage();
    // Admin: org-wide, so subscribed to every location's floor channel.
    await login(page, 'admin');
    await page.locator('[data-testid="live-indicator"][data-status="connected"]').waitFor();
    await open(page, `/live?locationId=${person.locationId}`, /^Live floor$/);
    await page.getByTestId('live-row').first().waitFor();
    await page.evaluate(() => ((globalThis as any).__noReload = true));
    // Keep the place: focus a control before the update arrives.
    await page.getByRole('button', { name: /^Everyone/ }).focus();

    const before = person.row?.status;
    const kind = person.nextAction === 'clock_in' ? 'clock_in' : 'clock_out';
    const punched = await call<{ id: string }>('employee', 'POST', '/clock-events', { id: randomUUID(), employeeId: person.id, kind, source: 'e2e' });
    assert.ok([201, 202].includes(punched.status), `punch answered ${punched.status} ${JSON.stringify(punched.body)}`);
    const expected = kind === 'clock_in' ? /^(on_shift|unscheduled|overtime)$/ : /^clocked_out$/;

    const row = page.locator(`[data-testid="live-row"][data-employee-id="${person.id}"]`);
    await page.waitForFunction(
      ({ id, pattern }) => {
        const el = (globalThis as any).document.querySelector(`[data-testid="live-row"][data-employee-id="${id}"]`);
        return el && new RegExp(pattern).test(el.dataset.status);
      },
      { id: person.id, pattern: expected.source },
      { timeout: 10_000 },
    );
    const after = await row.getAttribute('data-status');
    process.stdout.write(`  ${person.name}: ${before ?? '(not on the floor)'} -> ${after} after ${kind}, no reload\n`);
    assert.equal(await page.evaluate(() => (globalThis as any).__noReload), true, 'the page was not reloaded');
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent?.startsWith('Everyone')), true, 'focus kept');
    await row.scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-live-after-punch-dark');
    await context.close();
  });
});

describe('kiosk', () => {
  test('a punch made offline is queued, sent when the network returns, and stored exactly once', async () => {
    const person = await employeeOnFloor();
    // The demo sets PIN 1234 for employee@; set it again so the test also holds on a fresh fixture.
    const pin = await call('manager', 'PUT', `/employees/${person.id}/pin`, { pin: '1234' });
    assert.equal(pin.status, 204);

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await login(page, 'manager');
    await open(page, `/kiosk?locationId=${person.locationId}`, /^Clock in or out$/);

    await context.setOffline(true);
    await page.locator('[data-testid="kiosk-queue"][data-online="false"]').waitFor();
    await page.getByLabel('Your name or badge number').fill(person.name.split(' ')[0]!);
    await page.getByRole('list', { name: 'People found' }).getByRole('button', { name: new RegExp(person.name) }).click();
    await page.getByRole('heading', { level: 1, name: person.name }).waitFor();
    const pad = page.getByRole('group', { name: 'PIN pad' });
    for (const digit of '1234') await pad.getByRole('button', { name: digit, exact: true }).click();
    await screenshot(page, 'manager-kiosk-pin-light');
    await axeClean(page, 'kiosk PIN pad');
    const action = page.locator('form button[type="submit"]');
    const label = (await action.textContent())!.trim();
    await action.click();

    await page.locator('[data-testid="kiosk-done"][data-outcome="queued"]').waitFor();
    await page.locator('[data-testid="kiosk-queue"][data-count="1"]').waitFor();
    await page.getByText('1 punch waiting to send').waitFor();
    await screenshot(page, 'manager-kiosk-queued-light');
    await axeClean(page, 'kiosk queued confirmation');
    const queued = await page.evaluate(() => JSON.parse((globalThis as any).localStorage.getItem('workfloor.kiosk.queue'))[0]);
    assert.equal(queued.employeeId, person.id);
    process.stdout.write(`  queued offline: ${label} for ${person.name}, id ${queued.id}, at ${queued.at}\n`);

    // Nothing reached the server while offline.
    const day = Date.parse(queued.at);
    const range = `employeeId=${person.id}&from=${utcDate(day - 86_400_000)}&to=${utcDate(day + 86_400_000)}`;
    const before = await call<{ items: { id: string }[] }>('manager', 'GET', `/clock-events?${range}`);
    assert.equal(before.body.items.filter((e) => e.id === queued.id).length, 0);

    await context.setOffline(false);
    await page.locator('[data-testid="kiosk-queue"][data-count="0"]').waitFor({ timeout: 20_000 });
    await page.getByText('All punches sent').waitFor();
    await screenshot(page, 'manager-kiosk-sent-light');

    const stored = await call<{ items: { id: string; at: string; kind: string; source: string }[] }>('manager', 'GET', `/clock-events?${range}`);
    const mine = stored.body.items.filter((e) => e.id === queued.id);
    assert.equal(mine.length, 1, 'exactly one punch with the queued id');
    assert.equal(Date.parse(mine[0]!.at), Date.parse(queued.at), 'stored with the time the button was pressed');
    assert.equal(mine[0]!.kind, queued.kind);
    assert.equal(mine[0]!.source, 'kiosk');

    // Sending it again (a retry whose answer was lost) is a replay, not a second punch.
    const replay = await call('manager', 'POST', '/kiosk/punch', { id: queued.id, employeeId: queued.employeeId, kind: queued.kind, at: queued.at, locationId: queued.locationId, pin: '1234' });
    assert.equal(replay.status, 200);
    const again = await call<{ items: { id: string }[] }>('manager', 'GET', `/clock-events?${range}`);
    assert.equal(again.body.items.filter((e) => e.id === queued.id).length, 1);

    // The confirmation returns to the start by itself.
    await page.getByRole('heading', { level: 1, name: 'Clock in or out' }).waitFor({ timeout: 10_000 });
    // The one expected console error is the failed request while offline.
    assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)), []);
    await context.close();
  });

  test('a wrong PIN is refused on the spot and nothing is queued', async () => {
    const person = await employeeOnFloor();
    const context = await newContext(browser, 'dark');
    const page = await context.newPage();
    await login(page, 'manager');
    await open(page, `/kiosk?locationId=${person.locationId}`, /^Clock in or out$/);
    await page.getByLabel('Your name or badge number').fill(person.name.split(' ')[0]!);
    await page.getByRole('list', { name: 'People found' }).getByRole('button', { name: new RegExp(person.name) }).click();
    // The PIN field takes the keyboard too.
    await page.keyboard.type('9999');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').getByText(/Wrong PIN/).waitFor();
    await screenshot(page, 'manager-kiosk-wrong-pin-dark');
    await axeClean(page, 'kiosk wrong PIN (dark)');
    assert.equal(await page.locator('[data-testid="kiosk-queue"]').getAttribute('data-count'), '0');
    await context.close();
  });
});

describe('timesheets', () => {
  test('export downloads the CSV with the page filters; a period can be approved and locked', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await login(page, 'admin');
    await open(page, '/timesheets', /^Timesheets$/);
    await page.getByTestId('timesheet-row').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const file = await download.path();
    const csv = fs.readFileSync(file!, 'utf8');
    const [header, ...lines] = csv.split(/\r?\n/).filter(Boolean);
    assert.equal(
      header,
      'employee_id,payroll_id,name,department,location,date,clock_in,clock_out,break_minutes,worked_minutes,overtime_minutes,scheduled_minutes,difference_minutes,row_type',
    );
    // Shift rows, then one total row per person with the period's overtime and schedule difference.
    const rowTypes = new Set(lines.map((l) => l.split(',').at(-1)));
    assert.ok(rowTypes.has('shift') && rowTypes.has('total'), `row types: ${[...rowTypes].join(', ')}`);
    assert.match(download.suggestedFilename(), /^timesheets-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    process.stdout.write(`  exported ${download.suggestedFilename()}: ${lines.length} rows\n`);

    // Lock a long-past week (nothing else in the suite punches there) for the employee's location.
    const { locationId } = await employeeOnFloor();
    const weeksBack = 20 + Math.floor(Math.random() * 400);
    const monday = new Date(Date.now() - weeksBack * 7 * 86_400_000);
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
    const from = utcDate(monday.getTime());
    const to = utcDate(monday.getTime() + 6 * 86_400_000);
    await open(page, `/timesheets?from=${from}&to=${to}&locationId=${locationId}`, /^Timesheets$/);
    await page.getByRole('button', { name: 'Approve & lock' }).first().click();
    const confirm = page.getByRole('dialog', { name: /^Approve and lock / });
    await confirm.waitFor();
    await screenshot(page, 'admin-timesheets-lock-dialog-light');
    await axeClean(page, 'lock dialog');
    await confirm.getByRole('button', { name: 'Approve & lock' }).click();
    await page.getByTestId('timesheet-locks').getByText(/approved and locked/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Period locked' }).isDisabled(), true, 'a locked period cannot be locked again');
    await settle(page);
    await screenshot(page, 'admin-timesheets-locked-light');
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('punch import', () => {
  test('imports a punch CSV mapped in the dialog and reports a bad line by its number', async () => {
    const listed = await call<{ items: { id: string; name: string; externalIds: { payroll?: string | null } }[] }>('manager', 'GET', '/employees?limit=1');
    const person = listed.body.items[0]!;
    assert.ok(person.externalIds.payroll, `${person.name} has a payroll id`);
    // Two punches a few minutes apart, after the person's latest punch and within the last two hours.
    const now = Date.now();
    const recent = await call<{ items: { at: string }[] }>('manager', 'GET', `/clock-events?employeeId=${person.id}&from=${utcDate(now - 86_400_000)}&to=${utcDate(now)}`);
    const latest = Math.max(now - 110 * 60_000, ...recent.body.items.map((e) => Date.parse(e.at) + 60_000));
    const t1 = new Date(Math.min(latest, now - 10 * 60_000)).toISOString();
    const t2 = new Date(Date.parse(t1) + 5 * 60_000).toISOString();
    const csv = ['payroll_id,event,timestamp', `${person.externalIds.payroll},clock in,${t1}`, `${person.externalIds.payroll},clock out,${t2}`, `${person.externalIds.payroll},lunch,${t2}`].join('\n');

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await login(page, 'manager');
    await open(page, '/timesheets', /^Timesheets$/);
    await page.getByRole('button', { name: 'Import punches' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import punches' });
    await dialog.waitFor();
    await dialog.getByLabel('CSV file').setInputFiles({ name: 'punches.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await dialog.getByLabel('Employee column').selectOption('payroll_id');
    await dialog.getByLabel("It holds the person's").selectOption('payroll');
    await dialog.getByLabel('Punch kind column').selectOption('event');
    await dialog.getByLabel('Time column').selectOption('timestamp');
    await dialog.getByRole('button', { name: 'Import punches' }).click();

    const result = dialog.getByTestId('import-result');
    await result.waitFor();
    assert.equal(await result.getByTestId('import-rows').textContent(), '3');
    const problems = await result.getByTestId('import-errors').getByRole('listitem').allTextContents();
    assert.ok(problems.some((p) => /^Line 4/.test(p) && /Unknown punch kind "lunch"/.test(p)), `line 4 reported: ${problems.join(' | ')}`);
    assert.ok(problems.every((p) => /^Line \d+/.test(p)), 'every problem names its line');
    const accepted = await result.getByTestId('import-accepted').textContent();
    process.stdout.write(`  imported for ${person.name}: ${accepted} accepted; problems: ${problems.join(' | ')}\n`);
    await result.scrollIntoViewIfNeeded();
    await screenshot(page, 'manager-timesheets-import-light');
    await axeClean(page, 'import dialog');

    // The same file again adds nothing.
    await dialog.getByRole('button', { name: 'Import again' }).click();
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid="import-accepted"]')?.textContent === '0');
    assert.equal(await result.getByTestId('import-replayed').textContent(), accepted);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
