/**
 * The operator console: one HTML page (inline style, its script at
 * `console.js` beside it, no external requests), served at `GET /` of the
 * HTTP adapter.
 * @internal
 */
import { createHash } from 'node:crypto';
import { CONSOLE_STYLE } from './style.js';

/** The page's policy: only its own inline style, its own script file, and requests to its own origin. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'sha256-${createHash('sha256').update(CONSOLE_STYLE).digest('base64')}'`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const BODY = `<header>
<h1>RocketMQ NameServer</h1><span class="sub" id="version"></span>
<span class="pill warn" id="conn" title="Following the name server's events">connecting</span>
<span class="stats"><span><b id="stat-clusters">0</b> <span id="stat-clusters-unit">clusters</span></span><span><b id="stat-groups">0</b> <span id="stat-groups-unit">broker groups</span></span>
<span><b id="stat-brokers">0</b> <span id="stat-brokers-unit">live brokers</span></span><span><b id="stat-topics">0</b> <span id="stat-topics-unit">topics</span></span></span>
<a id="controller-link" class="tab" href="#/controller" hidden title="The RocketMQ 5 controller: masters, epochs, sync-state sets">Controller</a>
<span class="spacer"></span>
<form class="token" id="token-form" hidden><label for="token">Bearer token</label>
<input id="token" type="password" autocomplete="off" size="24"><button type="submit">Use</button></form>
<span class="sub" title="This page changes nothing: it only shows the name server">view only</span>
</header>
<section id="graphs" class="graphs" aria-label="The last 15 minutes"></section>
<main id="overview">
<section class="card" id="clusters" aria-labelledby="clusters-h"><h2 id="clusters-h">Clusters <span class="count" id="cluster-count">0</span></h2>
<div class="scroll"><table><thead><tr><th>Cluster</th><th class="num">Groups</th><th class="num">Live</th></tr></thead>
<tbody id="cluster-rows"></tbody></table><div class="empty" id="cluster-empty">No clusters yet.</div></div></section>
<section class="card" id="brokers" aria-labelledby="brokers-h"><h2 id="brokers-h">Broker groups <span class="count" id="broker-count"></span></h2>
<div class="scroll"><table><thead><tr><th>Cluster</th><th>Group</th><th>Role</th><th>Address</th><th>Status</th>
<th class="num">Last heartbeat</th><th class="num">Data version</th><th class="num">Heartbeat timeout</th></tr></thead>
<tbody id="broker-rows"></tbody></table><div class="empty" id="broker-empty">No brokers have registered.</div></div></section>
<section class="card" id="kv" aria-labelledby="kv-h"><h2 id="kv-h">KV config <span class="count" id="kv-count"></span></h2>
<div class="scroll" id="kv-body"></div></section>
<section class="card" id="topics" aria-labelledby="topics-h"><h2 id="topics-h">Topics <span class="count" id="topic-count">0</span>
<input id="q" type="search" placeholder="Filter topics by name…" aria-label="Filter topics" autocomplete="off" spellcheck="false"></h2>
<div class="vhead"><span>Topic</span><span>Route: queues per broker group (read/write, permission)</span></div>
<div class="vlist" id="topic-list"><div id="topic-spacer"></div><div id="topic-rows"></div>
<div class="empty" id="topic-empty">No topics yet.</div></div></section>
</main>
<main id="detail" hidden><nav class="crumbs"><a href="#/">← Overview</a><span id="detail-kind"></span></nav>
<div id="detail-body"></div></main>`;

/** Escapes text for an HTML attribute value. */
function attr(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** What the page shows besides the registry. */
export interface ConsolePageFeatures {
  readonly kvConfig: boolean;
  /** A controller is attached: the page links to its view. */
  readonly controller: boolean;
}

/** The page for a handler under `basePath`, with the headers it must be served with. */
export function consolePage(basePath: string, features: ConsolePageFeatures): { html: string; headers: Readonly<Record<string, string>> } {
  const html = '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    + '<meta name="viewport" content="width=device-width, initial-scale=1">'
    + `<meta name="namesrv-base" content="${attr(basePath)}">`
    + `<meta name="namesrv-kv" content="${features.kvConfig ? '1' : '0'}">`
    + `<meta name="namesrv-controller" content="${features.controller ? '1' : '0'}">`
    + '<link rel="icon" href="data:,"><title>RocketMQ NameServer</title>'
    + `<style>${CONSOLE_STYLE}</style><script src="${attr(basePath)}/console.js" defer></script></head><body>\n${BODY}\n</body></html>\n`;
  return {
    html,
    headers: {
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    },
  };
}
