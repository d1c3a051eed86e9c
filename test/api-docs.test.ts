import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppHost, tokenFor, type TestHost } from './support/harness.js';

// Debian's chromium package, installed by scripts/install-chromium.sh (.ci/run calls it).
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let host: TestHost;
let browser: Browser | undefined;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => {
  await browser?.close();
  await host.stop();
});

describe('GET /api/docs: the interactive API reference', () => {
  it('serves the page with a strict Content-Security-Policy and the Swagger UI files from the package', async () => {
    const page = await fetch(`${host.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await page.text();
    expect(html).not.toMatch(/<script>|https?:\/\//); // no inline script, nothing from another origin
    const bundle = await fetch(`${host.url}/api/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await bundle.text()).length).toBeGreaterThan(500_000);
    expect((await fetch(`${host.url}/api/docs/..%2Fpackage.json`)).status).toBe(400);
  });

  it('lists every operation in headless Chromium, and a "try it" call with a dev token answers 200, with no CSP violation', async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(`Chromium is not installed at ${chromiumPath}: run scripts/install-chromium.sh (CI does), or set CHROMIUM_PATH`);
    }
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const page = await browser.newPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    page.on('pageerror', (error) => refused.push(`page error: ${error.message}`));

    const document = (await (await fetch(`${host.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
    const operationIds = Object.values(document.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));

    await page.goto(`${host.url}/api/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.opblock').count(), { timeout: 10_000 }).toBe(operationIds.length);
    const listed = await page.locator('.opblock .opblock-summary-operation-id').allTextContents();
    expect(listed.map((t) => t.trim()).sort()).toEqual([...operationIds].sort());

    // Authorize with a dev token (what `npm run dev:token` prints), then try an operator route.
    await page.locator('.auth-wrapper .authorize').click();
    await page
      .locator('.modal-ux input[type="text"], .modal-ux input[type="password"]')
      .first()
      .fill(await tokenFor({ roles: ['PlatformOperator'] }));
    await page.locator('.modal-ux .auth-btn-wrapper button.authorize').click();
    await page.locator('.modal-ux .auth-btn-wrapper button.btn-done').click();

    const operation = page.locator('#operations-operations-getOperationsNotificationsSla');
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table tr.response .response-col_status').first();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/^\s*200/);
    expect(await operation.locator('.live-responses-table .microlight').first().textContent()).toContain('p99Seconds');
    if (process.env.DOCS_SCREENSHOT) await page.screenshot({ path: process.env.DOCS_SCREENSHOT, fullPage: false });
    expect(refused).toEqual([]);
  });
});
