// GraphQL subscriptions over WebSocket with the two third-party clients the conformance tools
// use: graphql-ws (subprotocol graphql-transport-ws) and subscriptions-transport-ws (legacy
// subprotocol graphql-ws), both subscribed at the same time on one URL.
//
//   node .ci/ws-events.mjs --url ws://127.0.0.1:PORT/api/graphql/query --http http://127.0.0.1:PORT
//        [--proto modern|legacy|both] [--expect 5] [--timeout-ms 15000]
//        [--query 'subscription { subscribeEvents { id description } }']
//
// Why not the shared gql-ws-subscribe.mjs: it waits for the server to *complete* each
// subscription, and `subscribeEvents` is an endless stream (it only ends at server shutdown,
// and then the socket is dropped without a `complete`). This script instead:
//   1. subscribes with each client;
//   2. posts "ci probe" events (POST /api/system/events) every 200 ms until every client has
//      received one, so it knows the subscriptions are live without sleeping for a guess;
//   3. posts N "ci event" events and checks that every client receives exactly those N events
//      (same ids as the POST answers, in order, none with `errors`), then waits a little to see
//      that no extra one arrives;
//   4. unsubscribes (the client sends `complete` / `stop`) and closes.
// Exit 0 when every client passed, 1 otherwise. Prints `N passed, N failed`.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(resolve(process.env.CONFORMANCE_DIR || 'target/conformance', 'package.json'));
const WebSocket = require('ws');
const { createClient } = require('graphql-ws');
const { SubscriptionClient } = require('subscriptions-transport-ws');

const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : d; };
const url = opt('--url');
const http = opt('--http');
const proto = opt('--proto', 'both');
const query = opt('--query', 'subscription { subscribeEvents { id description } }');
const expect = Number(opt('--expect', '5'));
const timeoutMs = Number(opt('--timeout-ms', '15000'));
if (!url || !http) { console.error('usage: ws-events.mjs --url ws://… --http http://… [--expect N]'); process.exit(2); }

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const deadline = Date.now() + timeoutMs;
async function until(cond, what) {
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timeout after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
async function postEvent(description) {
  const r = await fetch(`${http}/api/system/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ severity: 'informational', action: 'ci', category: 'ci', description }),
  });
  if (r.status !== 201) throw new Error(`POST /api/system/events answered ${r.status}: ${await r.text()}`);
  return (await r.json()).id;
}

// One subscriber per protocol; each records what arrives and any error.
function modern() {
  const s = { name: 'graphql-transport-ws (graphql-ws client)', events: [], error: null };
  const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  const unsubscribe = client.subscribe({ query }, {
    next: (v) => s.events.push(v),
    error: (e) => { s.error = e?.message || (e?.code ? `close ${e.code} ${e.reason}` : JSON.stringify(e)); },
    complete: () => { s.completed = true; },
  });
  s.close = async () => { unsubscribe(); await client.dispose(); };
  return s;
}
function legacy() {
  const s = { name: 'graphql-ws legacy (subscriptions-transport-ws client)', events: [], error: null };
  const client = new SubscriptionClient(url, { reconnect: false, lazy: true, timeout: timeoutMs }, WebSocket);
  client.onError((e) => { s.error = `connection error: ${e?.message || JSON.stringify(e)}`; });
  const sub = client.request({ query }).subscribe({
    next: (v) => s.events.push(v),
    error: (e) => { s.error = e?.message || JSON.stringify(e); },
    complete: () => { s.completed = true; },
  });
  s.close = async () => { sub.unsubscribe(); client.close(); };
  return s;
}

const subs = [];
if (proto === 'both' || proto === 'modern') subs.push(modern());
if (proto === 'both' || proto === 'legacy') subs.push(legacy());
const failures = new Map();
const fail = (s, why) => { if (!failures.has(s)) failures.set(s, why); };
// a subscription that errored, was completed by the server or got an `errors` payload is over
const broken = (s) => s.error || s.completed || s.events.find((e) => e.errors);
const why = (s) => s.error || (s.events.find((e) => e.errors)
  ? `event with errors: ${JSON.stringify(s.events.find((e) => e.errors).errors)}`
  : 'the server completed the subscription');
const live = (s) => broken(s) || s.events.length > 0;
const ours = (s) => s.events.filter((e) => e.data?.subscribeEvents?.description === 'ci event');
const t0 = Date.now();
try {
  // 2. probe until every subscription delivered something (or failed)
  while (!subs.every(live)) {
    if (Date.now() > deadline) throw new Error(`timeout after ${timeoutMs} ms: no event arrived on ${subs.filter((s) => !live(s)).map((s) => s.name).join(', ')}`);
    await postEvent('ci probe');
    await sleep(200);
  }
  for (const s of subs) if (broken(s)) fail(s, why(s));
  // 3. the N events under test
  const ids = [];
  for (let i = 0; i < expect; i++) ids.push(await postEvent('ci event'));
  await until(() => subs.every((s) => broken(s) || ours(s).length >= expect), `${expect} events on every subscription`).catch((e) => {
    for (const s of subs) if (ours(s).length < expect) fail(s, `${e.message}; got ${ours(s).length}`);
  });
  await sleep(300); // an extra event would arrive by now
  for (const s of subs) {
    if (broken(s)) fail(s, why(s));
    const got = ours(s).map((e) => e.data.subscribeEvents.id);
    if (got.length !== expect) fail(s, `${got.length} events (expected ${expect})`);
    else if (got.join() !== ids.join()) fail(s, `event ids ${got.join()} differ from the created ${ids.join()}`);
  }
} catch (e) {
  for (const s of subs) fail(s, broken(s) ? why(s) : e.message);
} finally {
  // 4. unsubscribe and close
  await Promise.all(subs.map((s) => s.close().catch(() => {})));
}
for (const s of subs) {
  const ev = ours(s);
  console.log(failures.has(s)
    ? `FAIL ${s.name}: ${failures.get(s)}`
    : `PASS ${s.name}: ${ev.length} events (expected ${expect}), first=${JSON.stringify(ev[0])} last=${JSON.stringify(ev.at(-1))}`);
}
console.log(`     ${subs.length} subscription(s) done in ${Date.now() - t0} ms`);
console.log(`${subs.length - failures.size} passed, ${failures.size} failed`);
process.exit(failures.size ? 1 : 0);
