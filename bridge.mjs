#!/usr/bin/env node
// bridge.mjs: stdio <-> Streamable HTTP bridge for the MCPlex gateway.
//
// Lets a stdio-only MCP client (Claude Desktop, Claude Code) talk to MCPlex at
// http://127.0.0.1:3100/mcp. Node >= 18, no npm dependencies. Prefer the Go
// twin (`mcplex bridge`, core/bridge) where you can: it needs no Node on PATH.
//
// Claude Desktop (claude_desktop_config.json), use an absolute path:
//
//   {
//     "mcpServers": {
//       "mcplex": {
//         "command": "node",
//         "args": ["/absolute/path/to/mcplex/bridge.mjs"],
//         "env": {
//           "MCPLEX_GATEWAY": "http://127.0.0.1:3100/mcp",
//           "MCPLEX_API_KEY": "sk-your-key"
//         }
//       }
//     }
//   }
//
// Environment:
//   MCPLEX_GATEWAY          gateway URL (default http://127.0.0.1:3100/mcp)
//   MCPLEX_API_KEY          API key, sent as "Authorization: Bearer <key>"
//   MCPLEX_TOKEN_FILE       file holding the key; re-read once on HTTP 401
//   MCPLEX_CLIENT           X-MCPlex-Client header (default: the client's clientInfo.name)
//   MCPLEX_STARTUP_WAIT_MS  how long to wait for a gateway that is not up yet (default 20000)
//   MCPLEX_ALLOW_REMOTE=1   allow a non-loopback gateway (https:// only)
//
// Behaviour (same as the Go bridge): every stdin line is POSTed at once; JSON
// and SSE answers (progress, logging, sampling requests) go to stdout as they
// arrive; Mcp-Session-Id and MCP-Protocol-Version are captured from initialize
// and sent afterwards; the GET stream is opened after notifications/initialized
// and reconnected with backoff and Last-Event-ID; a 404 in a session replays
// the client's initialize, retries once and emits list_changed; every request
// gets an answer, if need be a JSON-RPC error saying what to do; stdin EOF
// cancels everything, DELETEs the session and exits 0. Logs go to stderr only.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const GATEWAY = process.env.MCPLEX_GATEWAY || 'http://127.0.0.1:3100/mcp';
const TOKEN_FILE = process.env.MCPLEX_TOKEN_FILE || '';
const CLIENT = process.env.MCPLEX_CLIENT || '';
const STARTUP_WAIT = Number(process.env.MCPLEX_STARTUP_WAIT_MS ?? 20000) || 0;
const REDIAL_WINDOW = 5000;
const CODE_GATEWAY = -32000;
const META_VERSION = 'io.modelcontextprotocol/protocolVersion';
const NO_SESSION = Object.freeze({ id: '', version: '' });

const log = (level, msg) => process.stderr.write(`[mcplex-bridge] ${level}: ${msg}\n`);

const state = {
  token: process.env.MCPLEX_API_KEY || readToken(),
  session: NO_SESSION,  // { id: Mcp-Session-Id, version: negotiated protocol version }
  initParams: null,     // the client's initialize params, replayed after session loss
  clientName: '',
  told: { tools: false, prompts: false, resources: false }, // listChanged the client was told
  recovering: null,     // promise of the re-initialization in progress
  reinits: 0,
  listening: false,
  kick: null,           // AbortController of the current GET stream
  reached: false,       // the gateway has answered at least once
  startupUntil: Date.now() + STARTUP_WAIT,
  closing: false,
};
const root = new AbortController(); // aborted when stdin closes
const inflight = new Set();

class SessionLost extends Error {
  constructor() { super('MCPlex gateway no longer knows this session (HTTP 404)'); }
}

// ---- stdio ----

function send(msg) {
  process.stdout.write(JSON.stringify(msg) + '\n');
}

function errorReply(id, message, code = CODE_GATEWAY) {
  send({ jsonrpc: '2.0', id, error: { code, message } });
}

const isCall = (m) => typeof m?.method === 'string' && m.id !== undefined && m.id !== null;
const isNotification = (m, method) => m?.method === method && (m.id === undefined || m.id === null);
const isResponse = (m) => m && m.method === undefined && ('result' in m || 'error' in m);

function handleLine(line) {
  line = line.trim();
  if (!line) return;
  let parsed;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    log('warn', `dropping malformed line from stdin (${line.length} bytes): ${err.message}`);
    return;
  }
  for (const msg of Array.isArray(parsed) ? parsed : [parsed]) {
    if (msg?.jsonrpc !== '2.0' || (msg.method !== undefined && typeof msg.method !== 'string')) {
      if (msg?.method !== undefined && msg.id !== undefined && msg.id !== null) {
        errorReply(msg.id, 'invalid JSON-RPC request', -32600);
      } else {
        log('warn', 'dropping invalid JSON-RPC message from stdin');
      }
      continue;
    }
    if (isCall(msg) && msg.method === 'initialize') {
      state.initParams = msg.params ?? {};
      state.clientName = headerSafe(msg.params?.clientInfo?.name || '');
    }
    track(forward(msg));
  }
}

function track(promise) {
  inflight.add(promise);
  promise.finally(() => inflight.delete(promise));
}

// ---- forwarding ----

// forward delivers one client message and answers a request that failed.
async function forward(msg) {
  const ex = clientExchange(msg);
  try {
    await deliver(ex);
  } catch (err) {
    if (root.signal.aborted) return;
    if (ex.call && !ex.answered) {
      log('warn', `answering ${ex.call.method} with an error: ${err.message}`);
      errorReply(ex.call.id, err.message);
    } else {
      log('warn', `could not deliver message to the gateway: ${err.message}`);
    }
  }
}

function clientExchange(msg) {
  const ex = { msg, call: isCall(msg) ? msg : null, answered: false, sessionId: '' };
  ex.reply = (resp) => {
    if (ex.call.method === 'initialize' && !resp.error) adoptInitialize(resp.result, ex.sessionId, true);
    send(resp);
  };
  return ex;
}

// deliver sends ex; on session loss it re-initializes and retries once.
async function deliver(ex) {
  try {
    await deliverOnce(ex);
  } finally {
    // Even after a failed POST: the GET stream finds its own way.
    if (isNotification(ex.msg, 'notifications/initialized')) startListening();
  }
}

async function deliverOnce(ex) {
  let s = await sessionFor(ex);
  try {
    await roundTrip(ex, s);
  } catch (err) {
    if (!(err instanceof SessionLost)) throw err;
    const leader = await renewSession(s.id);
    s = await sessionFor(ex);
    try {
      await roundTrip(ex, s);
    } finally {
      if (leader) announceListChanged();
    }
  }
}

async function sessionFor(ex) {
  if (ex?.call?.method === 'initialize') return NO_SESSION;
  while (state.recovering) await state.recovering.catch(() => {});
  return state.session;
}

async function roundTrip(ex, s) {
  const body = JSON.stringify(ex.msg);
  const res = await request(() => ({ method: 'POST', headers: postHeaders(s, ex.msg), body }));
  if (res.status === 404 && s.id) {
    await discard(res);
    throw new SessionLost();
  }
  await relay(res, ex);
}

// ---- HTTP ----

// request retries refused connections (the request cannot have arrived) and
// retries a 401 once if re-reading the token file changed the key.
async function request(build, signal = root.signal) {
  const deadline = !state.reached && Date.now() < state.startupUntil
    ? state.startupUntil : Date.now() + Math.min(REDIAL_WINDOW, STARTUP_WAIT);
  let delay = 100;
  let reread = false;
  for (;;) {
    const init = build();
    let res;
    try {
      res = await fetch(GATEWAY, { ...init, signal, redirect: 'manual' });
    } catch (err) {
      if (signal.aborted) throw err;
      if (!isDialError(err)) {
        throw new Error(`lost the connection to the MCPlex gateway at ${GATEWAY} (the request may or may not have run): ${describe(err)}`);
      }
      const wait = Math.min(delay, deadline - Date.now());
      if (wait <= 0) throw new Error(`MCPlex gateway is not running at ${GATEWAY} — start MCPlex (or \`mcplex serve\`) and try again`);
      await sleep(wait, signal);
      delay = Math.min(delay * 2, 2000);
      continue;
    }
    state.reached = true;
    if (res.status === 401 && !reread && reloadToken(init.headers.authorization)) {
      reread = true;
      await discard(res);
      continue;
    }
    return res;
  }
}

function baseHeaders(s) {
  const h = {};
  if (state.token) h.authorization = `Bearer ${state.token}`;
  const client = CLIENT || state.clientName;
  if (client) h['x-mcplex-client'] = client;
  if (s.id) h['mcp-session-id'] = s.id;
  if (s.version) h['mcp-protocol-version'] = s.version;
  return h;
}

function postHeaders(s, msg) {
  return {
    ...baseHeaders(s),
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...statelessHeaders(msg),
  };
}

function getHeaders(s, lastEventId) {
  const h = { ...baseHeaders(s), accept: 'text/event-stream' };
  if (lastEventId) h['last-event-id'] = lastEventId;
  return h;
}

// statelessHeaders passes a per-request protocol version (2026-07-28 _meta)
// through as headers, so server/discover probes reach the gateway unchanged.
function statelessHeaders(msg) {
  const version = msg?.params?._meta?.[META_VERSION];
  if (typeof version !== 'string' || !version) return {};
  const h = { 'mcp-protocol-version': version };
  if (version < '2026-07-28') return h;
  h['mcp-method'] = msg.method;
  const name = msg.method === 'resources/read' ? msg.params.uri : msg.params.name;
  if (['tools/call', 'prompts/get', 'resources/read'].includes(msg.method) && typeof name === 'string' && name === headerSafe(name)) {
    h['mcp-name'] = name;
  }
  return h;
}

function reloadToken(sentAuthorization) {
  if (process.env.MCPLEX_API_KEY || !TOKEN_FILE) return false;
  state.token = readToken();
  const changed = (state.token ? `Bearer ${state.token}` : undefined) !== sentAuthorization;
  log('info', `gateway answered 401; re-read the token file (changed: ${changed})`);
  return changed;
}

function readToken() {
  if (!TOKEN_FILE) return '';
  try {
    return readFileSync(TOKEN_FILE, 'utf8').trim();
  } catch (err) {
    log('warn', `token file ${TOKEN_FILE} not readable: ${err.code || err.message}`);
    return '';
  }
}

function isDialError(err) {
  const codes = ['ECONNREFUSED', 'EADDRNOTAVAIL'];
  const cause = err?.cause;
  return codes.includes(cause?.code) || (cause?.errors ?? []).some((e) => codes.includes(e?.code));
}

const describe = (err) => (err?.cause?.code ? `${err.message} (${err.cause.code})` : err?.message ?? String(err));
const headerSafe = (s) => String(s).replace(/[^\x20-\x7e]/g, '?');
const mediaType = (ct) => (ct || '').split(';')[0].trim().toLowerCase();

async function discard(res) {
  await res.body?.cancel().catch(() => {});
}

function sleep(ms, signal = root.signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// ---- responses ----

async function relay(res, ex) {
  if (ex.call?.method === 'initialize') ex.sessionId = res.headers.get('mcp-session-id') || '';
  if (res.status === 202 || res.status === 204) {
    await discard(res);
    if (ex.call) throw new Error(`MCPlex gateway accepted "${ex.call.method}" but sent no response`);
    return;
  }
  if (res.status < 200 || res.status > 299) return statusError(res, ex);
  const type = mediaType(res.headers.get('content-type'));
  if (type === 'text/event-stream') return relayStream(res, ex);
  if (type === 'application/json') return relayJSON(res, ex);
  await discard(res);
  if (ex.call) throw new Error(`MCPlex gateway answered "${ex.call.method}" with unexpected content type "${type}"`);
}

async function relayJSON(res, ex) {
  const text = (await res.text()).trim();
  if (text) {
    const parsed = JSON.parse(text);
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) fromGateway(m, ex);
  }
  if (ex.call && !ex.answered) throw new Error(`MCPlex gateway sent no response to "${ex.call.method}"`);
}

// relayStream relays an SSE answer; a stream broken before the response is
// resumed with Last-Event-ID if its events have ids.
async function relayStream(res, ex) {
  let { last, retry } = await readEvents(res.body, ex, '');
  let stalled = 0;
  while (ex.call && !ex.answered) {
    if (root.signal.aborted) throw root.signal.reason;
    if (!last || stalled >= 3) {
      throw new Error(`the connection to the MCPlex gateway broke before "${ex.call.method}" was answered; it may or may not have run`);
    }
    await sleep(Math.max(retry, 100));
    const prev = last;
    try {
      ({ last, retry } = await resume(last, ex));
    } catch (err) {
      log('debug', `resuming the response stream failed: ${err.message}`);
    }
    stalled = last === prev ? stalled + 1 : 0;
  }
}

async function resume(last, ex) {
  const s = await sessionFor(ex);
  const res = await request(() => ({ method: 'GET', headers: getHeaders(s, last) }));
  if (res.status !== 200 || mediaType(res.headers.get('content-type')) !== 'text/event-stream') {
    await discard(res);
    throw new Error(`HTTP ${res.status}`);
  }
  return readEvents(res.body, ex, last);
}

// readEvents relays SSE messages until the stream ends or answers ex.call.
async function readEvents(body, ex, last) {
  let retry = 0;
  try {
    for await (const ev of sseEvents(body)) {
      if (ev.id) last = ev.id;
      if (ev.retry) retry = ev.retry;
      if (!ev.data) continue;
      let parsed;
      try {
        parsed = JSON.parse(ev.data);
      } catch {
        log('warn', 'skipping undecodable event from the gateway');
        continue;
      }
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) fromGateway(m, ex);
      if (ex.call && ex.answered) break;
    }
  } catch (err) {
    if (!root.signal.aborted) log('debug', `event stream ended: ${describe(err)}`);
  }
  return { last, retry };
}

// sseEvents parses text/event-stream: multi-line data, comments, id, retry.
async function* sseEvents(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let scan = 0;
  let ev = { id: '', data: null, retry: 0 };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let from = 0;
      let nl;
      while ((nl = buf.indexOf('\n', scan)) >= 0) {
        const line = buf.slice(from, buf[nl - 1] === '\r' ? nl - 1 : nl);
        from = scan = nl + 1;
        if (line === '') {
          if (ev.id || ev.data !== null || ev.retry) yield ev;
          ev = { id: '', data: null, retry: 0 };
        } else if (line[0] !== ':') {
          sseField(ev, line);
        }
      }
      buf = buf.slice(from);
      scan = buf.length;
    }
    if (buf) sseField(ev, buf);
    if (ev.data !== null) yield ev;
  } finally {
    reader.cancel().catch(() => {});
  }
}

function sseField(ev, line) {
  const i = line.indexOf(':');
  const field = i < 0 ? line : line.slice(0, i);
  let value = i < 0 ? '' : line.slice(i + 1);
  if (value[0] === ' ') value = value.slice(1);
  if (field === 'data') ev.data = ev.data === null ? value : `${ev.data}\n${value}`;
  else if (field === 'id' && !value.includes('\0')) ev.id = value;
  else if (field === 'retry' && /^\d+$/.test(value)) ev.retry = Number(value);
}

function fromGateway(msg, ex) {
  if (ex.call && isResponse(msg) && msg.id === ex.call.id && !ex.answered) {
    ex.answered = true;
    ex.reply(msg);
    return;
  }
  send(msg);
}

async function statusError(res, ex) {
  const text = (await res.text().catch(() => '')).slice(0, 65536);
  if (ex.call) {
    try {
      const m = JSON.parse(text);
      if (m?.error && m.id === ex.call.id) {
        ex.answered = true;
        ex.reply(m);
        return;
      }
    } catch { /* not a JSON-RPC error body */ }
  }
  const detail = text.trim().slice(0, 200);
  if (res.status === 401) throw new Error('MCPlex gateway rejected the API key (HTTP 401) — check MCPLEX_API_KEY or MCPLEX_TOKEN_FILE');
  if (res.status === 403) throw new Error(`MCPlex gateway refused access (HTTP 403): ${detail}`);
  throw new Error(`MCPlex gateway answered HTTP ${res.status}: ${detail}`);
}

// ---- session ----

function adoptInitialize(result, sessionId, forClient) {
  state.session = { id: sessionId, version: result?.protocolVersion || '' };
  if (forClient) {
    const caps = result?.capabilities ?? {};
    state.told = {
      tools: !!caps.tools?.listChanged,
      prompts: !!caps.prompts?.listChanged,
      resources: !!caps.resources?.listChanged,
    };
  }
  log('info', `gateway session established (protocol ${state.session.version || 'unknown'})`);
}

// renewSession re-initializes once for all requests that saw the session lost;
// it resolves true for the caller that ran the re-initialization.
async function renewSession(lost) {
  if (state.session.id !== lost) return false;
  if (state.recovering) {
    await state.recovering;
    return false;
  }
  state.recovering = reinitialize();
  try {
    await state.recovering;
  } finally {
    state.recovering = null;
  }
  return true;
}

async function reinitialize() {
  if (!state.initParams) throw new Error('MCPlex gateway lost the session before the client initialized it');
  log('warn', 'gateway lost the session; re-initializing');
  const call = { jsonrpc: '2.0', id: `mcplex-bridge-reinit-${++state.reinits}`, method: 'initialize', params: state.initParams };
  let result = null;
  const ex = { msg: call, call, answered: false, sessionId: '', reply: (r) => { result = r; } };
  try {
    await roundTrip(ex, NO_SESSION);
    if (result.error) throw new Error(result.error.message);
    const s = { id: ex.sessionId, version: result.result?.protocolVersion || '' };
    await roundTrip({ msg: { jsonrpc: '2.0', method: 'notifications/initialized' }, call: null }, s);
  } catch (err) {
    throw new Error(`MCPlex gateway lost the session and re-initializing failed: ${err.message}`);
  }
  adoptInitialize(result.result, ex.sessionId, false);
  state.kick?.abort();
}

function announceListChanged() {
  for (const kind of ['tools', 'prompts', 'resources']) {
    if (state.told[kind]) send({ jsonrpc: '2.0', method: `notifications/${kind}/list_changed` });
  }
}

// ---- GET stream ----

function startListening() {
  if (state.listening) return;
  state.listening = true;
  track(listen().catch((err) => log('warn', `GET stream loop stopped: ${err.message}`)));
}

async function listen() {
  let last = '';
  let lastSession = '';
  let delay = 100;
  while (!root.signal.aborted) {
    const s = await sessionFor(null);
    if (s.id !== lastSession) [last, lastSession] = ['', s.id];
    const r = await listenOnce(s, last);
    last = r.last;
    if (r.outcome === 'stop') return;
    if (r.outcome === 'lost') {
      try {
        if (await renewSession(s.id)) announceListChanged();
        continue;
      } catch (err) {
        log('warn', err.message);
      }
    }
    if (r.outcome === 'again') delay = 100;
    try {
      await sleep(Math.max(delay, r.retry || 0));
    } catch {
      return;
    }
    if (r.outcome !== 'again') delay = Math.min(delay * 2, 30000);
  }
}

async function listenOnce(s, last) {
  const conn = new AbortController();
  const onRootAbort = () => conn.abort();
  root.signal.addEventListener('abort', onRootAbort, { once: true });
  state.kick = conn;
  try {
    let res;
    try {
      res = await request(() => ({ method: 'GET', headers: getHeaders(s, last) }), conn.signal);
    } catch (err) {
      if (!conn.signal.aborted) log('debug', `GET stream not available: ${err.message}`);
      return { outcome: conn.signal.aborted ? 'again' : 'retry', last };
    }
    if (res.status !== 200 || mediaType(res.headers.get('content-type')) !== 'text/event-stream') {
      await discard(res);
      if (res.status === 405) {
        log('info', 'gateway offers no GET stream; server messages arrive only during requests');
        return { outcome: 'stop', last };
      }
      if (res.status === 404 && s.id) return { outcome: 'lost', last };
      if (res.status === 400 && last) return { outcome: 'retry', last: '' };
      if (res.status === 400 && !s.id) return { outcome: 'stop', last };
      return { outcome: 'retry', last };
    }
    const started = Date.now();
    const r = await readEvents(res.body, { call: null }, last);
    const healthy = conn.signal.aborted || Date.now() - started >= 1000;
    return { outcome: healthy ? 'again' : 'retry', last: r.last, retry: r.retry };
  } finally {
    root.signal.removeEventListener('abort', onRootAbort);
  }
}

// ---- lifecycle ----

async function shutdown() {
  if (state.closing) return;
  state.closing = true;
  root.abort();
  await Promise.allSettled([...inflight]);
  if (state.session.id) {
    try {
      const res = await fetch(GATEWAY, { method: 'DELETE', headers: baseHeaders(state.session), signal: AbortSignal.timeout(2000) });
      await discard(res);
    } catch (err) {
      log('debug', `deleting the session failed: ${describe(err)}`);
    }
  }
  process.stdout.write('', () => process.exit(0));
}

function checkURL(raw, allowRemote) {
  const u = new URL(raw);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme must be http or https');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (loopback) return;
  if (!allowRemote) throw new Error(`gateway host "${host}" is not a loopback address; set MCPLEX_ALLOW_REMOTE=1 to allow it`);
  if (u.protocol !== 'https:') throw new Error(`remote gateway "${host}" must use https://`);
}

try {
  checkURL(GATEWAY, process.env.MCPLEX_ALLOW_REMOTE === '1');
} catch (err) {
  log('error', `MCPLEX_GATEWAY=${GATEWAY}: ${err.message}`);
  process.exit(2);
}
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', handleLine);
rl.on('close', shutdown);
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
