// raw.test.mjs - `kkp-host mcp` over a raw stdio session, as a client nobody here wrote
// might drive it: framing, JSON-RPC errors, an oversized line, cancellation, EOF, SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw, rpc, simReset, simFault } from './lib.mjs';

const init = rpc(0, 'initialize', { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
const byId = (messages, id) => messages.filter((m) => m.id === id);

test('protocol errors: bad JSON -32700, unknown method -32601, bad params -32602, batches refused; EOF exits 0', async () => {
  const out = await raw(async (s) => {
    s.send(init);
    s.send('{"jsonrpc":"2.0","id":1,"method":"ping"');
    s.send(rpc(2, 'tools/lisst'));
    s.send(rpc(3, 'tools/call', { arguments: {} }));
    s.send({ jsonrpc: '2.0', id: 4, method: 'tools/list', params: [1] });
    s.send(rpc(5, 'tools/call', { name: 'aircall_list_users', arguments: 'x' }));
    s.send(JSON.stringify([rpc(6, 'ping')]));
    s.send({ jsonrpc: '2.0', method: 'notifications/whatever' });
    s.send('');
    s.send(rpc(7, 'ping'));
    await s.answer(7);
  });
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.messages[0].result.protocolVersion, '2024-11-05', 'the client\'s version when supported');
  const parse = out.messages.filter((m) => m.error?.code === -32700);
  assert.equal(parse.length, 1);
  assert.equal(parse[0].id, null);
  assert.equal(byId(out.messages, 2)[0].error.code, -32601);
  assert.match(byId(out.messages, 2)[0].error.message, /tools\/lisst/);
  assert.equal(byId(out.messages, 3)[0].error.code, -32602);
  assert.equal(byId(out.messages, 4)[0].error.code, -32602);
  assert.equal(byId(out.messages, 5)[0].error.code, -32602);
  assert.ok(out.messages.some((m) => m.error?.code === -32600 && /batch/.test(m.error.message)));
  assert.deepEqual(byId(out.messages, 7)[0].result, {});
  assert.equal(out.messages.length, 8, 'one answer per request, none for notifications');
  for (const m of out.messages) assert.equal(m.jsonrpc, '2.0');
});

test('an unsupported protocol version gets the newest; a line over 4 MiB is refused and skipped', async () => {
  const out = await raw(async (s) => {
    s.send(rpc(0, 'initialize', { protocolVersion: '1999-01-01', capabilities: {}, clientInfo: { name: 'r', version: '1' } }));
    s.send(JSON.stringify(rpc(1, 'tools/call', { name: 'aircall_list_users', arguments: { pad: 'x'.repeat(5 << 20) } })));
    s.send(rpc(2, 'ping'));
    await s.answer(2);
  });
  assert.equal(out.code, 0);
  assert.equal(out.messages[0].result.protocolVersion, '2025-11-25');
  const long = out.messages.filter((m) => m.error?.code === -32600);
  assert.equal(long.length, 1);
  assert.match(long[0].error.message, /too long.*4194304/);
  assert.equal(byId(out.messages, 1).length, 0, 'the oversized request is not run');
  assert.deepEqual(byId(out.messages, 2)[0].result, {});
});

test('notifications/cancelled: no answer for that request; EOF still answers the calls in flight', async () => {
  await simReset();
  await simFault([
    { kind: 'delay', path: '/v1/calls/12345', delay_ms: 1500, count: 1 },
    { kind: 'delay', path: '/v1/numbers', delay_ms: 1500, count: 1 },
  ]);
  const out = await raw(async (s) => {
    s.send(init);
    s.send(rpc(7, 'tools/call', { name: 'aircall_get_call', arguments: { call_id: 12345 } }));
    s.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7, reason: 'test' } });
    s.send(rpc(9, 'tools/call', { name: 'aircall_list_numbers', arguments: {} }));
    s.send(rpc(10, 'ping'));
    await s.answer(10); // then EOF while 9 is still waiting on the simulator
  });
  assert.equal(out.code, 0, out.stderr);
  assert.equal(byId(out.messages, 7).length, 0, 'a cancelled request gets no answer');
  const nine = byId(out.messages, 9);
  assert.equal(nine.length, 1);
  assert.ok(JSON.parse(nine[0].result.content[0].text).numbers.length > 0);
});

test('SIGTERM: stops reading, answers the call in flight, exits 0', async () => {
  await simReset();
  await simFault({ kind: 'delay', path: '/v1/calls/12345', delay_ms: 1500, count: 1 });
  const out = await raw(async (s) => {
    s.send(init);
    s.send(rpc(1, 'tools/call', { name: 'aircall_get_call', arguments: { call_id: 12345 } }));
    s.send(rpc(2, 'ping'));
    await s.answer(2); // the call has been read and started
    s.child.kill('SIGTERM');
  });
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.signal, null);
  assert.equal(JSON.parse(byId(out.messages, 1)[0].result.content[0].text).call.id, 12345);
});

test('stdout holds protocol messages only, even with --verbose plugin logs', async () => {
  const out = await raw(async (s) => {
    s.send(init);
    s.send(rpc(1, 'tools/call', { name: 'aircall_list_numbers', arguments: {} }));
    await s.answer(1);
  }, ['--verbose']);
  assert.equal(out.code, 0);
  assert.equal(out.tail, '');
  assert.equal(out.lines.length, 2);
  assert.ok(byId(out.messages, 1)[0].result.structuredContent.numbers.length > 0);
});
