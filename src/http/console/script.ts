/**
 * The console's script: loads state over the JSON endpoints, follows
 * `/events?routes=1` (a fetch-based Server-Sent Event reader, so it can send
 * a bearer token and `Last-Event-ID`), and renders with DOM text nodes only:
 * names are attacker-controlled, so nothing is ever parsed as HTML.
 * @internal
 */

/** Inlined into the page (and hashed into its Content-Security-Policy). Plain ES2020, no dependencies. */
export const CONSOLE_SCRIPT = String.raw`
"use strict";
(function () {
function meta(name) { var m = document.querySelector('meta[name="' + name + '"]'); return m ? m.getAttribute('content') || '' : ''; }
var BASE = meta('namesrv-base'), HAS_KV = meta('namesrv-kv') === '1';
var ROW = 30, OVERSCAN = 8, MAX_ROWS = 200, ROUTE_FETCHES = 4, BROKER_POLL_MS = 5000;
var REASON = { unregister: 'unregistered', expired: 'expired', channelDestroyed: 'offline (connection closed)' };
var S = {
  token: sessionStorage.getItem('namesrv-token') || '',
  cluster: { brokerAddrTable: {}, clusterAddrTable: {} },
  live: new Map(), gone: new Map(), clock: { server: 0, local: 0 },
  topics: [], shown: [], filter: '', routes: new Map(), wanted: [], inflight: 0,
  kv: null, kvError: '', lastId: '', loaded: false, waitingForToken: false, timers: new Map()
};
function $(id) { return document.getElementById(id); }
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
function fmt(n) { return Number(n).toLocaleString('en-US'); }
function sorted(it, key) { return Array.from(it).sort(function (a, b) { var x = key(a), y = key(b); return x < y ? -1 : x > y ? 1 : 0; }); }
function own(o) { return o && typeof o === 'object' ? Object.keys(o) : []; }
function liveKey(cluster, addr) { return cluster + '\u0000' + addr; }
function later(name, ms, fn) {
  if (S.timers.has(name)) return;
  S.timers.set(name, setTimeout(function () { S.timers.delete(name); fn(); }, ms));
}

function api(path) {
  var headers = { Accept: 'application/json' };
  if (S.token) headers.Authorization = 'Bearer ' + S.token;
  return fetch(BASE + path, { headers: headers, cache: 'no-store' }).then(function (res) {
    if (res.status === 401 || res.status === 403) { askToken(res.status); throw new Error('unauthorized'); }
    return res;
  });
}
function json(path) {
  return api(path).then(function (res) {
    if (!res.ok) { var e = new Error(path + ': HTTP ' + res.status); e.status = res.status; throw e; }
    return res.json();
  });
}

function serverNow() { return S.clock.server + (performance.now() - S.clock.local); }
function ago(ms) {
  if (!(ms >= 0)) ms = 0;
  var s = Math.floor(ms / 1000);
  if (s < 60) return s + 's ago';
  var m = Math.floor(s / 60);
  if (m < 60) return m + 'm ' + (s % 60) + 's ago';
  var h = Math.floor(m / 60);
  if (h < 48) return h + 'h ' + (m % 60) + 'm ago';
  return Math.floor(h / 24) + 'd ago';
}
function duration(ms) { return ms % 1000 === 0 ? fmt(ms / 1000) + ' s' : fmt(ms) + ' ms'; }

// ------------------------------------------------------------------ loading
function loadAll() {
  return Promise.all([loadHealth(), loadCluster(), loadBrokers(), loadTopics(), loadKv()]).then(function () {
    S.loaded = true;
  }, function () {});
}
function loadHealth() {
  return json('/health').then(function (h) { $('version').textContent = h.version ? 'v' + h.version : ''; }, function () {});
}
function loadCluster() {
  return json('/cluster').then(function (c) { S.cluster = c; renderClusters(); renderBrokers(); });
}
function loadBrokers() {
  return api('/brokers').then(function (res) {
    if (!res.ok) throw new Error('/brokers: HTTP ' + res.status);
    var now = Number(res.headers.get('X-Namesrv-Now'));
    return res.json().then(function (list) {
      S.clock = { server: isFinite(now) && now > 0 ? now : Date.now(), local: performance.now() };
      S.live = new Map();
      list.forEach(function (b) { S.live.set(liveKey(b.clusterName, b.brokerAddr), b); S.gone.delete(liveKey(b.clusterName, b.brokerAddr)); });
      renderClusters(); renderBrokers();
    });
  });
}
function loadTopics() {
  return json('/topics').then(function (t) {
    S.topics = sorted(t.topicList || [], function (x) { return x; });
    applyFilter(false);
  });
}
function loadKv() {
  if (!HAS_KV) { S.kvError = 'No KV config store is configured.'; renderKv(); return Promise.resolve(); }
  return json('/kv').then(function (r) {
    var names = sorted(r.namespaces || [], function (x) { return x; });
    return Promise.all(names.map(function (ns) {
      return json('/kv/' + encodeURIComponent(ns)).then(function (e) { return [ns, e]; }, function () { return [ns, {}]; });
    })).then(function (pairs) { S.kv = new Map(pairs); S.kvError = ''; renderKv(); });
  }, function (e) {
    S.kv = null;
    S.kvError = e && e.status === 501 ? 'No KV config store is configured.' : 'KV config could not be read.';
    renderKv();
  });
}
function loadNamespace(ns) {
  if (S.kv === null) return loadKv();
  return json('/kv/' + encodeURIComponent(ns)).then(function (e) { S.kv.set(ns, e); renderKv(); }, function (e) {
    if (e && e.status === 404) { S.kv.delete(ns); renderKv(); }
  });
}

// ------------------------------------------------------------------ events
function handle(type, data) {
  var ev;
  try { ev = data ? JSON.parse(data) : {}; } catch (e) { return; }
  if (type === 'brokerRegistered') {
    S.gone.delete(liveKey(ev.clusterName, ev.brokerAddr));
    later('brokers', 100, function () { loadBrokers().catch(function () {}); loadCluster().catch(function () {}); });
  } else if (type === 'brokerUnregistered') {
    var k = liveKey(ev.clusterName, ev.brokerAddr);
    var was = S.live.get(k);
    S.live.delete(k);
    S.gone.set(k, { info: was || ev, reason: REASON[ev.reason] || String(ev.reason), at: serverNow() });
    if (S.gone.size > 200) S.gone.delete(S.gone.keys().next().value);
    renderClusters(); renderBrokers();
    later('cluster', 100, function () { loadCluster().catch(function () {}); });
  } else if (type === 'topicRouteChanged') {
    S.routes.delete(ev.topic);
    later('topics', 300, function () { loadTopics().catch(function () {}); });
  } else if (type === 'kvChanged') {
    later('kv:' + ev.namespace, 100, function () { loadNamespace(ev.namespace); });
  } else if (type === 'reset') {
    S.routes.clear();
    loadAll();
  }
}

function follow() {
  var delay = 1000;
  function connect() {
    var headers = { Accept: 'text/event-stream' };
    if (S.token) headers.Authorization = 'Bearer ' + S.token;
    if (S.lastId) headers['Last-Event-ID'] = S.lastId;
    var resumed = S.lastId !== '' && S.loaded;
    fetch(BASE + '/events?routes=1', { headers: headers, cache: 'no-store' }).then(function (res) {
      if (res.status === 401 || res.status === 403) { askToken(res.status); return; }
      if (!res.ok || !res.body) throw new Error('events: HTTP ' + res.status);
      setConn('ok', 'connected');
      delay = 1000;
      if (!resumed) loadAll();
      return read(res.body.getReader());
    }).catch(function () {}).then(function () {
      // Without a usable token, retrying only repeats the refusal: wait for one.
      if (S.waitingForToken) return;
      setConn('warn', 'reconnecting');
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    });
  }
  S.reconnect = connect;
  connect();
}
function read(reader) {
  var decoder = new TextDecoder(), buf = '', type = '', data = [], id = null;
  function line(l) {
    if (l === '') {
      if (id !== null) S.lastId = id;
      if (data.length) handle(type || 'message', data.join('\n'));
      type = ''; data = []; id = null;
      return;
    }
    if (l.charAt(0) === ':') return;
    var i = l.indexOf(':'), f = i < 0 ? l : l.slice(0, i), v = i < 0 ? '' : l.slice(i + 1);
    if (v.charAt(0) === ' ') v = v.slice(1);
    if (f === 'event') type = v; else if (f === 'data') data.push(v); else if (f === 'id') id = v;
  }
  function pump() {
    return reader.read().then(function (r) {
      if (r.done) return;
      buf += decoder.decode(r.value, { stream: true });
      var parts = buf.split(/\r\n|\r|\n/);
      buf = parts.pop();
      parts.forEach(line);
      return pump();
    });
  }
  return pump();
}
function setConn(kind, text) { var c = $('conn'); c.className = 'pill ' + kind; c.textContent = text; }
function askToken(status) {
  S.waitingForToken = true;
  $('token-form').hidden = false;
  setConn('bad', status === 403 ? 'token lacks the client role' : 'token required');
}

// ------------------------------------------------------------------ clusters and brokers
function groups() {
  var out = [], t = S.cluster.brokerAddrTable || {};
  own(t).forEach(function (name) { var g = t[name]; out.push({ cluster: g.cluster, name: name, addrs: g.brokerAddrs || {} }); });
  return out;
}
function renderClusters() {
  var body = $('cluster-rows'); clear(body);
  var table = S.cluster.clusterAddrTable || {}, names = sorted(own(table), function (x) { return x; });
  var liveBy = new Map();
  S.live.forEach(function (b) { liveBy.set(b.clusterName, (liveBy.get(b.clusterName) || 0) + 1); });
  names.forEach(function (c) {
    var tr = el('tr');
    tr.appendChild(el('td', 'mono', c));
    tr.appendChild(el('td', 'num', fmt((table[c] || []).length)));
    tr.appendChild(el('td', 'num', fmt(liveBy.get(c) || 0)));
    body.appendChild(tr);
  });
  $('cluster-count').textContent = fmt(names.length);
  $('cluster-empty').hidden = names.length > 0;
  stat('stat-clusters', names.length, 'cluster', 'clusters');
  stat('stat-brokers', S.live.size, 'live broker', 'live brokers');
}

/** A header figure with its unit in the right number. */
function stat(id, n, one, many) {
  $(id).textContent = fmt(n);
  $(id + '-unit').textContent = n === 1 ? one : many;
}

var ticking = [];
function renderBrokers() {
  var body = $('broker-rows'); clear(body); ticking = [];
  var rows = [], seen = new Set();
  groups().forEach(function (g) {
    own(g.addrs).forEach(function (id) {
      var addr = g.addrs[id], k = liveKey(g.cluster, addr);
      seen.add(k);
      rows.push({ cluster: g.cluster, group: g.name, id: Number(id), addr: addr, live: S.live.get(k) || null, gone: S.gone.get(k) || null });
    });
  });
  S.gone.forEach(function (gone, k) {
    if (seen.has(k)) return;
    var i = gone.info;
    rows.push({ cluster: i.clusterName, group: i.brokerName, id: Number(i.brokerId), addr: i.brokerAddr, live: null, gone: gone });
  });
  rows = rows.sort(function (a, b) {
    return a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : a.group < b.group ? -1 : a.group > b.group ? 1 : a.id - b.id;
  });
  var prev = null;
  rows.forEach(function (r) {
    var tr = el('tr'), first = prev === null || prev.cluster !== r.cluster || prev.group !== r.group;
    if (first && prev !== null) tr.className = 'group-start';
    prev = r;
    tr.appendChild(el('td', 'mono', first ? r.cluster : ''));
    tr.appendChild(el('td', 'mono', first ? r.group : ''));
    var role = r.id === 0 ? 'master' : 'slave';
    tr.appendChild(el('td', 'role ' + role, role + ' (id ' + r.id + ')'));
    tr.appendChild(el('td', 'addr', r.addr));
    var status = el('td'), pill = el('span', 'pill'), beat = el('td', 'num'), dv = el('td', 'num'), to = el('td', 'num');
    status.appendChild(pill);
    if (r.live) {
      var b = r.live;
      pill.className = 'pill ok'; pill.textContent = 'live';
      beat.title = new Date(b.lastUpdateTimestamp).toISOString();
      ticking.push({ cell: beat, pill: pill, at: b.lastUpdateTimestamp, timeout: b.heartbeatTimeoutMillis });
      var v = b.dataVersion || {};
      dv.textContent = fmt(v.counter || 0);
      dv.title = 'counter ' + (v.counter || 0) + (v.stateVersion ? ', state ' + v.stateVersion : '') + ', since ' + new Date(v.timestamp || 0).toISOString();
      to.textContent = duration(b.heartbeatTimeoutMillis);
      if (b.zoneName) tr.title = 'zone ' + b.zoneName;
    } else {
      tr.className = (tr.className + ' gone').trim();
      pill.className = 'pill bad';
      pill.textContent = r.gone ? r.gone.reason : 'offline';
      if (r.gone) { ticking.push({ cell: beat, pill: null, at: r.gone.at, prefix: 'left ' }); }
      else beat.textContent = 'no heartbeat';
      dv.textContent = '—'; to.textContent = '—';
    }
    [status, beat, dv, to].forEach(function (c) { tr.appendChild(c); });
    body.appendChild(tr);
  });
  var departed = rows.filter(function (r) { return !r.live; }).length, known = groups().length;
  $('broker-count').textContent = fmt(known) + (known === 1 ? ' group · ' : ' groups · ') + fmt(S.live.size) + (S.live.size === 1 ? ' live address' : ' live addresses')
    + (departed ? ' · ' + fmt(departed) + ' departed' : '');
  $('broker-empty').hidden = rows.length > 0;
  stat('stat-groups', groups().length, 'broker group', 'broker groups');
  tick();
}
function tick() {
  var now = serverNow();
  ticking.forEach(function (t) {
    var age = now - t.at;
    t.cell.textContent = (t.prefix || '') + ago(age);
    if (t.pill) {
      var late = age > t.timeout;
      t.pill.className = late ? 'pill warn' : 'pill ok';
      t.pill.textContent = late ? 'live (heartbeat overdue)' : 'live';
    }
  });
}

// ------------------------------------------------------------------ topics
function applyFilter(reset) {
  var q = S.filter.toLowerCase();
  S.shown = q === '' ? S.topics : S.topics.filter(function (t) { return t.toLowerCase().indexOf(q) >= 0; });
  $('topic-count').textContent = q === '' ? fmt(S.topics.length) : fmt(S.shown.length) + ' of ' + fmt(S.topics.length);
  stat('stat-topics', S.topics.length, 'topic', 'topics');
  $('topic-empty').hidden = S.shown.length > 0;
  $('topic-empty').textContent = S.topics.length === 0 ? 'No topics yet.' : 'No topic matches this filter.';
  if (reset) $('topic-list').scrollTop = 0;
  renderTopics();
}
function renderTopics() {
  var list = $('topic-list'), rows = $('topic-rows');
  $('topic-spacer').style.height = (S.shown.length * ROW) + 'px';
  var first = Math.max(0, Math.floor(list.scrollTop / ROW) - OVERSCAN);
  var count = Math.min(MAX_ROWS, Math.ceil(list.clientHeight / ROW) + 2 * OVERSCAN);
  var last = Math.min(S.shown.length, first + count);
  clear(rows);
  S.wanted = [];
  for (var i = first; i < last; i++) {
    var topic = S.shown[i], row = el('div', 'vrow');
    row.style.top = (i * ROW) + 'px';
    var name = el('span', 'topic', topic); name.title = topic;
    row.appendChild(name);
    row.appendChild(routeCell(topic));
    rows.appendChild(row);
  }
  fetchRoutes();
}
function routeCell(topic) {
  var cell = el('span', 'route'), route = S.routes.get(topic);
  if (route === undefined || route === 'loading') {
    cell.textContent = 'loading…';
    if (route === undefined) S.wanted.push(topic);
    return cell;
  }
  if (route === null || !route.queueDatas || route.queueDatas.length === 0) { cell.textContent = 'no route'; return cell; }
  var addrs = new Map();
  (route.brokerDatas || []).forEach(function (b) { addrs.set(b.brokerName, b.brokerAddrs || {}); });
  route.queueDatas.forEach(function (q) {
    var perm = (q.perm & 4 ? 'R' : '') + (q.perm & 2 ? 'W' : '');
    var chip = el('span', 'chip' + (q.perm & 2 ? '' : ' ro'), q.brokerName);
    chip.appendChild(el('span', 'q', 'r' + q.readQueueNums + '/w' + q.writeQueueNums + ' ' + (perm || '—')));
    var a = addrs.get(q.brokerName) || {};
    chip.title = q.brokerName + ': ' + own(a).map(function (id) { return (id === '0' ? 'master ' : 'slave ' + id + ' ') + a[id]; }).join(', ');
    cell.appendChild(chip);
  });
  return cell;
}
function fetchRoutes() {
  while (S.inflight < ROUTE_FETCHES && S.wanted.length > 0) {
    var topic = S.wanted.shift();
    if (S.routes.has(topic)) continue;
    if (S.routes.size > 5000) S.routes.clear();
    S.routes.set(topic, 'loading');
    S.inflight++;
    (function (t) {
      api('/topics/' + encodeURIComponent(t) + '/route').then(function (res) {
        if (res.status === 404) return null;
        if (!res.ok) throw new Error('route');
        return res.json();
      }).then(function (r) { S.routes.set(t, r); }, function () { S.routes.delete(t); }).then(function () {
        S.inflight--;
        later('render-topics', 30, renderTopics);
      });
    })(topic);
  }
}

// ------------------------------------------------------------------ KV
function renderKv() {
  var box = $('kv-body'); clear(box);
  if (S.kv === null) { box.appendChild(el('div', 'empty', S.kvError || 'Loading…')); $('kv-count').textContent = ''; return; }
  var names = sorted(S.kv.keys(), function (x) { return x; });
  $('kv-count').textContent = fmt(names.length) + (names.length === 1 ? ' namespace' : ' namespaces');
  if (names.length === 0) box.appendChild(el('div', 'empty', 'No KV entries.'));
  names.forEach(function (ns) {
    var entries = S.kv.get(ns) || {}, keys = sorted(own(entries), function (x) { return x; });
    var head = el('div', 'ns', ns); head.appendChild(el('span', '', fmt(keys.length) + (keys.length === 1 ? ' entry' : ' entries')));
    box.appendChild(head);
    var table = el('table', 'kv');
    keys.slice(0, 200).forEach(function (k) {
      var tr = el('tr'); tr.appendChild(el('td', '', k)); tr.appendChild(el('td', '', entries[k])); table.appendChild(tr);
    });
    if (keys.length > 200) { var more = el('tr'); more.appendChild(el('td', '', '… ' + fmt(keys.length - 200) + ' more')); table.appendChild(more); }
    box.appendChild(table);
  });
}

// ------------------------------------------------------------------ start
$('q').addEventListener('input', function (e) { S.filter = e.target.value; applyFilter(true); });
$('topic-list').addEventListener('scroll', function () {
  if (!S.timers.has('scroll')) S.timers.set('scroll', requestAnimationFrame(function () { S.timers.delete('scroll'); renderTopics(); }));
});
window.addEventListener('resize', function () { later('render-topics', 50, renderTopics); });
$('token-form').addEventListener('submit', function (e) {
  e.preventDefault();
  S.token = $('token').value;
  sessionStorage.setItem('namesrv-token', S.token);
  $('token-form').hidden = true;
  if (S.waitingForToken) { S.waitingForToken = false; S.reconnect(); } else loadAll();
});
setInterval(tick, 1000);
setInterval(function () { if (S.loaded) loadBrokers().catch(function () {}); }, BROKER_POLL_MS);
renderKv();
follow();
})();
`;
