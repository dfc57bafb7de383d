// plugin_progress.test.mjs - the plugin side of ABI 1.1 call options seen through
// MCP: progress notifications for a progressToken and a cancelled name scan that stops
// reading pages. Needs the plugin's invoke_call (deadline/cancel/progress); rename to
// plugin_progress.test.mjs once that is on main so tests/mcp/mcp_test.sh runs it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, closeAll, raw, rpc, simReset, simFault, simRequests } from './lib.mjs';

after(closeAll);

test('list_users (every page) with a progressToken sends growing notifications/progress, then the result', async () => {
  await simReset();
  const client = await connect();
  const seen = [];
  const r = await client.callTool(
    { name: 'aircall_list_users', arguments: {} },
    undefined,
    { onprogress: (p) => seen.push(p) },
  );
  const result = JSON.parse(r.content[0].text);
  assert.equal(r.isError ?? false, false, r.content[0].text);
  assert.ok(seen.length >= 1, 'at least one progress notification');
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].progress > seen[i - 1].progress);
  assert.equal(result.users.length, 60, 'every user, the progress notwithstanding');
  await client.close();
});

test('notifications/cancelled stops a name scan: the plugin reads no further page', async () => {
  await simReset();
  await simFault({ kind: 'delay', path: '/v1/contacts', delay_ms: 800, count: 10 });
  const out = await raw(async (s) => {
    s.send(rpc(0, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'r', version: '1' } }));
    s.send(rpc(1, 'tools/call', { name: 'aircall_list_contacts', arguments: { q: 'no-such-name-anywhere' } }));
    s.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } });
    s.send(rpc(2, 'ping'));
    await s.answer(2);
  });
  assert.equal(out.code, 0);
  assert.equal(out.messages.filter((m) => m.id === 1).length, 0);
  const pages = (await simRequests()).filter((q) => q.path === '/v1/contacts');
  assert.ok(pages.length <= 1, `the scan stopped after the page in flight (read ${pages.length})`);
});
