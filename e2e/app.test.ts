/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate callbacks run in the browser; this project's Node tsconfig has no DOM types. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { baseURL, launch, login, loginPageJs, newContext, screenshot, seriousA11yViolations, settle, waitForPath, watchErrors, type Role } from './browser.ts';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

interface PageCheck {
  path: string;
  name: string;
  heading: RegExp;
}

const staffPages: PageCheck[] = [
  { path: '/overview', name: 'overview', heading: /^Good (morning|afternoon|evening)/ },
  { path: '/people', name: 'people', heading: /^People$/ },
  { path: '/locations', name: 'locations', heading: /^Locations$/ },
  { path: '/departments', name: 'departments', heading: /^Departments$/ },
  { path: '/audit', name: 'audit', heading: /^Audit log$/ },
];
const adminPages: PageCheck[] = [
  ...staffPages,
  { path: '/users', name: 'users', heading: /^Users & roles$/ },
  { path: '/api-keys', name: 'api-keys', heading: /^API keys$/ },
];

async function checkPage(page: Page, role: string, check: PageCheck, theme: string) {
  const started = Date.now();
  await page.goto(check.path);
  try {
    await page.getByRole('heading', { level: 1, name: check.heading }).waitFor();
  } catch (err) {
    await screenshot(page, `FAILED-${role}-${check.name}-${theme}`);
    throw err;
  }
  await settle(page);
  await screenshot(page, `${role}-${check.name}-${theme}`);
  const problems = await seriousA11yViolations(page);
  assert.deepEqual(problems, [], `${role} ${check.path} (${theme}): serious/critical axe violations:\n${JSON.stringify(problems, null, 2)}`);
  process.stdout.write(`  ${role} ${check.path} (${theme}): rendered, screenshot, axe clean in ${Date.now() - started} ms\n`);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function navLinks(page: Page) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
}

describe('log-in page', () => {
  test('downloads little JavaScript, passes axe, and refuses a wrong password', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const { files, gzippedKb: kb } = await loginPageJs(page);
    process.stdout.write(`  log-in page initial JS: ${files} files, ${kb.toFixed(1)} KB gzipped\n`);
    // A budget, not a timing: the log-in page must not pull in the app (charts, grids, forms).
    assert.ok(kb < 150, `log-in page JS is ${kb.toFixed(1)} KB gzipped`);
    await screenshot(page, 'login-light');
    assert.deepEqual(await seriousA11yViolations(page), []);

    await page.getByLabel('Work e-mail').fill('admin@northwind.example');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /./);
    await screenshot(page, 'login-error-light');
    await context.close();

    const dark = await newContext(browser, 'dark');
    const darkPage = await dark.newPage();
    await darkPage.goto('/login');
    await darkPage.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await darkPage.evaluate(() => (globalThis as any).document.documentElement.classList.contains('dark')), true);
    await screenshot(darkPage, 'login-dark');
    assert.deepEqual(await seriousA11yViolations(darkPage), []);
    await dark.close();
  });
});

for (const theme of ['light', 'dark'] as const) {
  describe(`admin (${theme})`, () => {
    test('sees every page, each accessible, with a live connection', async () => {
      const context = await newContext(browser, theme);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await login(page, 'admin');
      assert.deepEqual(await navLinks(page), ['Overview', 'Coverage', 'Live floor', 'Timesheets', 'Schedule', 'Approvals', 'Audit log', 'People', 'Locations', 'Departments', 'Users & roles', 'API keys']);
      await page.locator('[data-testid="live-indicator"][data-status="connected"]').waitFor();
      for (const check of adminPages) await checkPage(page, 'admin', check, theme);

      // Person detail, from the directory.
      await page.goto('/people');
      await page.getByRole('region', { name: /^People, \d+ rows$/ }).waitFor();
      const first = page.getByRole('region', { name: /^People/ }).getByRole('link').first();
      await first.click();
      await waitForPath(page, /\/people\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { name: 'Details' }).waitFor();
      await settle(page);
      await screenshot(page, `admin-person-${theme}`);
      assert.deepEqual(await seriousA11yViolations(page), []);

      if (theme === 'light') {
        // Dialogs: the create-person form, validated by the shared schema, and the command palette.
        await page.goto('/people');
        await page.getByRole('button', { name: 'Add person' }).click();
        const dialog = page.getByRole('dialog', { name: 'Add person' });
        await dialog.waitFor();
        await dialog.getByRole('button', { name: 'Add person' }).click();
        await dialog.getByText('Choose a location').waitFor();
        await screenshot(page, 'admin-add-person-dialog-light');
        assert.deepEqual(await seriousA11yViolations(page), []);
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });

        await page.keyboard.press('Control+k');
        const palette = page.getByRole('dialog', { name: 'Command palette' });
        await palette.waitFor();
        await page.keyboard.type('Locations');
        await screenshot(page, 'admin-command-palette-light');
        await page.keyboard.press('Enter');
        await waitForPath(page, /\/locations$/);

        // The palette finds a person by name, and Enter opens their page.
        await page.goto('/people');
        const personLink = page.getByRole('region', { name: /^People/ }).getByRole('link').first();
        const personName = (await personLink.textContent())!.trim();
        const personId = (await personLink.getAttribute('href'))!.split('/').pop()!;
        await page.keyboard.press('Control+k');
        await palette.waitFor();
        await page.keyboard.type(personName);
        await palette.getByRole('option', { name: new RegExp(`^${escapeRegExp(personName)}`), selected: true }).waitFor();
        await screenshot(page, 'admin-command-palette-person-light');
        await page.keyboard.press('Enter');
        await waitForPath(page, new RegExp(`/people/${personId}$`));
        await page.getByRole('heading', { level: 1, name: new RegExp(`^${escapeRegExp(personName)}`) }).waitFor();
        await palette.waitFor({ state: 'hidden' });
      }
      assert.deepEqual(errors, []);
      await context.close();
    });
  });
}

describe('API keys', () => {
  // Its own test, after both admin runs: the revoked key it leaves behind is not part of their pages.
  test('a new key is shown once, copied, then revoked', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await login(page, 'admin');
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
    await page.goto('/api-keys');
    await page.getByRole('button', { name: 'Create key' }).first().click();
    const keyDialog = page.getByRole('dialog', { name: 'Create API key' });
    const keyName = `e2e key ${Date.now()}`;
    await keyDialog.getByLabel('Name').fill(keyName);
    await keyDialog.getByRole('radiogroup', { name: 'org access' }).getByText('read').click();
    await keyDialog.getByRole('button', { name: 'Create key' }).click();
    const key = await page.getByTestId('created-api-key').inputValue();
    assert.ok(key.length > 20, 'the new key is shown');
    await page.getByRole('button', { name: 'Copy key' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText()), key, 'Copy puts the key on the clipboard');
    await screenshot(page, 'admin-api-key-created-light');
    await page.getByRole('button', { name: 'Done' }).click();

    const keyRow = page.getByRole('row').filter({ hasText: keyName });
    assert.equal(await keyRow.getByText('Active', { exact: true }).count(), 1, 'the new key is listed as active');
    await keyRow.getByRole('button', { name: `Revoke ${keyName}` }).click();
    const revokeDialog = page.getByRole('dialog', { name: `Revoke ${keyName}?` });
    await revokeDialog.getByRole('button', { name: 'Revoke key' }).click();
    await revokeDialog.waitFor({ state: 'hidden' });
    await keyRow.getByText('Revoked', { exact: true }).waitFor();
    assert.equal(await keyRow.getByRole('button', { name: `Revoke ${keyName}` }).count(), 0, 'a revoked key offers no revoke button');
    await screenshot(page, 'admin-api-key-revoked-light');
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('users & roles', () => {
  test('an admin adds a user, then changes their role and scope in the edit dialog', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await login(page, 'admin');
    await page.goto('/users');
    await page.getByRole('heading', { level: 1, name: 'Users & roles' }).waitFor();

    // Created as an employee; scope ticked while "manager" was chosen is not sent for an employee.
    const email = `e2e-${Date.now()}@northwind.example`;
    await page.getByRole('button', { name: 'Add user' }).click();
    const add = page.getByRole('dialog', { name: 'Add user' });
    await add.getByLabel('E-mail').fill(email);
    await add.getByLabel('Name').fill('E2E Role Change');
    await add.getByLabel('Initial password').fill('e2e-password-123');
    await add.getByLabel('Role').selectOption('manager');
    await add.getByRole('group', { name: 'Manages whole locations' }).getByRole('checkbox').first().check();
    await add.getByLabel('Role').selectOption('employee');
    await add.getByRole('button', { name: 'Add user' }).click();
    await add.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ hasText: email });
    await row.getByText('Own record').waitFor();

    // Edit: employee -> manager of one whole location.
    await row.getByRole('button', { name: `Edit ${email}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${email}` });
    await edit.waitFor();
    assert.equal(await edit.getByLabel('Role').inputValue(), 'employee');
    await edit.getByLabel('Role').selectOption('manager');
    const firstLocation = edit.getByRole('group', { name: 'Manages whole locations' }).getByRole('checkbox').first();
    const locationName = (await edit.getByRole('group', { name: 'Manages whole locations' }).locator('label').first().textContent())!.trim();
    await firstLocation.check();
    await screenshot(page, 'admin-edit-user-dialog-light');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'hidden' });
    await row.getByText('manager', { exact: true }).waitFor();
    await row.getByText(`${locationName} (all)`).waitFor();
    await screenshot(page, 'admin-users-after-edit-light');

    // Back to employee: the scope goes with the role.
    await row.getByRole('button', { name: `Edit ${email}` }).click();
    await edit.getByLabel('Role').selectOption('employee');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'hidden' });
    await row.getByText('Own record').waitFor();
    assert.equal(await row.getByText('employee', { exact: true }).count(), 1);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('manager', () => {
  test('sees the pages of their scope, not the admin pages', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const context = await newContext(browser, theme);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await login(page, 'manager');
      const links = await navLinks(page);
      assert.ok(!links.includes('Users & roles') && !links.includes('API keys'), `manager nav: ${links.join(', ')}`);
      for (const check of staffPages) await checkPage(page, 'manager', check, theme);
      await page.goto('/users');
      await waitForPath(page, /\/overview$/);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
});

describe('employee', () => {
  test('sees their own profile only', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const context = await newContext(browser, theme);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await login(page, 'employee');
      await waitForPath(page, /\/me$/);
      assert.deepEqual(await navLinks(page), ['My schedule', 'My profile']);
      await page.getByRole('heading', { level: 1, name: /My profile/ }).waitFor();
      await settle(page);
      await screenshot(page, `employee-profile-${theme}`);
      assert.deepEqual(await seriousA11yViolations(page), []);
      await page.goto('/people');
      await waitForPath(page, /\/me$/);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
});

describe('keyboard only', () => {
  test('log in, skip to content, and navigate without a mouse', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // The e-mail field has focus on arrival.
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.name), 'email');
    await page.keyboard.type('manager@northwind.example');
    await page.keyboard.press('Tab');
    await page.keyboard.type('workfloor-demo');
    await page.keyboard.press('Enter');
    await waitForPath(page, /\/overview$/);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();

    // First Tab on arrival reaches the skip link; it moves focus to the content.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.id), 'main');

    // Tab through the sidebar to "People" and open it.
    await page.evaluate(() => (globalThis as any).document.activeElement?.blur());
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => (globalThis as any).document.activeElement?.textContent?.trim())) === 'People') break;
    }
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent?.trim()), 'People');
    await page.keyboard.press('Enter');
    await waitForPath(page, /\/people$/);
    await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
    await screenshot(page, 'keyboard-focus-people-light');

    // The command palette opens with Ctrl+K and closes with Escape.
    await page.keyboard.press('Control+k');
    await page.getByRole('dialog', { name: 'Command palette' }).waitFor();
    await page.keyboard.type('depart');
    await page.keyboard.press('Enter');
    await waitForPath(page, /\/departments$/);
    await page.keyboard.press('Control+k');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Command palette' }).waitFor({ state: 'hidden' });
    await context.close();
  });
});

describe('live updates', () => {
  test('a person edited in one browser changes in another without a reload', async () => {
    const adminContext = await newContext(browser);
    const managerContext = await newContext(browser, 'dark');
    const admin = await adminContext.newPage();
    const manager = await managerContext.newPage();
    await login(admin, 'admin');
    await login(manager, 'manager');

    // Someone in the manager's scope: the first person of their directory.
    await manager.goto('/people');
    const firstLink = manager.getByRole('region', { name: /^People/ }).getByRole('link').first();
    await firstLink.waitFor();
    const href = (await firstLink.getAttribute('href'))!;
    const oldName = (await firstLink.textContent())!.trim();
    const id = href.split('/').pop()!;
    await manager.locator('[data-testid="live-indicator"][data-status="connected"]').waitFor();
    await manager.evaluate(() => ((globalThis as any).__noReload = true));

    const newName = `${oldName.split(' (')[0]} (e2e ${Date.now() % 100000})`;
    await admin.goto(`/people/${id}`);
    await admin.getByRole('button', { name: 'Edit' }).click();
    const dialog = admin.getByRole('dialog', { name: /^Edit / });
    await dialog.getByLabel('Full name').fill(newName);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // The manager's directory shows the new name, and the page was never reloaded.
    await manager.getByRole('link', { name: newName }).waitFor({ timeout: 10_000 });
    assert.equal(await manager.evaluate(() => (globalThis as any).__noReload), true);
    await screenshot(manager, 'live-manager-directory-dark');

    // The audit log, open in the manager's browser, gets the entry live too.
    await manager.goto('/audit');
    await manager.getByRole('heading', { name: 'Audit log' }).waitFor();
    // The entity filter offers every kind of entity the server logs, not only the organisation's.
    const entities = await manager.getByLabel('Entity', { exact: true }).locator('option').allTextContents();
    for (const label of ['Person', 'Clock event', 'Timesheet lock', 'Contract', 'Holiday', 'Coverage']) assert.ok(entities.includes(label), `entity filter: ${entities.join(', ')}`);
    await settle(manager);
    await admin.getByRole('button', { name: 'Edit' }).click();
    await dialog.getByLabel('Full name').fill(oldName);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await manager.getByRole('list', { name: 'Audit events' }).getByText(oldName).first().waitFor({ timeout: 10_000 });
    // It arrived live, so it is highlighted as new.
    await manager.getByRole('list', { name: 'Audit events' }).locator('li[data-fresh]').filter({ hasText: oldName }).first().waitFor();
    await manager.getByRole('button', { name: 'Show change' }).first().click();
    await manager.getByRole('table', { name: 'Changes' }).first().waitFor();
    await screenshot(manager, 'live-manager-audit-dark');

    await adminContext.close();
    await managerContext.close();
  });
});

describe('session', () => {
  test('survives a reload through the refresh cookie, and log-out returns to the log-in page', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await login(page, 'admin' as Role);
    await page.goto('/locations');
    await page.getByRole('heading', { level: 1, name: 'Locations' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Locations' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await waitForPath(page, /\/login/);
    await page.getByText('You are logged out.').waitFor();
    await page.goto('/people');
    await waitForPath(page, /\/login\?redirect=%2Fpeople/);
    await context.close();
  });

  test('an outage at start-up (network error, 5xx) keeps the session, says so, and recovers', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await login(page, 'admin');
    await page.goto('/locations');
    await page.getByRole('heading', { level: 1, name: 'Locations' }).waitFor();

    // The network is down while the page reloads: not a log-out.
    await page.route('**/api/v1/auth/refresh', (route) => route.abort('internetdisconnected'));
    await page.reload();
    await page.getByRole('alert').getByText('Workfloor is not reachable right now').waitFor();
    assert.doesNotMatch(new URL(page.url()).pathname, /login/);
    await screenshot(page, 'session-outage-light');

    // Then the server answers 503: still not a log-out.
    await page.unroute('**/api/v1/auth/refresh');
    await page.route('**/api/v1/auth/refresh', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'Service unavailable' } }) }),
    );
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('alert').getByText('Service unavailable').waitFor();
    assert.doesNotMatch(new URL(page.url()).pathname, /login/);

    // Back up: the same refresh cookie still works, and the page is where it was.
    await page.unroute('**/api/v1/auth/refresh');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { level: 1, name: 'Locations' }).waitFor();
    await waitForPath(page, /\/locations$/);
    await context.close();
  });
});
