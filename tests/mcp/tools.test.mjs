// tools.test.mjs - the official MCP SDK client against `kkp-host mcp`: initialize,
// tools/list (schemas, annotations, _account), every function on two accounts in two
// companies, errors, unknown tools, concurrency, write deny/allow, resources, describe.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  connect, call, sim, simReset, simRequests, simFault, hostOutput, manifest, HOST, closeAll,
} from './lib.mjs';
import { execFileSync } from 'node:child_process';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

after(closeAll);

const fn = (name) => manifest.functions.find((f) => f.full_name === name);
const reads = manifest.functions.filter((f) => f.operation === 'read').map((f) => f.full_name);
const writes = manifest.functions.filter((f) => f.operation === 'write').map((f) => f.full_name);

test('initialize: kkp-host and its version, tools and resources, the client\'s protocol version', async () => {
  const client = await connect();
  const version = execFileSync(HOST, ['--version'], { encoding: 'utf8' }).split(' ')[1];
  assert.deepEqual(client.getServerVersion(), { name: 'kkp-host', version });
  const caps = client.getServerCapabilities();
  assert.ok(caps.tools && caps.resources);
  assert.equal(client.transport?.sessionId, undefined);
  await client.close();
});

test('tools/list with --write=deny (the default): the read functions, each schema the manifest\'s plus _account', async () => {
  const client = await connect();
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), [...reads].sort());
  for (const t of tools) {
    const f = fn(t.name);
    const { _account, ...props } = t.inputSchema.properties;
    assert.deepEqual({ ...t.inputSchema, properties: props }, f.parameters, `${t.name}: schema is the manifest's`);
    assert.deepEqual(_account.enum, ['default', 'globex']);
    assert.equal(_account.default, 'default');
    assert.equal(_account.type, 'string');
    assert.deepEqual(t.annotations, { readOnlyHint: true, openWorldHint: true });
    assert.ok(t.description.startsWith(f.description), `${t.name}: the manifest's description first`);
    for (const note of f.notes ?? []) assert.ok(t.description.includes(note), `${t.name}: note "${note}"`);
  }
  const desc = (n) => tools.find((t) => t.name === n).description;
  assert.match(desc('aircall_list_contacts'), /50 at a time/);
  assert.match(desc('aircall_list_calls'), /10,000/);
  await client.close();
});

test('tools/list with --write=allow: the writes too, not read-only; update replaces lists (destructive)', async () => {
  const client = await connect(['--write=allow']);
  const { tools } = await client.listTools();
  assert.equal(tools.length, manifest.functions.length);
  const ann = (n) => tools.find((t) => t.name === n).annotations;
  for (const w of writes) assert.equal(ann(w).readOnlyHint, false);
  assert.equal(ann('aircall_create_contact').destructiveHint, false);
  assert.equal(ann('aircall_update_contact').destructiveHint, true);
  assert.match(tools.find((t) => t.name === 'aircall_create_contact').description, /phone number/);
  await client.close();
});

test('every read function answers with the simulator\'s data, as one JSON text block and structuredContent', async () => {
  await simReset();
  const client = await connect();
  const [r1, calls] = await call(client, 'aircall_list_calls', { per_page: 5 });
  assert.deepEqual(r1.structuredContent, calls);
  assert.equal(r1.isError ?? false, false);
  assert.equal(calls.calls.length, 5);
  const [, one] = await call(client, 'aircall_get_call', { call_id: 12345 });
  const simCall = await sim('/v1/calls/12345');
  assert.equal(one.call.id, 12345);
  assert.equal(one.call.duration, simCall.call.duration);
  const [, contacts] = await call(client, 'aircall_list_contacts', { q: 'John' });
  assert.ok(contacts.contacts.length >= 3);
  for (const c of contacts.contacts) assert.match(`${c.first_name} ${c.last_name} ${c.company_name}`, /john/i);
  const [, users] = await call(client, 'aircall_list_users');
  assert.equal(users.users.length, (await sim('/v1/users?per_page=1')).meta.total);
  const [, numbers] = await call(client, 'aircall_list_numbers', {});
  assert.equal(numbers.numbers.length, (await sim('/v1/numbers?per_page=1')).meta.total);
  const [, me] = await call(client, 'aircall_get_current_user', {});
  assert.equal(me.user.id, 1001);
  await client.close();
});

test('_account picks the company: default and globex see their own data', async () => {
  const client = await connect();
  for (const account of ['default', 'globex']) {
    const [, users] = await call(client, 'aircall_list_users', { _account: account });
    const own = await sim('/v1/users?per_page=50', account);
    assert.deepEqual(users.users.slice(0, own.users.length).map((u) => u.email), own.users.map((u) => u.email), account);
  }
  const [, a] = await call(client, 'aircall_list_users', {});
  const [, b] = await call(client, 'aircall_list_users', { _account: 'globex' });
  assert.notDeepEqual(a.users.map((u) => u.email), b.users.map((u) => u.email));
  await client.close();
});

test('a plugin error is a result with isError and the error JSON as text, not a protocol error', async () => {
  const client = await connect();
  const [r, e] = await call(client, 'aircall_get_call', { call_id: 1 });
  assert.equal(r.isError, true);
  assert.equal(r.structuredContent, undefined);
  assert.equal(e.error.code, 'not_found');
  const [r2, e2] = await call(client, 'aircall_list_calls', { per_page: 500 });
  assert.equal(r2.isError, true);
  assert.equal(e2.error.code, 'invalid_argument');
  assert.match(e2.error.message, /per_page/);
  const [r3, e3] = await call(client, 'aircall_list_users', { _account: 'nope' });
  assert.equal(r3.isError, true);
  assert.match(e3.error.message, /nope.*default, globex/s);
  const [r4, e4] = await call(client, 'aircall_list_users', { _account: 7 });
  assert.equal(r4.isError, true);
  assert.equal(e4.error.code, 'invalid_argument');
  await client.close();
});

test('an unknown tool is JSON-RPC error -32602 with a did-you-mean', async () => {
  const client = await connect();
  await assert.rejects(client.callTool({ name: 'aircall_list_cals', arguments: {} }), (err) => {
    assert.equal(err.code, -32602);
    assert.match(err.message, /unknown tool "aircall_list_cals".*Did you mean "aircall_list_calls"/);
    return true;
  });
  await client.close();
});

test('concurrent calls: a slow get_call does not hold back list_numbers, answers come out of order', async () => {
  await simReset();
  await simFault({ kind: 'delay', path: '/v1/calls/12345', delay_ms: 1500, count: 1 });
  const client = await connect();
  const order = [];
  const slow = call(client, 'aircall_get_call', { call_id: 12345 }).then(([, j]) => { order.push('get_call'); return j; });
  const fast = call(client, 'aircall_list_numbers', {}).then(([, j]) => { order.push('list_numbers'); return j; });
  const [one, numbers] = await Promise.all([slow, fast]);
  assert.deepEqual(order, ['list_numbers', 'get_call']);
  assert.equal(one.call.id, 12345);
  assert.ok(numbers.numbers.length > 0);
  await client.close();
});

test('--write=deny: a write is refused as an error result and nothing reaches Aircall', async () => {
  await simReset();
  const client = await connect(['--write=deny']);
  const [r, e] = await call(client, 'aircall_create_contact', {
    first_name: 'Ann', phone_numbers: [{ label: 'Work', value: '+33612345678' }],
  });
  assert.equal(r.isError, true);
  assert.equal(e.error.code, 'write_denied');
  assert.match(e.error.message, /--write=allow/);
  assert.equal((await simRequests()).filter((q) => q.method !== 'GET').length, 0);
  await client.close();
});

test('--write=allow: create_contact and update_contact reach the account chosen, once each', async () => {
  await simReset();
  const client = await connect(['--write=allow']);
  const [r, created] = await call(client, 'aircall_create_contact', {
    first_name: 'Ann', last_name: 'Mcp', phone_numbers: [{ label: 'Work', value: '+33612340000' }], _account: 'globex',
  });
  assert.equal(r.isError ?? false, false, JSON.stringify(created));
  const id = created.contact.id;
  const [, updated] = await call(client, 'aircall_update_contact', { contact_id: id, company_name: 'MCP Corp', _account: 'globex' });
  assert.equal(updated.contact.company_name, 'MCP Corp');
  const posts = (await simRequests()).filter((q) => q.method === 'POST' && q.path === '/v1/contacts');
  assert.equal(posts.length, 1);
  assert.equal(posts[0].company, 'globex');
  assert.equal((await sim(`/v1/contacts/${id}`, 'globex')).contact.company_name, 'MCP Corp');
  await client.close();
});

test('resources: the agent reference as kkp://aircall/doc, the text kkp-host doc prints', async () => {
  const client = await connect();
  const { resources } = await client.listResources();
  assert.equal(resources.length, 1);
  assert.equal(resources[0].uri, 'kkp://aircall/doc');
  assert.equal(resources[0].mimeType, 'text/markdown');
  const { contents } = await client.readResource({ uri: 'kkp://aircall/doc' });
  assert.equal(contents[0].text, hostOutput(['doc', 'integrations.aircall']));
  await assert.rejects(client.readResource({ uri: 'kkp://nope/doc' }), (err) => err.code === -32002);
  await client.close();
});

test('describe --tools=mcp|openai prints what tools/list serves', async () => {
  const client = await connect(['--write=allow']);
  const { tools } = await client.listTools();
  assert.deepEqual(JSON.parse(hostOutput(['describe', 'aircall', '--tools=mcp'])).tools, tools);
  const openai = JSON.parse(hostOutput(['describe', 'aircall', '--tools=openai']));
  assert.deepEqual(openai, tools.map((t) => ({
    type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema },
  })));
  const denied = JSON.parse(hostOutput(['--write=deny', 'describe', 'aircall', '--tools=mcp'])).tools;
  assert.deepEqual(denied.map((t) => t.name).sort(), [...reads].sort());
  await client.close();
});

test('one provisioned account is the default; a wrapped keystore needs KKP_KEYSTORE_PASSPHRASE in env', async () => {
  const single = await connect(['--keystore', process.env.MCP_SINGLE_KEYSTORE]);
  const { tools } = await single.listTools();
  assert.deepEqual(tools[0].inputSchema.properties._account.enum, ['sales']);
  assert.equal(tools[0].inputSchema.properties._account.default, 'sales');
  const [r, users] = await call(single, 'aircall_list_users', {});
  assert.equal(r.isError ?? false, false, JSON.stringify(users));
  await single.close();
  const wrapped = await connect(['--keystore', process.env.MCP_WRAPPED_KEYSTORE]);
  const [rw, e] = await call(wrapped, 'aircall_get_current_user', {});
  assert.equal(rw.isError, true);
  assert.match(e.error.message, /set KKP_KEYSTORE_PASSPHRASE in the server's environment/);
  await wrapped.close();
  const unlocked = await connect(['--keystore', process.env.MCP_WRAPPED_KEYSTORE], { KKP_KEYSTORE_PASSPHRASE: 'pass-5ecret' });
  const [ru, me] = await call(unlocked, 'aircall_get_current_user', {});
  assert.equal(ru.isError ?? false, false, JSON.stringify(me));
  assert.equal(me.user.id, 1001);
  await unlocked.close();
});

test('--account keeps the _account enum to the accounts named', async () => {
  const client = await connect(['--account', 'globex']);
  const { tools } = await client.listTools();
  assert.deepEqual(tools[0].inputSchema.properties._account.enum, ['globex']);
  const [, users] = await call(client, 'aircall_list_users', {});
  const own = await sim('/v1/users?per_page=50', 'globex');
  assert.equal(users.users[0].email, own.users[0].email);
  await client.close();
});

test('every inputSchema compiles in a strict JSON Schema validator and says what the plugin requires', async () => {
  const client = await connect(['--write=allow']);
  const { tools } = await client.listTools();
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  addFormats(ajv);
  const check = Object.fromEntries(tools.map((t) => [t.name, ajv.compile(t.inputSchema)]));
  for (const from of ['2026-01-01', '2026-01-01T09:00:00+02:00', '2026-01-01T00:00:00.5Z', 1767225600]) {
    assert.ok(check.aircall_list_calls({ from }), `${from}: ${JSON.stringify(check.aircall_list_calls.errors)}`);
    const [r, j] = await call(client, 'aircall_list_calls', { from, per_page: 1 });
    assert.equal(r.isError ?? false, false, `the plugin accepts ${from} too: ${JSON.stringify(j)}`);
  }
  assert.equal(check.aircall_list_calls({ from: 'yesterday' }), false);
  const phone = [{ label: 'Work', value: '+33612345678' }];
  assert.equal(check.aircall_create_contact({ first_name: 'Ann' }), false, 'a phone number is required');
  assert.equal(check.aircall_create_contact({ phone_numbers: phone }), false, 'a name is required');
  assert.equal(check.aircall_create_contact({ first_name: 'Ann', phone_numbers: [] }), false);
  assert.ok(check.aircall_create_contact({ last_name: 'Lee', phone_numbers: phone, _account: 'globex' }));
  assert.equal(check.aircall_get_call({}), false);
  assert.equal(check.aircall_list_users({ _account: 'nope' }), false);
  await client.close();
});
