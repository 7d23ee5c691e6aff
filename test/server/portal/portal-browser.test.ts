import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { chromium, type Browser, type Page } from 'playwright-core';
import { api, createApp, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import { createPortalSession } from '../../helpers/portal.js';
import { startReceiver } from '../../helpers/receiver.js';
import { startTestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait-for.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = fileURLToPath(new URL('../../../.tap/portal.png', import.meta.url));

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Collects script errors so a broken script fails the test loudly. Chromium also logs every
 * non-2xx fetch; the 400 and 401 this test provokes on purpose are expected.
 */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[01]\b/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  return errors;
}

t.test('portal page in headless Chromium', { skip: existsSync(CHROMIUM) ? false : 'chromium not installed' }, async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  runDispatcher(t, server);
  const receiver = await startReceiver();
  t.teardown(() => receiver.close());
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  const browser = await launch();
  t.teardown(() => browser.close());

  const setup = await createApp(server, {
    eventTypes: { 'invoice.paid': null, 'invoice.voided': null, 'customer.created': null },
    recipients: ['acme'],
  });
  await api(server, 'PATCH', `/apps/${setup.app}/recipients/acme`, { name: 'Acme Corp' });
  const link = await createPortalSession(server, setup.app, 'acme');
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.setDefaultTimeout(10_000);
  const errors = watchErrors(page);

  await t.test('portal page moves the token out of the URL and shows the session expiry', async (t) => {
    // the link is DISPATCH_PUBLIC_URL-based; the test server listens on a random port behind it
    const url = new URL(link.url);
    t.equal(url.origin, server.config.publicUrl);
    await page.goto(server.url + url.pathname + url.search);
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    t.notMatch(page.url(), /token=/, 'the address bar no longer carries the token');
    t.equal(await page.evaluate(() => sessionStorage.getItem('dispatch.portal.token')), link.token, 'the token lives in sessionStorage');
    await page.getByText(/Session expires .* \(in (59|60) min\)/).waitFor();
    t.match(await page.locator('#subtitle').textContent(), /shop · Acme Corp/);
    await page.getByText('No endpoints yet').waitFor();
  });

  let endpointId = '';
  await t.test('portal form creates an endpoint that is then listed with its secret', async (t) => {
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    t.ok(await page.getByLabel('Endpoint URL').evaluate((input) => input === document.activeElement), 'focus moves to the URL field');
    await page.getByLabel('Endpoint URL').fill(`${receiver.url}/hooks`);
    await page.getByLabel('Description (optional)').fill('Acme production');
    await page.getByRole('group', { name: 'Event types' }).getByLabel('invoice.paid').check();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const card = page.locator('li.endpoint', { hasText: `${receiver.url}/hooks` });
    await card.waitFor();
    await page.getByRole('status').getByText('Endpoint created').waitFor();
    t.match(await card.textContent(), /Acme production/);
    t.match(await card.locator('.tags').textContent(), /invoice\.paid/);
    const endpoints = await api(server, 'GET', `/apps/${setup.app}/recipients/acme/endpoints`);
    t.equal(endpoints.length, 1);
    t.same(endpoints[0].event_types, ['invoice.paid']);
    endpointId = endpoints[0].id;
    const shown = await card.locator('[data-role="secret-value"]').textContent();
    const stored = await api(server, 'GET', `/apps/${setup.app}/recipients/acme/endpoints/${endpointId}/secret`);
    t.equal(shown, stored.secret, 'the new secret is shown once created');
  });

  await t.test('portal form shows the API error for a refused URL', async (t) => {
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByLabel('Endpoint URL').fill('ftp://files.example/');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page
      .getByRole('alert')
      .getByText(/http or https/)
      .waitFor();
    t.equal(await page.getByLabel('Endpoint URL').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Endpoint URL').press('Escape');
    t.ok(await page.locator('#editor').isHidden(), 'Escape closes the form');
    t.ok(
      await page.getByRole('button', { name: 'Add endpoint' }).evaluate((button) => button === document.activeElement),
      'focus returns to the button that opened it',
    );
  });

  await t.test('portal rotates the secret after a confirmation step', async (t) => {
    const card = page.locator(`[data-endpoint-id="${endpointId}"]`);
    const before = await card.locator('[data-role="secret-value"]').textContent();
    await card.getByRole('button', { name: 'Rotate secret' }).click();
    await card.getByRole('button', { name: 'Confirm: rotate secret' }).click();
    await page.getByRole('status').getByText('Secret rotated').waitFor();
    const after = await card.locator('[data-role="secret-value"]').textContent();
    t.not(after, before);
    t.match(after, /^whsec_/);
    const stored = await api(server, 'GET', `/apps/${setup.app}/recipients/acme/endpoints/${endpointId}/secret`);
    t.equal(after, stored.secret, 'the rotated secret is the current one');
    await card.getByRole('button', { name: 'Hide' }).click();
    await card.getByRole('button', { name: 'Reveal secret' }).click();
    t.equal(await card.locator('[data-role="secret-value"]').textContent(), stored.secret, 'reveal shows the current secret');
  });

  await t.test('portal form sets the filter, retries, timeout and credentials, and the card shows the held count', async (t) => {
    const card = page.locator(`[data-endpoint-id="${endpointId}"]`);
    await card.getByRole('button', { name: 'Edit' }).click();
    await page.getByText('Filtering, retries, timeout and authentication').click();
    await page.getByLabel('Payload filter (optional JSON)').fill('{"amount": {"$gte": 100');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').getByText('The payload filter is not valid JSON.').waitFor();
    t.equal(await page.getByLabel('Payload filter (optional JSON)').getAttribute('aria-invalid'), 'true', 'the filter field is marked');
    await page.getByLabel('Payload filter (optional JSON)').fill('{"amount": {"$gte": 100}}');
    await page.getByLabel('Timeout (optional)').fill('90s');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page
      .getByRole('alert')
      .getByText(/timeout must be a duration between 1s and 60s/)
      .waitFor();
    t.equal(await page.getByLabel('Timeout (optional)').getAttribute('aria-invalid'), 'true', 'the API error marks the timeout field');
    await page.getByLabel('Timeout (optional)').fill('20s');
    await page.getByLabel('Retry schedule (optional)').fill('10s, 5m');
    await page.getByLabel('Credentials sent with each delivery').selectOption('basic');
    await page.getByLabel('Username').fill('acme-hooks');
    await page.getByLabel('Password').fill('portal-password-1');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').getByText('Endpoint saved').waitFor();
    const saved = await api(server, 'GET', `/apps/${setup.app}/recipients/acme/endpoints/${endpointId}`);
    t.match(saved, {
      filter: { amount: { $gte: 100 } },
      retry_schedule: ['10s', '5m'],
      timeout: '20s',
      auth: { type: 'basic', username: 'acme-hooks', password: null },
    });
    t.match(
      await card.locator('[data-role="delivery-options"]').textContent(),
      /Payload filter.*Retries after 10s, 5m.*Timeout 20s.*HTTP Basic/,
    );

    // editing again shows the stored secret as "set" and keeps it when left empty
    await card.getByRole('button', { name: 'Edit' }).click();
    t.equal(await page.getByLabel('Password').getAttribute('placeholder'), 'set');
    t.equal(await page.getByLabel('Password').inputValue(), '', 'the secret itself is never filled in');
    await page.getByLabel('Retry schedule (optional)').fill('none');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').getByText('Endpoint saved').waitFor();
    const kept = await api(server, 'GET', `/apps/${setup.app}/recipients/acme/endpoints/${endpointId}`);
    t.same(kept.retry_schedule, [], '"none" is a single attempt');
    t.match(kept.auth, { type: 'basic', username: 'acme-hooks' }, 'credentials kept');

    // a changed username needs the password typed again (the API replaces credentials whole)
    await card.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Username').fill('acme-hooks-2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').getByText('Enter the password to use.').waitFor();
    t.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true', 'the password field is marked');
    const unsaved = await api(server, 'GET', `/apps/${setup.app}/recipients/acme/endpoints/${endpointId}`);
    t.match(unsaved.auth, { username: 'acme-hooks' }, 'the username change was not sent without the password');

    // held deliveries while disabled are counted on the card
    await api(server, 'PATCH', `/apps/${setup.app}/recipients/acme/endpoints/${endpointId}`, { disabled: true });
    await send(server, setup, { event_type: 'invoice.paid', payload: { invoice: 'in_0', amount: 500 }, recipient: 'acme' });
    await page.reload();
    await card.locator('[data-role="held-count"]').getByText('1 held').waitFor();
    await api(server, 'POST', `/apps/${setup.app}/recipients/acme/endpoints/${endpointId}/discard-held`);
    await api(server, 'PATCH', `/apps/${setup.app}/recipients/acme/endpoints/${endpointId}`, {
      disabled: false,
      filter: null,
      retry_schedule: null,
      timeout: null,
      auth: null,
    });
    await page.reload();
    await card.waitFor();
    t.equal(await card.locator('[data-role="held-count"]').count(), 0, 'no badge once nothing is held');
    t.equal(receiver.requests.length, 0, 'the held message was discarded, never sent');
  });

  await t.test("portal shows a delivered message's attempt with its response code", async (t) => {
    const message = await send(server, setup, {
      event_type: 'invoice.paid',
      payload: { invoice: 'in_1', amount: 1200 },
      recipient: 'acme',
    });
    await receiver.waitForRequests(1);
    await waitFor(async () => (await server.db('attempts').where({ message_id: message.id })).length === 1, 'the attempt to be recorded');
    await page.getByRole('button', { name: 'Refresh' }).click();
    const row = page.locator(`tr[data-message-id="${message.id}"]`);
    await row.getByText('HTTP 200').waitFor();
    await row.getByText('Succeeded').waitFor();
    await row.getByRole('button', { name: 'Attempts' }).click();
    const attempts = page.locator('table[data-role="attempts"] tbody tr');
    await attempts.first().waitFor();
    t.equal(await attempts.count(), 1);
    t.match(await attempts.first().textContent(), /scheduled.*Succeeded.*HTTP 200/);
    t.equal(await row.getByRole('button', { name: 'Hide attempts' }).getAttribute('aria-expanded'), 'true');

    await row.getByRole('button', { name: 'Send again' }).click();
    await receiver.waitForRequests(2);
    t.equal(receiver.requests[1].headers['webhook-id'], message.id);
    await page.locator('table[data-role="attempts"] tbody tr', { hasText: 'replay' }).waitFor();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    t.comment(`portal screenshot: ${SCREENSHOT}`);
  });

  await t.test('portal keeps working after a reload from sessionStorage, and is keyboard operable', async (t) => {
    await page.reload();
    await page.locator(`[data-endpoint-id="${endpointId}"]`).waitFor();
    await page.keyboard.press('Tab');
    t.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    t.equal(outline, 'solid', 'the focused control shows a focus ring');
  });

  await t.test('portal page shows an expired-link notice for an unknown token and none', async (t) => {
    const other = await browser.newPage();
    await other.goto(`${server.url}/portal?token=ps_unknown000000000000000000000000000000000`);
    await other.getByRole('heading', { name: 'This link has expired' }).waitFor();
    await other.evaluate(() => sessionStorage.clear());
    await other.goto(`${server.url}/portal`);
    await other.getByRole('heading', { name: 'No portal link' }).waitFor();
    await other.close();
    t.pass('both notices shown');
  });

  await t.test('portal page turns into an expired notice when the session runs out while open', async (t) => {
    const short = await createPortalSession(server, setup.app, 'acme', { expires_in: 120 });
    const other = await browser.newPage();
    await other.clock.install();
    await other.goto(server.url + new URL(short.url).pathname + new URL(short.url).search);
    await other.getByText(/Session expires .* \(in 2 min\)/).waitFor();
    t.match(await other.locator('#expiry').getAttribute('class'), /soon/, 'a near expiry is highlighted');
    await other.clock.fastForward('02:30');
    await other.getByRole('heading', { name: 'This session has expired' }).waitFor();
    t.equal(await other.locator('#expiry').textContent(), 'Session expired');
    t.ok(await other.locator('#portal').isHidden(), 'the controls are gone');
    await other.close();
  });

  t.same(errors, [], 'no script errors in the page');
  t.notOk(server.logs.join('').includes(link.token), 'the token never reached the server logs');
});
