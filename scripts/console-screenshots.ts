/**
 * Screenshots of the console for the README (docs/console-*.png): the demo (the sample replayed
 * in memory), signed in as a supervisor, in headless Debian chromium via playwright-core.
 * Run: npm run build && npx tsx scripts/console-screenshots.ts
 * Each PNG carries a digest of the front end's sources (screenshot-stamp.ts), which
 * test/unit/docs-screenshots.test.ts compares with the sources: change the front end, run this again.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { buildDemo, DEMO_PASSWORD } from '../src/cli/console-demo.js';
import { WEB_DIR } from '../src/cli/console-command.js';
import { parseSla } from '../src/console/queue-view.js';
import { buildConsole } from '../src/console/server.js';
import { STAMP_KEYWORD, webSourcesDigest, withTextChunk } from './screenshot-stamp.js';

const stamp = webSourcesDigest(fileURLToPath(new URL('..', import.meta.url)));

/** A full-page screenshot, stamped with the digest of the front end it shows. */
async function shoot(page: Page, path: string): Promise<void> {
  writeFileSync(path, withTextChunk(await page.screenshot({ fullPage: true }), STAMP_KEYWORD, stamp));
}

const demo = await buildDemo(new URL('../examples/stream.jsonl', import.meta.url).pathname);
const app = await buildConsole({ ...demo, sla: parseSla('critical=4,high=24,medium=72'), sessionHours: 1, idleMinutes: 30, loginPerMinute: 100, secureCookie: true, staticDir: WEB_DIR, leaseMs: 30 * 60_000 });
const base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('127.0.0.1', 'localhost');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 })).newPage();
  await page.goto(base);
  await page.fill('input[name=user]', 'sue');
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.getByTestId('queue-row').first().waitFor();
  await page.getByTestId('password-link').waitFor();
  await shoot(page, 'docs/console-queue.png');
  // A case whose graph has a hop path to a sanctioned address, and one with a cluster merge.
  const cases = (await (await page.request.get(`${base}/api/cases`)).json() as { cases: { caseId: string }[] }).cases;
  const shots: Record<string, string> = {};
  for (const c of cases) {
    const d = await (await page.request.get(`${base}/api/cases/${c.caseId}`)).json() as { graph: { edges: { kind: string }[] } };
    if (!shots.hop && d.graph.edges.some((e) => e.kind === 'hop')) shots.hop = c.caseId;
    if (!shots.merge && d.graph.edges.some((e) => e.kind === 'merge') && d.graph.edges.length <= 14) shots.merge = c.caseId;
  }
  for (const [kind, file] of [['hop', 'docs/console-case.png'], ['merge', 'docs/console-case-merge.png']] as const) {
    if (!shots[kind]) throw new Error(`no case with a ${kind} edge in the sample`);
    await page.goto(`${base}/#/case/${shots[kind]}`);
    await page.getByTestId('graph').locator('canvas').first().waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=graph]')?.getAttribute('data-nodes') !== null);
    await shoot(page, file);
  }
  const best = { caseId: `${shots.hop} and ${shots.merge}` };
  await page.goto(`${base}/#/dashboard`);
  await page.getByTestId('chart').waitFor();
  await shoot(page, 'docs/console-dashboard.png');
  console.log(`screenshots written; case page: ${best.caseId}`);
} finally {
  await browser.close();
  await app.close();
}
