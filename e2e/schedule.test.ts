/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate callbacks run in the browser; this project's Node tsconfig has no DOM types. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launch, login, newContext, screenshot, seriousA11yViolations, settle, watchErrors } from './browser.ts';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function axeClean(page: Page, what: string) {
  const problems = await seriousA11yViolations(page);
  assert.deepEqual(problems, [], `${what}: serious/critical axe violations:\n${JSON.stringify(problems, null, 2)}`);
}

async function open(page: Page, path: string, heading: RegExp) {
  await page.goto(path);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await settle(page);
}

const activeElement = (page: Page) =>
  page.evaluate(() => {
    const el = (globalThis as any).document.activeElement;
    return { cell: el?.getAttribute('data-cell') as string | null, request: el?.getAttribute('data-request') as string | null };
  });

describe('scheduling pages', () => {
  for (const theme of ['light', 'dark'] as const) {
    test(`schedule grid, approvals and my schedule (${theme}): render, explain themselves, pass axe`, async () => {
      const context = await newContext(browser, theme);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await login(page, 'manager');
      const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
      assert.ok(links.includes('Schedule') && links.includes('Approvals'), `manager nav: ${links.join(', ')}`);

      // The grid: people by days, grouped by department, the zone labelled.
      await open(page, '/schedule', /^Schedule$/);
      const grid = page.getByRole('grid', { name: /^Schedule, \d+ people/ });
      await grid.waitFor();
      assert.match((await page.getByTestId('schedule-zone').textContent()) ?? '', /UTC/);
      assert.ok((await grid.getByRole('rowheader').count()) > 5, 'people rows are rendered');
      await screenshot(page, `schedule-week-${theme}`);
      await axeClean(page, `/schedule (${theme})`);

      // Hovering a shift explains where it comes from.
      const filled = grid.locator('[role="gridcell"][data-filled="true"]').first();
      await filled.hover();
      const tip = page.getByRole('tooltip');
      await tip.waitFor();
      assert.match((await tip.getByTestId('provenance').first().textContent()) ?? '', /^(Contract from \d{4}-\d{2}-\d{2}|.*#\d+)/);
      await screenshot(page, `schedule-provenance-${theme}`);

      // Keyboard: the roving tab stop moves with the arrows, Enter opens the day.
      await grid.locator('[role="gridcell"][tabindex="0"]').focus();
      const start = (await activeElement(page)).cell;
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowDown');
      const moved = (await activeElement(page)).cell;
      assert.ok(start && moved && start !== moved, `focus moved from ${start} to ${moved}`);
      await page.getByRole('tooltip').waitFor();
      await filled.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await dialog.getByText(/Contract from|approved by/).first().waitFor();
      if (theme === 'light') await screenshot(page, 'schedule-shift-dialog-light');
      await axeClean(page, `/schedule shift dialog (${theme})`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      // Month view.
      await page.getByRole('button', { name: 'Month', exact: true }).click();
      await page.getByRole('grid', { name: /^Schedule, \d+ people, \w+ \d{4}$/ }).waitFor();
      await settle(page);
      await screenshot(page, `schedule-month-${theme}`);
      await axeClean(page, `/schedule month (${theme})`);

      // The inbox, with the effect of the first request shown before deciding.
      await open(page, '/approvals', /^Approvals$/);
      await page.getByRole('list', { name: 'Pending requests' }).waitFor();
      await page.getByTestId('adjustment-preview').waitFor();
      await screenshot(page, `approvals-${theme}`);
      await axeClean(page, `/approvals (${theme})`);
      await page.getByRole('tab', { name: 'Decided' }).click();
      await settle(page);
      await screenshot(page, `approvals-decided-${theme}`);
      await axeClean(page, `/approvals decided (${theme})`);
      assert.deepEqual(errors, []);
      await context.close();

      // The employee's own schedule.
      const employeeContext = await newContext(browser, theme);
      const employee = await employeeContext.newPage();
      const employeeErrors = watchErrors(employee);
      await login(employee, 'employee');
      await open(employee, '/my-schedule', /^My schedule$/);
      await employee.getByTestId('my-shift').first().waitFor();
      await employee.getByTestId('my-shift').first().focus();
      await employee.getByTestId('my-shift').first().getByTestId('provenance').waitFor();
      assert.match((await employee.getByTestId('calendar-url').inputValue()) ?? '', /\/api\/v1\/employees\/[0-9a-f-]{36}\/calendar\.ics\?token=/);
      await screenshot(employee, `my-schedule-${theme}`);
      await axeClean(employee, `/my-schedule (${theme})`);
      assert.deepEqual(employeeErrors, []);
      await employeeContext.close();
    });
  }
});

describe('schedule grid editing', () => {
  test('a manager drags across empty days to add extra shifts, approved at once', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await login(page, 'manager');
    // Two weeks ahead: nothing there yet but contract shifts.
    const ahead = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await open(page, `/schedule?date=${ahead}`, /^Schedule$/);
    const grid = page.getByRole('grid', { name: /^Schedule/ });
    await grid.waitFor();

    // The first person with two empty days side by side.
    const pair = await page.evaluate(() => {
      const rows = (globalThis as any).document.querySelectorAll('[role="row"]');
      for (const row of rows) {
        const cells = [...row.querySelectorAll('[role="gridcell"]')] as any[];
        for (let i = 0; i + 1 < cells.length; i++) {
          if (!cells[i].dataset.filled && !cells[i + 1].dataset.filled) return [cells[i].dataset.cell, cells[i + 1].dataset.cell, cells[i].dataset.employee];
        }
      }
      return null;
    });
    assert.ok(pair, 'a row with two empty days');
    const [a, b] = pair as [string, string, string];
    const boxA = (await page.locator(`[data-cell="${a}"]`).boundingBox())!;
    const boxB = (await page.locator(`[data-cell="${b}"]`).boundingBox())!;
    await page.mouse.move(boxA.x + boxA.width / 2, boxA.y + boxA.height / 2);
    await page.mouse.down();
    await page.mouse.move(boxB.x + boxB.width / 2, boxB.y + boxB.height / 2, { steps: 5 });
    await page.mouse.up();
    const dialog = page.getByRole('dialog', { name: 'Add an extra shift' });
    await dialog.waitFor();
    await screenshot(page, 'schedule-extra-shift-dialog-light');
    await dialog.getByLabel('Starts').fill('10:00');
    await dialog.getByLabel('Ends').fill('14:00');
    await dialog.getByRole('button', { name: 'Add 2 shifts' }).click();
    await page.getByText(/Added 2 extra shifts/).waitFor();
    // Both days now hold an adjustment shift, drawn differently from contract shifts.
    await page.locator(`[data-cell="${a}"] [data-layer="adjustment"]`).waitFor();
    await page.locator(`[data-cell="${b}"] [data-layer="adjustment"]`).waitFor();
    await screenshot(page, 'schedule-extra-shift-added-light');
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('approval while the employee watches', () => {
  test('an employee asks for time off, the manager approves it with j/a, the employee sees it without a reload', async () => {
    const employeeContext = await newContext(browser);
    const managerContext = await newContext(browser, 'dark');
    const employee = await employeeContext.newPage();
    const manager = await managerContext.newPage();
    const employeeErrors = watchErrors(employee);
    await login(employee, 'employee');
    await login(manager, 'manager');

    // The manager's inbox is open before the request exists: it must arrive live.
    await open(manager, '/approvals', /^Approvals$/);

    await open(employee, '/my-schedule', /^My schedule$/);
    // A marker that a reload would wipe.
    await employee.evaluate(() => ((globalThis as any).__noReload = true));
    const shifts = employee.getByTestId('my-shift');
    await shifts.nth(1).waitFor();
    const shift = shifts.nth(1);
    const date = await shift.getAttribute('data-date');
    const before = (await shift.getByTestId('my-shift-time').textContent())?.trim() ?? '';
    const [startTime, endTime] = before.split('–') as [string, string];
    // Leave two hours early.
    const [h, m] = endTime.split(':').map(Number) as [number, number];
    const offFrom = `${String((h + 22) % 24).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
    await shift.getByRole('button', { name: /Request time off/ }).click();
    const dialog = employee.getByRole('dialog', { name: 'Request time off' });
    await dialog.waitFor();
    await dialog.getByLabel('From time').fill(offFrom);
    await dialog.getByLabel('Reason').fill('e2e: leaving early for the dentist');
    await screenshot(employee, 'my-schedule-request-dialog-light');
    await dialog.getByRole('button', { name: 'Send request' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const request = employee.locator('[data-testid="my-request"][data-status="pending"]', { hasText: 'e2e: leaving early for the dentist' });
    await request.waitFor();
    const number = await request.getAttribute('data-number');

    // Manager: the request arrives in the open inbox, then j moves, k comes back, a approves.
    const row = manager.locator('[data-request]', { hasText: `#${number}` });
    await row.waitFor({ timeout: 15_000 });
    await manager.locator('h1').click(); // focus off any control: the shortcuts are page-wide
    const target = await row.getAttribute('data-request');
    await manager.keyboard.press('j');
    await manager.keyboard.press('k');
    for (let i = 0; i < 50; i++) {
      const current = await manager.locator('[data-request][aria-current="true"]').getAttribute('data-request');
      if (current === target) break;
      await manager.keyboard.press('j');
    }
    assert.equal((await activeElement(manager)).request ?? target, target);
    assert.equal(await manager.locator('[data-request][aria-current="true"]').getAttribute('data-request'), target);
    await manager.getByTestId('adjustment-preview').locator('[data-changed]').first().waitFor();
    await screenshot(manager, 'approvals-before-approve-dark');
    await manager.keyboard.press('a');
    await manager.getByText(new RegExp(`Approved #${number}`)).waitFor();
    await row.waitFor({ state: 'detached' });

    // Employee: approved, and the shift is two hours shorter, with no reload.
    await employee.locator(`[data-testid="my-request"][data-number="${number}"][data-status="approved"]`).waitFor({ timeout: 15_000 });
    const shortened = employee.locator(`[data-testid="my-shift"][data-date="${date}"]`).first();
    await employee.waitForFunction(
      ([d, text]) => [...(globalThis as any).document.querySelectorAll(`[data-testid="my-shift"][data-date="${d}"] [data-testid="my-shift-time"]`)].some((el: any) => el.textContent.trim() === text),
      [date, `${startTime}–${offFrom}`] as const,
      { timeout: 15_000 },
    );
    assert.match((await shortened.textContent()) ?? '', /time off #\d+|Contract/);
    assert.equal(await employee.evaluate(() => (globalThis as any).__noReload), true, 'the employee page was not reloaded');
    await shortened.focus();
    assert.match((await shortened.getByTestId('provenance').textContent()) ?? '', new RegExp(`time off #${number}`));
    await screenshot(employee, 'my-schedule-after-approval-light');
    assert.deepEqual(employeeErrors, []);
    await employeeContext.close();
    await managerContext.close();
  });
});

describe('swap request from my schedule', () => {
  test('an employee asks a colleague to swap a shift; the form checks it with the shared schema before sending', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await login(page, 'employee');
    await open(page, '/my-schedule', /^My schedule$/);

    // The page-wide action opens an empty swap draft; Escape closes it.
    await page.getByRole('button', { name: 'Ask for a swap' }).click();
    await page.getByRole('dialog', { name: 'Ask for a swap' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });

    // A shift's own Swap button: the window is that shift's local day.
    const shift = page.getByTestId('my-shift').nth(2);
    await shift.waitFor();
    const date = await shift.getAttribute('data-date');
    await shift.getByRole('button', { name: /Ask a colleague to swap the shift/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Ask for a swap' });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('From day').inputValue(), date);
    assert.equal(await dialog.getByLabel('From time').inputValue(), '00:00');

    // Nothing chosen, no reason: refused in the browser, no request sent.
    let posted = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/adjustments')) posted++;
    });
    await dialog.getByRole('button', { name: 'Ask for the swap' }).click();
    await dialog.getByText('Choose the colleague to swap with.').waitFor();
    await dialog.getByText('Say briefly why: your manager reads it.').waitFor();
    assert.equal(await dialog.getByLabel('Swap with').getAttribute('aria-invalid'), 'true');
    assert.equal(posted, 0, 'an invalid swap is not sent');
    await axeClean(page, '/my-schedule swap dialog with errors');

    const select = dialog.getByLabel('Swap with');
    await select.locator('option').nth(1).waitFor({ state: 'attached' });
    assert.ok((await select.locator('option').count()) > 1, 'colleagues are listed for an employee');
    await select.selectOption({ index: 1 });
    const chosen = ((await select.locator('option:checked').textContent()) ?? '').split(' · ')[0]!.trim();
    await dialog.getByLabel('Reason').fill('e2e: swap for the school play');
    await screenshot(page, 'my-schedule-swap-dialog-light');
    await dialog.getByRole('button', { name: 'Ask for the swap' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(posted, 1);

    const request = page.locator('[data-testid="my-request"][data-status="pending"]', { hasText: 'e2e: swap for the school play' });
    await request.waitFor();
    const text = (await request.textContent()) ?? '';
    assert.ok(text.includes(`Waiting for ${chosen} to accept.`), `the request names the colleague: ${text}`);
    await screenshot(page, 'my-schedule-swap-requested-light');
    await axeClean(page, '/my-schedule after a swap request');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
