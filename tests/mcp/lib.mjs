// lib.mjs - what the MCP tests share: starting `kkp-host mcp` under the official SDK
// client (with the minimal environment KosmoKrator gives its MCP servers), a raw stdio
// session, and the simulator's own answers to compare with.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const BUILD = process.env.BUILD ?? 'build';
export const HOST = `${BUILD}/kkp-host`;
export const SIM_URL = process.env.SIM_URL;
export const HOME = process.env.MCP_HOME;
export const TOKENS = { default: 'tok-acme-5ecret', globex: 'tok-globex-5ecret' };
export const manifest = JSON.parse(readFileSync('manifest/aircall.json', 'utf8'));

// What a KosmoKrator-launched server sees: HOME and PATH, plus the config's env block.
export const baseEnv = () => ({ HOME, PATH: process.env.PATH, AIRCALL_BASE_URL: SIM_URL });

const clients = new Set();
// Closes every client a test left open (a failed assertion skips its own close).
export async function closeAll() {
  for (const c of clients) await c.close();
  clients.clear();
}

export async function connect(args = [], env = {}) {
  const transport = new StdioClientTransport({
    command: HOST,
    args: ['--plugin-dir', BUILD, 'mcp', ...args],
    env: { ...baseEnv(), ...env },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'kkp-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  clients.add(client);
  return client;
}

// Calls a tool and returns [result, the JSON of its one text block].
export async function call(client, name, args = {}) {
  const r = await client.callTool({ name, arguments: args });
  if (r.content.length !== 1 || r.content[0].type !== 'text') throw new Error(`not one text block: ${JSON.stringify(r)}`);
  return [r, JSON.parse(r.content[0].text)];
}

export async function sim(path, account = 'default') {
  const res = await fetch(`${SIM_URL}${path}`, { headers: { Authorization: `Bearer ${TOKENS[account]}` } });
  return res.json();
}
export const simReset = () => fetch(`${SIM_URL}/__sim/reset`, { method: 'POST' });
export const simRequests = async () => (await (await fetch(`${SIM_URL}/__sim/requests`)).json()).requests;
export async function simFault(fault) {
  const res = await fetch(`${SIM_URL}/__sim/faults`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(fault),
  });
  if (res.status !== 201) throw new Error(`fault refused: ${await res.text()}`);
}

export function hostOutput(args) {
  return execFileSync(HOST, ['--plugin-dir', BUILD, ...args], { env: baseEnv(), encoding: 'utf8' });
}

// A raw session: spawns the server, lets `drive` write to it and wait for answers,
// then closes stdin (unless drive did) and resolves with every message and the exit.
export function raw(drive, args = [], env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(HOST, ['--plugin-dir', BUILD, 'mcp', ...args], {
      env: { ...baseEnv(), ...env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    const messages = [], lines = [], waiters = [];
    let pending = '', stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => {
      pending += d;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        lines.push(line);
        messages.push(JSON.parse(line)); // every stdout line must be one JSON message
        for (const w of waiters.splice(0)) w();
      }
    });
    const session = {
      child,
      send: (obj) => child.stdin.write((typeof obj === 'string' ? obj : JSON.stringify(obj)) + '\n'),
      // Resolves once a message with that id has arrived.
      answer: (id) => new Promise((res) => {
        const look = () => {
          const m = messages.find((x) => x.id === id);
          if (m) res(m); else waiters.push(look);
        };
        look();
      }),
    };
    child.stdin.on('error', () => {}); // the server may be gone (SIGTERM test)
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ messages, lines, code, signal, stderr, tail: pending }));
    Promise.resolve(drive(session)).then(() => child.stdin.end(), (e) => { child.kill(); reject(e); });
  });
}

export const rpc = (id, method, params) => ({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
