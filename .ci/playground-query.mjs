// Runs a GraphQL query from the GraphQL Playground page, the way a user does, in Debian's
// Chromium driven by playwright-core (both installed by the conformance setup.sh).
//
//   node .ci/playground-query.mjs URL [--out shot.png] [--query '{ getUser { userId } }']
//        [--expect '"userId": "meshery"'] [--timeout-ms 30000]
//
// It fails (exit 1) unless all of these hold:
//   - every request stays on localhost (others are aborted and listed as blocked);
//   - the Playground's own schema introspection succeeds (otherwise it shows
//     "Server cannot be reached" and has no docs, schema tab or completion);
//   - typing the query into the editor and clicking the Play button sends it to the server
//     and the result pane shows the expected text;
//   - the page throws no uncaught error.
// playwright-core is loaded from $CONFORMANCE_DIR (default target/conformance), where setup.sh
// ran `npm ci`; this repository has no node_modules of its own.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const toolsDir = resolve(process.env.CONFORMANCE_DIR || 'target/conformance');
const { chromium } = createRequire(resolve(toolsDir, 'package.json'))('playwright-core');

const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? argv.splice(i, 2)[1] : d; };
const out = opt('--out', 'playground.png');
const query = opt('--query', '{ getUser { userId } }');
const expected = opt('--expect', '"userId": "meshery"');
const timeout = Number(opt('--timeout-ms', '30000'));
const url = argv[0];
if (!url) { console.error('usage: playground-query.mjs URL [--out shot.png] [--query Q] [--expect TEXT]'); process.exit(2); }
const LOCAL = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const t0 = Date.now();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  timeout,
  // Flags from the conformance FINDINGS: no sandbox as root, no GPU, no background network,
  // and no DNS for anything but loopback.
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1'],
});
const problems = [];
const blocked = [], pageErrors = [], consoleErrors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (['data:', 'blob:'].includes(u.protocol) || LOCAL.has(u.hostname)) return route.continue();
    blocked.push(u.href);
    return route.abort('blockedbyclient');
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text().replace(/\s+/g, ' ').slice(0, 200)); });

  // The Playground introspects the schema as soon as it starts.
  const isGraphqlPost = (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/graphql/query');
  const introspection = page.waitForResponse((r) => isGraphqlPost(r) && /IntrospectionQuery|__schema/.test(r.request().postData() || ''), { timeout });
  const resp = await page.goto(url, { waitUntil: 'load', timeout });
  if (!resp?.ok()) problems.push(`page answered HTTP ${resp?.status()}`);

  const intro = await introspection;
  const introBody = await intro.json().catch(() => ({}));
  if (intro.status() !== 200 || introBody.errors || !introBody.data?.__schema) {
    problems.push(`schema introspection failed: HTTP ${intro.status()} ${JSON.stringify(introBody.errors ?? introBody).slice(0, 300)}`);
  }

  // Type the query into the query editor (CodeMirror), replacing the placeholder.
  // insertText avoids CodeMirror's bracket auto-closing, which would double the braces.
  const editor = page.locator('.CodeMirror').first();
  await editor.waitFor({ timeout });
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(query);

  // Click the Play button and wait for the server's answer to that query.
  const answered = page.waitForResponse((r) => isGraphqlPost(r) && (r.request().postData() || '').includes('getUser'), { timeout });
  await page.locator('[title^="Execute Query"]').first().click();
  const answer = await answered;
  console.log(`query sent from the page: HTTP ${answer.status()} ${JSON.stringify(await answer.json().catch(() => null))}`);

  // The result pane must show the data (pretty-printed by the Playground).
  const shown = await page.waitForFunction((t) => document.body.innerText.includes(t), expected, { timeout })
    .then(() => true, () => false);
  if (!shown) problems.push(`result pane never showed ${JSON.stringify(expected)}`);
  if (await page.getByText('Server cannot be reached').count()) problems.push('the Playground shows "Server cannot be reached"');

  await page.screenshot({ path: out });
  console.log(`browser: ${browser.version()}  url: ${url}  title: ${JSON.stringify(await page.title())}`);
  console.log(`screenshot: ${out}  (${Date.now() - t0} ms incl. launch)`);
} catch (e) {
  problems.push(e.message.split('\n')[0]);
} finally {
  await browser.close();
}
if (blocked.length) problems.push(`blocked non-local requests (${blocked.length}):\n  ${blocked.join('\n  ')}`);
if (pageErrors.length) problems.push(`uncaught page errors (${pageErrors.length}):\n  ${pageErrors.join('\n  ')}`);
if (consoleErrors.length) console.log(`console errors (${consoleErrors.length}):\n  ${consoleErrors.join('\n  ')}`);
for (const p of problems) console.log(`FAIL: ${p}`);
console.log(problems.length ? 'FAIL' : `PASS: ran ${JSON.stringify(query)} from the Playground and saw ${JSON.stringify(expected)}`);
process.exit(problems.length ? 1 : 0);
