import { existsSync } from 'node:fs';
import t from 'tap';
import { chromium } from 'playwright-core';
import { startTestServer } from '../helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';

t.test(
  'the /docs reference renders in headless Chromium under its CSP',
  { skip: existsSync(CHROMIUM) ? false : 'chromium not installed' },
  async (t) => {
    const server = await startTestServer('sqlite');
    t.teardown(() => server.close());
    const browser = await chromium.launch({
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
    t.teardown(() => browser.close());
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    // a refused script, style or image is reported here even when the page still looks fine
    await page.addInitScript(() => {
      (window as unknown as { violations: string[] }).violations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        (window as unknown as { violations: string[] }).violations.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });

    const response = await page.goto(`${server.url}/docs`);
    t.match(response?.headers()['content-security-policy'], /frame-ancestors 'self'/);
    await page.locator('.opblock-tag').first().waitFor();
    t.ok((await page.locator('.opblock-tag').count()) > 5, 'the operations are listed by tag');
    await page.getByText('Dispatch', { exact: false }).first().waitFor();
    // open one operation: Swagger UI renders its parameters and examples on demand
    await page.locator('.opblock-summary').first().click();
    await page.locator('.opblock-body').first().waitFor();
    const violations = await page.evaluate(() => (window as unknown as { violations: string[] }).violations);
    t.same(violations, [], 'no Content-Security-Policy violation');
    t.same(errors, [], 'no script error');
  },
);
