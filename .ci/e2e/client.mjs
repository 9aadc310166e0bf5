#!/usr/bin/env node
// End-to-end MCP client for MCPlex, built on the official TypeScript SDK.
//
//   node client.mjs [options] URL SCENARIO [--call TOOL JSON]...
//   node client.mjs [options] --url URL SCENARIO ...
//   node client.mjs [options] --stdio CMD [ARGS...] -- SCENARIO ...
//
// Prints one JSON object per step on stdout ({"step":..., "ok":true|false, ...}) and exits
// non-zero (with a message on stderr) as soon as a step fails.
//
// Scenarios:
//   basic     initialize, list tools/resources/prompts, call every --call TOOL JSON (at least one;
//             default: the first tool named or suffixed "echo"), read --resource URI (default: the first
//             listed resource), get --prompt NAME (default: the first prompt without required arguments)
//   progress  call --tool (default: the tool named or suffixed "trigger-long-running-operation") with
//             --args (default {"duration":2,"steps":4}) and a progress token; count the progress
//             notifications received during the call; fails below --min-progress (default 2)
//   cancel    start --tool with --args (default {"duration":30,"steps":30}), abort it through an
//             AbortSignal after --after-ms (default 700) and confirm the client saw the abort quickly,
//             then call --next-tool (default: echo) and confirm the gateway still answers
//   list      initialize and print the exposed tool, resource and prompt names
//   metatool  tools/list must be exactly the three MCPlex meta-tools; mcplex_list_categories; then for
//             every --find QUERY NAME JSON: mcplex_find_tools(QUERY) must rank NAME, and
//             mcplex_call_tool(NAME, JSON) must succeed; --find-progress QUERY NAME JSON does the same
//             with a progress token and requires >= --min-progress notifications during the call
//
// Options: --header 'Name: value' (repeatable; env MCPLEX_API_KEY adds Authorization: Bearer),
//          --timeout-ms N (per request, default 30000), --name CLIENT_NAME,
//          --wait-tools MS: when the first tools/list is empty, wait up to MS for a
//          notifications/tools/list_changed and list again (default 0: the first list must have tools).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

class StepError extends Error {}

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

function usage(msg) {
  if (msg) process.stderr.write(`client.mjs: ${msg}\n`);
  process.stderr.write(
    "usage: client.mjs [--header H] [--timeout-ms N] (URL | --url URL | --stdio CMD [ARGS...] --) SCENARIO [scenario options]\n" +
      "scenarios: basic | progress | cancel | list | metatool\n",
  );
  process.exit(2);
}

function parseJSON(flag, text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    usage(`${flag}: invalid JSON ${JSON.stringify(text)}: ${e.message}`);
  }
}

function parseArgs(argv) {
  const o = {
    url: null,
    stdio: null,
    headers: {},
    timeoutMs: 30000,
    name: "mcplex-e2e-ts",
    scenario: null,
    finds: [],
    calls: [],
    resource: null,
    prompt: null,
    promptArgs: {},
    tool: null,
    args: null,
    nextTool: null,
    nextArgs: null,
    minProgress: 2,
    afterMs: 700,
    waitToolsMs: 0,
  };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const need = (n = 1) => {
      if (i + n >= argv.length) usage(`${a} needs ${n} value(s)`);
      const v = argv.slice(i + 1, i + 1 + n);
      i += n;
      return n === 1 ? v[0] : v;
    };
    switch (a) {
      case "--url":
        o.url = need();
        break;
      case "--stdio": {
        const end = argv.indexOf("--", i + 1);
        if (end < 0 || end === i + 1) usage("--stdio CMD [ARGS...] must be ended by --");
        o.stdio = argv.slice(i + 1, end);
        i = end;
        break;
      }
      case "--header": {
        const h = need();
        const c = h.indexOf(":");
        if (c <= 0) usage(`--header ${JSON.stringify(h)}: want 'Name: value'`);
        o.headers[h.slice(0, c).trim()] = h.slice(c + 1).trim();
        break;
      }
      case "--timeout-ms":
        o.timeoutMs = Number(need());
        break;
      case "--name":
        o.name = need();
        break;
      case "--call": {
        const [tool, json] = need(2);
        o.calls.push({ tool, args: parseJSON("--call", json) });
        break;
      }
      case "--find":
      case "--find-progress": {
        const [query, name, json] = need(3);
        o.finds.push({ query, name, args: parseJSON(a, json), progress: a === "--find-progress" });
        break;
      }
      case "--resource":
        o.resource = need();
        break;
      case "--prompt":
        o.prompt = need();
        break;
      case "--prompt-args":
        o.promptArgs = parseJSON(a, need());
        break;
      case "--tool":
        o.tool = need();
        break;
      case "--args":
        o.args = parseJSON(a, need());
        break;
      case "--next-tool":
        o.nextTool = need();
        break;
      case "--next-args":
        o.nextArgs = parseJSON(a, need());
        break;
      case "--min-progress":
        o.minProgress = Number(need());
        break;
      case "--after-ms":
        o.afterMs = Number(need());
        break;
      case "--wait-tools":
        o.waitToolsMs = Number(need());
        break;
      case "-h":
      case "--help":
        usage();
        break;
      default:
        if (a.startsWith("--")) usage(`unknown option ${a}`);
        positional.push(a);
    }
  }
  if (!o.url && !o.stdio && positional.length > 0 && /^https?:\/\//.test(positional[0])) {
    o.url = positional.shift();
  }
  if (!o.url && !o.stdio) usage("need a gateway URL or --stdio CMD ... --");
  if (positional.length !== 1) usage(`need exactly one scenario, got ${JSON.stringify(positional)}`);
  o.scenario = positional[0];
  if (process.env.MCPLEX_API_KEY && !o.headers.Authorization) {
    o.headers.Authorization = `Bearer ${process.env.MCPLEX_API_KEY}`;
  }
  return o;
}

// step runs fn, prints its result as one JSON line, and turns any failure into a StepError.
async function step(name, fn) {
  const t0 = performance.now();
  try {
    const extra = (await fn()) || {};
    emit({ step: name, ok: true, ms: Math.round(performance.now() - t0), ...extra });
    return extra;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    emit({ step: name, ok: false, ms: Math.round(performance.now() - t0), error: msg });
    throw new StepError(`step ${name}: ${msg}`);
  }
}

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

function textOf(result) {
  return (result.content || [])
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}

// findTool resolves a tool by exact name, else by a unique "SERVER__NAME"-style suffix.
function findTool(tools, want) {
  const names = tools.map((t) => t.name);
  if (names.includes(want)) return want;
  const hits = names.filter((n) => n.endsWith(`__${want}`) || n.endsWith(want));
  check(hits.length > 0, `no tool named or suffixed ${JSON.stringify(want)} among ${names.length} tools: ${names.join(", ")}`);
  return hits[0];
}

let toolsChanged = null; // resolves on the next notifications/tools/list_changed

async function listTools(client, o) {
  let tools = await listAll(client, "listTools", "tools");
  if (tools.length === 0 && o.waitToolsMs > 0 && toolsChanged) {
    const changed = await Promise.race([toolsChanged.then(() => true), new Promise((r) => setTimeout(() => r(false), o.waitToolsMs))]);
    if (changed) tools = await listAll(client, "listTools", "tools");
  }
  return tools;
}

async function listAll(client, method, key) {
  const out = [];
  let cursor;
  for (let page = 0; page < 100; page++) {
    const r = await client[method](cursor ? { cursor } : {});
    out.push(...r[key]);
    if (!r.nextCursor) return out;
    cursor = r.nextCursor;
  }
  throw new Error(`${method}: more than 100 pages`);
}

async function callTool(client, o, name, args, extra = {}) {
  const r = await client.callTool({ name, arguments: args }, undefined, { timeout: o.timeoutMs, ...extra });
  check(!r.isError, `tool ${name} returned isError: ${textOf(r).slice(0, 300)}`);
  return r;
}

async function connect(o) {
  const client = new Client({ name: o.name, version: "1.0.0" }, { capabilities: {} });
  toolsChanged = new Promise((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
  let transport;
  if (o.stdio) {
    transport = new StdioClientTransport({
      command: o.stdio[0],
      args: o.stdio.slice(1),
      env: { ...process.env },
      stderr: "inherit",
    });
  } else {
    transport = new StreamableHTTPClientTransport(new URL(o.url), { requestInit: { headers: o.headers } });
  }
  await step("initialize", async () => {
    await client.connect(transport, { timeout: o.timeoutMs });
    const sv = client.getServerVersion();
    return {
      server: sv?.name,
      protocolVersion: transport.protocolVersion ?? null,
      capabilities: Object.keys(client.getServerCapabilities() || {}),
    };
  });
  return { client, transport };
}

async function scenarioBasic(client, o) {
  const { tools } = await step("tools/list", async () => {
    const tools = await listTools(client, o);
    check(tools.length > 0, "no tools");
    for (const t of tools) check(t.inputSchema && t.inputSchema.type === "object", `tool ${t.name}: inputSchema.type is not "object"`);
    return { count: tools.length, tools: tools.map((t) => t.name) };
  });
  const caps = client.getServerCapabilities() || {};
  let resources = [];
  if (caps.resources) {
    ({ resources } = await step("resources/list", async () => {
      const resources = await listAll(client, "listResources", "resources");
      return { count: resources.length, resources: resources.map((r) => r.uri) };
    }));
  }
  let prompts = [];
  if (caps.prompts) {
    const full = await listAll(client, "listPrompts", "prompts");
    await step("prompts/list", async () => ({ count: full.length, prompts: full.map((p) => p.name) }));
    prompts = full;
  }
  const calls = o.calls.length > 0 ? o.calls : [{ tool: findTool(tools.map((n) => ({ name: n })), "echo"), args: { message: "hello from basic" } }];
  for (const c of calls) {
    await step(`tools/call ${c.tool}`, async () => {
      const r = await callTool(client, o, c.tool, c.args);
      return { text: textOf(r).slice(0, 500), structured: r.structuredContent ?? null };
    });
  }
  const uri = o.resource ?? resources[0];
  if (uri) {
    await step("resources/read", async () => {
      const r = await client.readResource({ uri }, { timeout: o.timeoutMs });
      check(r.contents.length > 0, `resource ${uri}: no contents`);
      const c = r.contents[0];
      return { uri, contents: r.contents.length, mimeType: c.mimeType ?? null, text: (c.text ?? "").slice(0, 200), blobBytes: c.blob ? c.blob.length : 0 };
    });
  } else if (caps.resources) {
    throw new StepError("resources capability advertised but no resource to read (pass --resource URI)");
  }
  let prompt = o.prompt;
  if (!prompt) {
    const p = prompts.find((p) => !(p.arguments || []).some((a) => a.required));
    prompt = p?.name;
  }
  if (prompt) {
    await step("prompts/get", async () => {
      const r = await client.getPrompt({ name: prompt, arguments: o.promptArgs }, { timeout: o.timeoutMs });
      check(r.messages.length > 0, `prompt ${prompt}: no messages`);
      const m = r.messages[0];
      return { prompt, messages: r.messages.length, text: (m.content?.text ?? "").slice(0, 200) };
    });
  }
}

// resolveTools lists the tools once (as a step, so a missing tool is reported like any failure)
// and resolves each wanted name: an explicit option, else a tool named or suffixed with the default.
async function resolveTools(client, o, wanted) {
  return step("tools/list", async () => {
    const tools = await listTools(client, o);
    const out = {};
    for (const [key, [explicit, dflt]] of Object.entries(wanted)) out[key] = explicit ?? findTool(tools, dflt);
    return out;
  });
}

async function scenarioProgress(client, o) {
  const { tool } = await resolveTools(client, o, { tool: [o.tool, "trigger-long-running-operation"] });
  const args = o.args ?? { duration: 2, steps: 4 };
  await step("progress", async () => {
    const events = [];
    const t0 = performance.now();
    const r = await callTool(client, o, tool, args, {
      onprogress: (p) => events.push({ progress: p.progress, total: p.total ?? null, atMs: Math.round(performance.now() - t0) }),
      resetTimeoutOnProgress: true,
    });
    const callMs = Math.round(performance.now() - t0);
    check(events.length >= o.minProgress, `got ${events.length} progress notifications, want >= ${o.minProgress}`);
    for (let i = 1; i < events.length; i++) {
      check(events[i].progress > events[i - 1].progress, `progress not increasing: ${JSON.stringify(events)}`);
    }
    // Progress must arrive while the call runs, not in one burst with the result.
    const spread = events[events.length - 1].atMs - events[0].atMs;
    if (events.length >= 2 && callMs >= 1000) {
      check(spread >= callMs / 4, `progress arrived in a burst (spread ${spread} ms over a ${callMs} ms call): ${JSON.stringify(events)}`);
    }
    return { tool, progress_count: events.length, events, callMs, text: textOf(r).slice(0, 200) };
  });
}

async function scenarioCancel(client, o) {
  const { tool, nextTool } = await resolveTools(client, o, {
    tool: [o.tool, "trigger-long-running-operation"],
    nextTool: [o.nextTool, "echo"],
  });
  const args = o.args ?? { duration: 30, steps: 30 };
  const nextArgs = o.nextArgs ?? { message: "after-cancel" };
  await step("cancel", async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    let progress = 0;
    const p = client.callTool({ name: tool, arguments: args }, undefined, {
      signal: ac.signal,
      timeout: o.timeoutMs,
      onprogress: () => progress++,
    });
    await new Promise((r) => setTimeout(r, o.afterMs));
    const abortAt = performance.now();
    ac.abort("e2e cancel");
    let outcome;
    try {
      const r = await p;
      outcome = { resolved: true, text: textOf(r).slice(0, 200) };
    } catch (e) {
      outcome = { resolved: false, error: String(e?.message ?? e) };
    }
    const abortMs = Math.round(performance.now() - abortAt);
    check(!outcome.resolved, `call was not aborted, it resolved: ${outcome.text}`);
    check(abortMs < 2000, `abort took ${abortMs} ms`);
    return { tool, abortedAfterMs: Math.round(abortAt - t0), abortMs, progressBeforeAbort: progress, error: outcome.error };
  });
  await step("after-cancel call", async () => {
    const r = await callTool(client, o, nextTool, nextArgs, { timeout: Math.min(o.timeoutMs, 10000) });
    return { tool: nextTool, text: textOf(r).slice(0, 200) };
  });
  await step("ping", async () => {
    await client.ping({ timeout: 5000 });
    return {};
  });
}

async function scenarioList(client) {
  const caps = client.getServerCapabilities() || {};
  await step("list", async () => ({
    tools: (await listAll(client, "listTools", "tools")).map((t) => t.name),
    resources: caps.resources ? (await listAll(client, "listResources", "resources")).map((r) => r.uri) : [],
    prompts: caps.prompts ? (await listAll(client, "listPrompts", "prompts")).map((p) => p.name) : [],
  }));
}

const META = ["mcplex_find_tools", "mcplex_call_tool", "mcplex_list_categories"];

async function scenarioMetatool(client, o) {
  await step("tools/list", async () => {
    const tools = await listAll(client, "listTools", "tools");
    const names = tools.map((t) => t.name).sort();
    check(JSON.stringify(names) === JSON.stringify([...META].sort()), `want exactly the meta-tools, got ${names.join(", ")}`);
    for (const t of tools) check(t.description && t.description.length > 20, `${t.name}: no useful description`);
    return { tools: names, find_description: tools.find((t) => t.name === META[0]).description };
  });
  await step("mcplex_list_categories", async () => {
    const r = await callTool(client, o, META[2], {});
    const cats = JSON.parse(textOf(r)).categories;
    check(cats.length > 0, "no categories");
    return { categories: cats.map((c) => `${c.server}:${c.tools}`) };
  });
  check(o.finds.length > 0, "metatool needs at least one --find QUERY NAME JSON");
  for (const f of o.finds) {
    await step(`find ${f.name}`, async () => {
      const r = await callTool(client, o, META[0], { query: f.query, top_k: 10 });
      const matches = JSON.parse(textOf(r)).matches;
      const names = matches.map((m) => m.name);
      check(names.includes(f.name), `query ${JSON.stringify(f.query)} did not find ${f.name}: ${names.join(", ")}`);
      const m = matches.find((x) => x.name === f.name);
      check(m.inputSchema && m.inputSchema.type === "object" && m.server, `match ${f.name} lacks schema or server`);
      return { rank: names.indexOf(f.name) + 1, score: m.score, server: m.server };
    });
    await step(`call ${f.name}`, async () => {
      const events = [];
      const extra = f.progress ? { onprogress: (p) => events.push(p.progress), resetTimeoutOnProgress: true } : {};
      const r = await callTool(client, o, META[1], { name: f.name, arguments: f.args }, extra);
      if (f.progress) check(events.length >= o.minProgress, `got ${events.length} progress notifications through mcplex_call_tool`);
      return { text: textOf(r).slice(0, 200), progress_count: events.length };
    });
  }
}

const scenarios = { basic: scenarioBasic, progress: scenarioProgress, cancel: scenarioCancel, list: scenarioList, metatool: scenarioMetatool };

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const run = scenarios[o.scenario];
  if (!run) usage(`unknown scenario ${JSON.stringify(o.scenario)}`);
  let conn;
  let code = 0;
  try {
    conn = await connect(o);
    await run(conn.client, o);
    emit({ step: "done", ok: true, scenario: o.scenario });
  } catch (e) {
    code = 1;
    process.stderr.write(`client.mjs: ${o.scenario}: FAILED: ${e instanceof StepError ? e.message : e?.stack ?? e}\n`);
  } finally {
    if (conn) {
      // Terminate the HTTP session (DELETE) so the gateway does not keep it; bounded.
      try {
        if (conn.transport.terminateSession) {
          await Promise.race([conn.transport.terminateSession(), new Promise((r) => setTimeout(r, 2000))]);
        }
      } catch {}
      await Promise.race([conn.client.close().catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
    }
  }
  process.exit(code);
}

await main();
