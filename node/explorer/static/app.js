// The tessera explorer: a single page that reads the node's own JSON-RPC (POST /rpc on this
// origin) and re-renders every second. Pages by URL hash:
//   #/                 head, recent blocks, training summary, and the optional panels
//   #/block/<height|hash>, #/tx/<hash>, #/account/<address>, #/training
// Optional panels appear only when the node serves their RPC method (rpc_methods): add one to
// PANELS below to show data of another part of the node (peers, attribution, governance...).
'use strict';

const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const short = (h) => (typeof h === 'string' && h.length > 14 ? h.slice(0, 10) + '…' : String(h));
const iso = (t) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
const pct = (bp) => (bp / 100).toFixed(2) + '%';
const link = (kind, id, text, cls = '') => `<a class="${cls}" href="#/${kind}/${esc(id)}">${esc(text ?? short(id))}</a>`;

let rpcId = 1;
async function rpc(method, params = []) {
  const res = await fetch('/rpc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: rpcId++, method, params }) });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/**
 * Optional panels: shown on the home page when the node serves `method`. `render(result)` returns
 * HTML. Parts of the node that land later (peers, attribution, governance, validators) add theirs here.
 */
const PANELS = [
  { method: 'net_status', title: 'Network', params: [], render: (r) => dl(r) },
  { method: 'net_peers', title: 'Peers', params: [], render: (r) => table(Array.isArray(r) ? r : r.peers ?? []) },
  { method: 'data_list', title: 'Data contributors', params: [], render: (r) => (r ? table(r.registrations.map(({ contributor, count, royaltyBps, height, source }) => ({ contributor, samples: count, royaltyBps, height, source }))) : '<p class="muted">no data registry</p>') },
  { method: 'gov_list', title: 'Governance', params: [], render: (r) => `<p>treasury ${esc(r.treasury)}, burned ${esc(r.burned)}</p>${table(r.proposals)}` },
];

function cell(v) {
  if (v === null || v === undefined) return '<span class="muted">-</span>';
  if (typeof v === 'object') return `<code>${esc(JSON.stringify(v))}</code>`;
  if (typeof v === 'string' && /^0x[0-9a-f]{40}$/i.test(v)) return link('account', v);
  return esc(v);
}
function dl(obj) {
  return `<dl>${Object.entries(obj ?? {}).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${cell(v)}</dd>`).join('')}</dl>`;
}
function table(rows) {
  if (!rows.length) return '<p class="muted">none</p>';
  const cols = Object.keys(rows[0]);
  return `<table><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${cols.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`).join('')}</table>`;
}

const node = { methods: new Set(), head: null };

async function refreshHead() {
  node.head = await rpc('chain_head');
  $('#head-height').textContent = node.head.height;
  $('#head').title = `head ${node.head.hash}`;
}

function ticketText(t) {
  if (!t) return '<span class="muted">-</span>';
  return `lane ${t.lane} step ${t.step} job ${t.jobId} · tile (${t.tile.i},${t.tile.j})`;
}

async function homePage() {
  const h = node.head;
  const heights = [];
  for (let i = h.height; i >= 0 && i > h.height - 15; i--) heights.push(i);
  const blocks = await Promise.all(heights.map((i) => rpc('chain_getBlock', [i])));
  const pool = await rpc('mempool_list');
  let html = `<div class="card"><div class="stats">
    <div class="stat">height<b id="home-height">${h.height}</b></div>
    <div class="stat">head<b class="mono">${link('block', h.hash)}</b></div>
    <div class="stat">time<b>${esc(iso(h.time))}</b></div>
    <div class="stat">mempool<b>${pool.size} tx</b></div>
    <div class="stat">chain id<b>${h.chainId}</b></div></div></div>`;
  html += `<div class="card"><h2>Recent blocks</h2><table id="blocks"><tr><th>height</th><th>hash</th><th>time</th><th>miner</th><th>ticket</th><th>contributions</th><th>txs</th></tr>
    ${blocks.filter(Boolean).map((b) => `<tr><td>${link('block', b.height, b.height, 'block-link')}</td><td class="mono">${link('block', b.hash)}</td><td>${esc(iso(b.time))}</td>
      <td class="mono">${b.height === 0 ? '<span class="muted">genesis</span>' : link('account', b.miner)}</td><td>${ticketText(b.ticket)}</td><td>${b.contributionCount}</td><td>${b.txCount}</td></tr>`).join('')}</table></div>`;
  const panels = [];
  if (node.methods.has('training_status')) panels.push(trainingCard(await rpc('training_status')));
  for (const p of PANELS) {
    if (!node.methods.has(p.method)) continue;
    try {
      panels.push(`<div class="card" data-panel="${esc(p.method)}"><h2>${esc(p.title)}</h2>${p.render(await rpc(p.method, p.params))}</div>`);
    } catch (e) {
      panels.push(`<div class="card"><h2>${esc(p.title)}</h2><p class="err">${esc(e.message)}</p></div>`);
    }
  }
  if (panels.length) html += `<div class="grid">${panels.join('')}</div>`;
  return html;
}

function trainingCard(s) {
  const last = s.history[s.history.length - 1];
  const m = s.mining;
  return `<div class="card"><h2>Training: ${esc(s.task)}</h2><dl>
    <dt>open round</dt><dd>${s.round} (since block ${s.roundOpenedAt}, ${s.roundBlocks} blocks a round)</dd>
    <dt>held-out accuracy</dt><dd>${last ? `${pct(last.heldOutAccuracyBp)} (round ${last.round})` : '-'}</dd>
    <dt>held-out loss</dt><dd>${last ? (last.heldOutLossMilli / 1000).toFixed(3) : '-'}</dd>
    ${m ? `<dt>this node mines</dt><dd>${m.blocksMined} blocks, ${m.contributionsLanded} contributions landed, useful work ${m.usefulWorkFraction === null ? '-' : (100 * m.usefulWorkFraction).toFixed(1) + '%'}</dd>` : ''}
    </dl><p><a href="#/training">training curve →</a></p></div>`;
}

async function blockPage(id) {
  const b = await rpc('chain_getBlock', [/^[0-9]+$/.test(id) ? Number(id) : id, true]);
  if (!b) return `<p class="err">block ${esc(id)} not found</p>`;
  const t = b.ticket;
  return `<div class="card" id="block-page"><h2>Block ${b.height}</h2><dl>
    <dt>hash</dt><dd>${esc(b.hash)}</dd>
    <dt>parent</dt><dd>${b.height > 0 ? link('block', b.parent, b.parent) : '-'}</dd>
    <dt>time</dt><dd>${esc(iso(b.time))}</dd>
    <dt>miner</dt><dd>${b.height > 0 ? link('account', b.miner, b.miner) : '-'}</dd>
    <dt>canonical</dt><dd>${b.canonical}</dd>
    <dt>target</dt><dd>${esc(b.target)}</dd>
    <dt>state root</dt><dd>${esc(b.stateRoot)}</dd>
    <dt>checkpoint root</dt><dd>${esc(b.checkpointRoot)}</dd>
    <dt>seal</dt><dd>${b.sealBytes} bytes</dd></dl></div>
    ${t ? `<div class="card"><h2>Winning ticket</h2><dl>
      <dt>round</dt><dd>${t.round}</dd><dt>lane / step / job</dt><dd>${t.lane} / ${t.step} / ${t.jobId}</dd>
      <dt>tile</dt><dd>(${t.tile.i}, ${t.tile.j}), ${t.tile.h}×${t.tile.w} of a ${t.m}×${t.k}×${t.n} product (noise rank ${t.r})</dd>
      <dt>tile hash</dt><dd>${esc(t.tileHash)}</dd></dl></div>` : ''}
    <div class="card"><h2>Contributions (${b.contributionCount})</h2>${table(b.contributions)}</div>
    <div class="card"><h2>Transactions (${b.txCount})</h2>${txTable(b.txs)}</div>`;
}

function txTable(txs) {
  if (!txs.length) return '<p class="muted">none</p>';
  return `<table><tr><th>hash</th><th>type</th><th>from</th><th>to</th><th>amount</th><th>fee</th><th>nonce</th></tr>${txs
    .map((x) => `<tr><td class="mono">${link('tx', x.hash)}</td><td>${esc(x.type)}</td><td>${x.from ? link('account', x.from) : '-'}</td><td>${x.to ? link('account', x.to) : '-'}</td><td>${esc(x.amount ?? '-')}</td><td>${esc(x.fee)}</td><td>${x.nonce}</td></tr>`)
    .join('')}</table>`;
}

async function txPage(hash) {
  const r = await rpc('chain_getTx', [hash]);
  if (!r) return `<p class="err">transaction ${esc(hash)} not found</p>`;
  const x = r.tx;
  return `<div class="card"><h2>Transaction</h2><dl>
    <dt>hash</dt><dd>${esc(x.hash)}</dd><dt>status</dt><dd>${esc(r.status)}${r.blockHash ? ` in block ${link('block', r.height, r.height)} (index ${r.index})` : ''}</dd>
    <dt>type</dt><dd>${esc(x.type)}</dd><dt>from</dt><dd>${x.from ? link('account', x.from, x.from) : '-'}</dd>
    ${x.to ? `<dt>to</dt><dd>${link('account', x.to, x.to)}</dd>` : ''}<dt>amount</dt><dd>${esc(x.amount)}</dd>
    <dt>fee</dt><dd>${esc(x.fee)}</dd><dt>nonce</dt><dd>${x.nonce}</dd><dt>chain id</dt><dd>${x.chainId}</dd></dl></div>`;
}

async function accountPage(addr) {
  const a = await rpc('state_getAccount', [addr]);
  return `<div class="card"><h2>Account</h2><dl>
    <dt>address</dt><dd>${esc(a.address)}</dd><dt>balance</dt><dd>${esc(a.balance)}</dd>
    ${a.bond !== undefined ? `<dt>bond</dt><dd>${esc(a.bond)}</dd>` : ''}
    <dt>locked rewards</dt><dd>${esc(a.lockedTotal)}${a.locked.length ? ` (${a.locked.map((l) => `${esc(l.amount)} at block ${l.maturesAt}`).join(', ')})` : ''}</dd>
    <dt>nonce</dt><dd>${a.nonce} (pending ${a.pendingNonce})</dd><dt>at height</dt><dd>${a.height}</dd></dl></div>${await attributionCard(addr)}`;
}

/** A data contributor's samples used and earnings (shown when the node serves attribution_get). */
async function attributionCard(addr) {
  if (!node.methods.has('attribution_get')) return '';
  const r = await rpc('attribution_get', [addr]);
  if (!r || !r.rounds || r.rounds.length === 0) return '';
  return `<div class="card"><h2>Data attribution</h2>${table(r.rounds)}</div>`;
}

let chart = null;
async function trainingPage() {
  const h = await rpc('training_history');
  const rows = h.rounds;
  const html = `<div class="card"><h2>Training curve: ${esc(h.task)} (open round ${h.openRound})</h2>
    <p class="muted">Round N is the model W<sub>N</sub> that round N starts from, after N closed rounds; accuracy and loss on the held-out split.</p>
    <div id="chart" data-rounds="${rows.length}"></div></div>
    <div class="card"><h2>Rounds</h2><table id="rounds"><tr><th>round</th><th>held-out accuracy</th><th>loss (nats)</th><th>contributions</th><th>checkpoint root</th><th>model</th></tr>
    ${rows.slice().reverse().map((r) => `<tr><td>${r.round}</td><td>${pct(r.heldOutAccuracyBp)}</td><td>${(r.heldOutLossMilli / 1000).toFixed(3)}</td><td>${r.contributions}</td>
      <td class="mono">${esc(short(r.checkpointRoot))}</td><td><a href="/model/round/${r.round}.safetensors" download>safetensors</a></td></tr>`).join('')}</table></div>`;
  return { html, after: () => drawChart(rows) };
}

function drawChart(rows) {
  const el = $('#chart');
  if (!el) return;
  const data = [rows.map((r) => r.round), rows.map((r) => r.heldOutAccuracyBp / 100), rows.map((r) => r.heldOutLossMilli / 1000)];
  const opts = {
    width: Math.max(320, Math.min(1100, el.clientWidth || 900)),
    height: 320,
    scales: { x: { time: false }, acc: { range: [0, 100] }, loss: { auto: true } },
    axes: [
      { label: 'round', incrs: [1, 2, 5, 10, 20, 50, 100] },
      { scale: 'acc', label: 'held-out accuracy (%)' },
      { scale: 'loss', side: 1, label: 'loss (nats)', grid: { show: false } },
    ],
    series: [
      { label: 'round' },
      { label: 'accuracy %', scale: 'acc', stroke: '#2563eb', width: 2, points: { show: true } },
      { label: 'loss', scale: 'loss', stroke: '#dc2626', width: 2, dash: [6, 4], points: { show: true } },
    ],
  };
  if (chart) chart.destroy();
  chart = new uPlot(opts, data, el);
}

// Renders overlap (a new block and a link click each start one, and each awaits the node):
// only the latest one started may write the page, so a slow render of the page just left
// never replaces the page just opened.
let renders = 0;
async function render() {
  const mine = ++renders;
  const [, page, id] = (location.hash || '#/').slice(1).split('/');
  let out;
  try {
    await refreshHead();
    if (page === 'block') out = await blockPage(decodeURIComponent(id));
    else if (page === 'tx') out = await txPage(decodeURIComponent(id));
    else if (page === 'account') out = await accountPage(decodeURIComponent(id));
    else if (page === 'training' && node.methods.has('training_history')) out = await trainingPage();
    else out = await homePage();
  } catch (e) {
    out = `<p class="err">${esc(e.message)}</p>`;
  }
  if (mine !== renders) return;
  const { html, after } = typeof out === 'string' ? { html: out } : out;
  $('#main').innerHTML = html;
  after?.();
}

// Live: every second, re-render when the head moved (the page a block or tx is on does not change).
let shownHeight = -1;
let shownHash = '';
async function tick() {
  try {
    await refreshHead();
    const page = (location.hash || '#/').split('/')[1] || '';
    if (node.head.height !== shownHeight && (page === '' || page === 'training' || page === 'account')) {
      shownHeight = node.head.height;
      await render();
    }
  } catch {
    $('#head-height').textContent = 'offline';
  }
  setTimeout(tick, 1000);
}

$('#search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = $('#q').value.trim();
  if (/^[0-9]+$/.test(q)) location.hash = `#/block/${q}`;
  else if (/^0x[0-9a-fA-F]{40}$/.test(q)) location.hash = `#/account/${q}`;
  else if (/^0x[0-9a-fA-F]{64}$/.test(q)) rpc('chain_getBlock', [q]).then((b) => (location.hash = b ? `#/block/${q}` : `#/tx/${q}`));
});
window.addEventListener('hashchange', () => {
  if (location.hash !== shownHash) {
    shownHash = location.hash;
    render();
  }
});

(async () => {
  try {
    node.methods = new Set(await rpc('rpc_methods'));
  } catch {
    node.methods = new Set();
  }
  if (node.methods.has('training_history')) $('#nav-training').hidden = false;
  shownHash = location.hash;
  await render();
  shownHeight = node.head ? node.head.height : -1;
  setTimeout(tick, 1000);
})();
