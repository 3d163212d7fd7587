import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { decodeJwt, SignJWT } from 'jose';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../contract/audit.ts';
import type { Channel, ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '../../contract/events.ts';
import type { Clock } from '../lib/clock.ts';
import { createTestApp, seedSmallOrg, type TestApp } from '../testing/test-app.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
type Pushed = LogEvent & { channel: Channel };

// The read horizon on PostgreSQL is cluster-wide (test files run in parallel), and the machine may be
// busy: waits are bounded, and generous.
const WAIT_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

let t: TestApp;
let url: string;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;
const open: Client[] = [];

beforeAll(async () => {
  t = await createTestApp({ clock });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  org = await seedSmallOrg(t);
});
afterEach(() => {
  for (const s of open.splice(0)) s.disconnect();
  offsetMs = 0;
});
afterAll(async () => {
  for (const s of open.splice(0)) s.disconnect();
  await t?.close();
});

interface Connected {
  socket: Client;
  events: Pushed[];
  revoked: { code: string; message: string }[];
  disconnected: () => boolean;
  subscribe(channel: string, sinceSeq?: number): Promise<SubscribeAck>;
}

/** Connects over WebSocket only (or the transports given); resolves once connected, or rejects with the connect_error. */
function connect(auth: Record<string, unknown>, transports: ('websocket' | 'polling')[] = ['websocket']): Promise<Connected> {
  const socket: Client = io(url, { transports, auth, reconnection: false, forceNew: true, timeout: WAIT_MS });
  open.push(socket);
  const events: Pushed[] = [];
  const revoked: { code: string; message: string }[] = [];
  let gone = false;
  socket.on('event', (e) => events.push(e));
  socket.on('revoked', (r) => revoked.push(r));
  socket.on('disconnect', () => (gone = true));
  return new Promise((resolve, reject) => {
    socket.once('connect', () =>
      resolve({
        socket,
        events,
        revoked,
        disconnected: () => gone,
        subscribe: (channel, sinceSeq) =>
          socket.timeout(WAIT_MS).emitWithAck('subscribe', sinceSeq === undefined ? { channel } : { channel, sinceSeq }),
      }),
    );
    socket.once('connect_error', (err) => {
      socket.disconnect();
      reject(err);
    });
  });
}

async function refusal(auth: Record<string, unknown>): Promise<{ message: string; data?: { code?: string } }> {
  try {
    await connect(auth);
  } catch (err) {
    return err as { message: string; data?: { code?: string } };
  }
  throw new Error('the handshake was accepted');
}

async function post(url: string, payload: object, token = t.adminToken) {
  const res = await t.call(token, { method: 'POST', url: `/api/v1${url}`, payload });
  if (res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('handshake', () => {
  it('refuses a missing, forged, expired or unsigned token with a code, and accepts a valid one', async () => {
    expect((await refusal({})).data?.code).toBe('UNAUTHENTICATED');
    expect((await refusal({ token: 'not-a-jwt' })).data?.code).toBe('TOKEN_INVALID');

    const claims = decodeJwt(t.adminToken);
    const forged = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(randomBytes(32));
    expect((await refusal({ token: forged })).data?.code).toBe('TOKEN_INVALID');

    const unsigned = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`;
    expect((await refusal({ token: unsigned })).data?.code).toBe('TOKEN_INVALID');

    // The same real token, once its 15 minutes have passed on the server's clock.
    offsetMs = 16 * 60_000;
    expect((await refusal({ token: t.adminToken })).data?.code).toBe('TOKEN_EXPIRED');
    offsetMs = 0;

    const ok = await connect({ token: t.adminToken });
    expect(ok.socket.connected).toBe(true);
    expect(await ok.subscribe('org')).toEqual({ ok: true, channel: 'org', replayed: 0 });
  });

  it('accepts an API key in auth.apiKey, limited by its scopes', async () => {
    const created = await post('/api-keys', { name: 'socket reader', scopes: ['org:read'] });
    expect((await refusal({ apiKey: 'wf_not-a-real-key' })).data?.code).toBe('TOKEN_INVALID');
    const client = await connect({ apiKey: created.key });
    expect(await client.subscribe('org')).toMatchObject({ ok: true });
    expect(await client.subscribe('me')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await client.subscribe(`floor:${org.location.id}`)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await client.subscribe('approvals')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });
});

describe('channels', () => {
  it('refuses channels outside a role and unknown channel names', async () => {
    const employee = await connect({ token: org.employeeToken });
    expect(await employee.subscribe(`floor:${org.otherLocation.id}`)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await employee.subscribe('approvals')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await employee.subscribe('agents')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await employee.subscribe('everything')).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(await employee.subscribe('me')).toMatchObject({ ok: true });

    const manager = await connect({ token: org.managerToken });
    expect(await manager.subscribe(`floor:${org.otherLocation.id}`)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await manager.subscribe(`schedule:${org.mumbaiOps.id}`)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await manager.subscribe(`schedule:${org.packing.id}`)).toMatchObject({ ok: true });
    expect(await manager.subscribe('approvals')).toMatchObject({ ok: true });
  });

  it("a department manager watches their location's floor and gets only their department's punches", async () => {
    const manager = await connect({ token: org.managerToken });
    const admin = await connect({ token: t.adminToken });
    const floor = `floor:${org.location.id}`;
    expect(await manager.subscribe(floor)).toMatchObject({ ok: true });
    expect(await admin.subscribe(floor)).toMatchObject({ ok: true });
    const punch = (employeeId: string) => post('/clock-events', { id: randomUUID(), employeeId, kind: 'clock_in' });
    const picker = await punch(org.colleague.id); // Picking: not the manager's department
    const packer = await punch(org.employee.id); // Packing: theirs
    await waitFor('the admin to see both', () => [picker.id, packer.id].every((id) => admin.events.some((e) => e.entity.id === id)));
    await waitFor('the manager to see theirs', () => manager.events.some((e) => e.entity.id === packer.id));
    expect(manager.events.some((e) => e.entity.id === picker.id)).toBe(false);
  });

  it('a broadcast channel reaches websocket and long-polling clients alike: each event once, in log order', async () => {
    // A floor is a broadcast channel for an admin: the fan-out writes straight to idle websockets and
    // leaves every other socket to socket.io.
    const floor = `floor:${org.location.id}`;
    const overWebsocket = await connect({ token: t.adminToken });
    const overPolling = await connect({ token: t.adminToken }, ['polling']);
    expect(overPolling.socket.io.engine.transport.name).toBe('polling');
    for (const c of [overWebsocket, overPolling]) expect(await c.subscribe(floor)).toMatchObject({ ok: true });
    const person = await post('/employees', { name: 'Tess Transport', departmentId: org.packing.id, locationId: org.location.id });
    const punched: string[] = [];
    for (const kind of ['clock_in', 'break_start', 'break_end']) punched.push((await post('/clock-events', { id: randomUUID(), employeeId: person.id, kind })).id);
    for (const c of [overWebsocket, overPolling]) {
      await waitFor('the three punches', () => punched.every((id) => c.events.some((e) => e.entity.id === id)));
      expect(c.events.filter((e) => e.type === 'clock_event.recorded').map((e) => e.entity.id)).toEqual(punched);
    }
  });

  it('pushes org events to a manager only within their scope, each with seq, type, entity, payload, occurredAt and channel', async () => {
    const manager = await connect({ token: org.managerToken });
    const admin = await connect({ token: t.adminToken });
    expect(await manager.subscribe('org')).toMatchObject({ ok: true });
    expect(await admin.subscribe('org')).toMatchObject({ ok: true });

    const inScope = await post('/employees', { name: 'In Packing', departmentId: org.packing.id, locationId: org.location.id });
    const otherDept = await post('/employees', { name: 'In Picking', departmentId: org.picking.id, locationId: org.location.id });
    const farAway = await post('/employees', { name: 'In Mumbai', departmentId: org.mumbaiOps.id, locationId: org.otherLocation.id });
    const otherUser = await post('/users', { email: `u${randomBytes(4).toString('hex')}@test.example`, password: 'user-password-1', role: 'employee' });
    const sentinel = await post('/employees', { name: 'Last In Packing', departmentId: org.packing.id, locationId: org.location.id });

    await waitFor('the admin to see the last change', () => admin.events.some((e) => e.entity.id === sentinel.id));
    await waitFor('the manager to see the last change', () => manager.events.some((e) => e.entity.id === sentinel.id));
    // The admin sees everything; events are delivered in log order, so anything the manager could
    // wrongly receive would have arrived before the sentinel.
    expect(admin.events.map((e) => e.entity.id)).toEqual(
      expect.arrayContaining([inScope.id, otherDept.id, farAway.id, otherUser.id, sentinel.id]),
    );
    expect(manager.events.map((e) => [e.type, e.entity.id])).toEqual([
      ['employee.created', inScope.id],
      ['employee.created', sentinel.id],
    ]);

    for (const e of [...admin.events, ...manager.events]) {
      expect(e).toMatchObject({ seq: expect.any(Number), type: expect.any(String), channel: 'org' });
      expect(e.entity).toEqual({ type: expect.any(String), id: expect.any(String) });
      expect(typeof e.payload).toBe('object');
      expect(new Date(e.occurredAt).toISOString()).toBe(e.occurredAt);
      expect(Object.keys(e)).not.toContain('scope');
      expect(Object.keys(e)).not.toContain('txId');
    }
    const created = manager.events[0]!;
    expect(created.payload).toMatchObject({ after: { name: 'In Packing', departmentId: org.packing.id } });
    expect(manager.events[0]!.seq).toBeLessThan(manager.events[1]!.seq);
  });

  it("`me` carries only the user's own events", async () => {
    const ada = await connect({ token: org.employeeToken });
    const mia = await connect({ token: org.managerToken });
    expect(await ada.subscribe('me')).toMatchObject({ ok: true });
    expect(await mia.subscribe('me')).toMatchObject({ ok: true });

    const patch = (id: string, name: string) =>
      t.call(t.adminToken, { method: 'PATCH', url: `/api/v1/employees/${id}`, payload: { name } });
    expect((await patch(org.colleague.id, 'Bo Renamed')).status).toBe(200);
    expect((await patch(org.employee.id, 'Ada Renamed')).status).toBe(200);
    // A new session of Ada's is hers too (scope userId).
    await t.login('ada@test.example', org.password);
    expect((await patch(org.employee.id, 'Ada Renamed Again')).status).toBe(200);

    await waitFor("Ada's second rename", () => ada.events.some((e) => e.payload.after && (e.payload.after as { name?: string }).name === 'Ada Renamed Again'));
    expect(ada.events.map((e) => e.type)).toEqual(['employee.updated', 'session.started', 'employee.updated']);
    expect(ada.events.filter((e) => e.type === 'employee.updated').every((e) => e.entity.id === org.employee.id)).toBe(true);
    expect(ada.events.every((e) => e.channel === 'me')).toBe(true);

    // Mia's own stream saw none of it (give it the same chance: a change of hers arrives after them).
    const miaUser = org.managerUser;
    expect((await t.call(t.adminToken, { method: 'PATCH', url: `/api/v1/users/${miaUser.id}`, payload: { name: 'Mia M.' } })).status).toBe(200);
    await waitFor("Mia's own change", () => mia.events.some((e) => e.entity.id === miaUser.id));
    expect(mia.events.map((e) => [e.type, e.entity.id])).toEqual([['user.updated', miaUser.id]]);
  });
});

describe('replay by seq', () => {
  it('a re-subscribe with sinceSeq gets exactly the missed events of the channel, in order, then live ones', async () => {
    const location = (name: string) => post('/locations', { name, timezone: 'Europe/Paris' });
    const first = await connect({ token: t.adminToken });
    expect(await first.subscribe('org')).toMatchObject({ ok: true, replayed: 0 });
    const seen = [await location('R1'), await location('R2'), await location('R3')];
    await waitFor('the first three', () => seen.every((l) => first.events.some((e) => e.entity.id === l.id)));
    const lastSeq = first.events.at(-1)!.seq;
    first.socket.disconnect();

    // Missed while away: three org changes, plus events of other channels that must not be replayed on `org`.
    const missed = [await location('M1'), await location('M2')];
    await t.login('ada@test.example', org.password); // session.started: `me` only
    missed.push(await location('M3'));
    // Everything missed is committed and readable: the replay, not the live stream, must carry it.
    await t.settle();

    const again = await connect({ token: t.adminToken });
    const ack = await again.subscribe('org', lastSeq);
    expect(ack).toEqual({ ok: true, channel: 'org', replayed: 3 });
    // The replay is sent before the acknowledgement.
    expect(again.events.map((e) => e.entity.id)).toEqual(missed.map((l) => l.id));
    const seqs = again.events.map((e) => e.seq);
    expect(seqs.every((s) => s > lastSeq)).toBe(true);
    expect(new Set(seqs).size).toBe(seqs.length);

    const live = await location('L1');
    await waitFor('the live event', () => again.events.some((e) => e.entity.id === live.id));
    await sleep(200);
    expect(again.events.map((e) => e.entity.id)).toEqual([...missed, live].map((l) => l.id));
    expect(again.events.every((e) => e.channel === 'org')).toBe(true);
  });

  it('replay respects scope, and refuses an unknown seq', async () => {
    const manager = await connect({ token: org.managerToken });
    expect(await manager.subscribe('org')).toMatchObject({ ok: true });
    const before = await post('/employees', { name: 'Packer A', departmentId: org.packing.id, locationId: org.location.id });
    await waitFor('Packer A', () => manager.events.some((e) => e.entity.id === before.id));
    const since = manager.events.at(-1)!.seq;
    manager.socket.disconnect();

    await post('/employees', { name: 'Mumbai B', departmentId: org.mumbaiOps.id, locationId: org.otherLocation.id });
    const inScope = await post('/employees', { name: 'Packer C', departmentId: org.packing.id, locationId: org.location.id });
    await t.settle();

    const back = await connect({ token: org.managerToken });
    // The out-of-scope event is on the channel but not for this manager: neither sent nor counted.
    expect(await back.subscribe('org', since)).toMatchObject({ ok: true, replayed: 1 });
    expect(back.events.map((e) => e.entity.id)).toEqual([inScope.id]);
    expect(await back.subscribe('org', 2 ** 40)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });
});

describe('ending a session, a user or a key closes their sockets', () => {
  async function closed(client: Connected, code: string) {
    await waitFor(`the socket to be closed with ${code}`, () => client.disconnected());
    expect(client.revoked.map((r) => r.code)).toEqual([code]);
  }

  it('log-out closes the sockets of that session only, and its token is refused after', async () => {
    const token = await t.login('manager@test.example', org.password);
    const session = await connect({ token });
    const otherSession = await connect({ token: org.managerToken });
    expect(await session.subscribe('me')).toMatchObject({ ok: true });

    const res = await t.call(token, { method: 'POST', url: '/api/v1/auth/logout' });
    expect(res.status).toBe(204);
    await closed(session, 'SESSION_ENDED');
    expect((await refusal({ token })).data?.code).toBe('TOKEN_INVALID');
    await sleep(100);
    expect(otherSession.disconnected()).toBe(false);
    expect(otherSession.socket.connected).toBe(true);
  });

  it('deactivating a user closes all their sockets and refuses them after', async () => {
    const email = `leaver${randomBytes(4).toString('hex')}@test.example`;
    const user = await post('/users', { email, password: 'user-password-1', role: 'employee' });
    const tokens = [await t.login(email, 'user-password-1'), await t.login(email, 'user-password-1')];
    const sockets = [await connect({ token: tokens[0] }), await connect({ token: tokens[1] })];
    const bystander = await connect({ token: org.employeeToken });

    const res = await t.call(t.adminToken, { method: 'DELETE', url: `/api/v1/users/${user.id}` });
    expect(res.status).toBe(200);
    for (const s of sockets) await closed(s, 'USER_DEACTIVATED');
    for (const token of tokens) expect((await refusal({ token })).data?.code).toBe('TOKEN_INVALID');
    expect(bystander.socket.connected).toBe(true);
  });

  it('revoking an API key closes its sockets and refuses it after', async () => {
    const key = await post('/api-keys', { name: 'to revoke', scopes: ['org:read'] });
    const keep = await post('/api-keys', { name: 'to keep', scopes: ['org:read'] });
    const client = await connect({ apiKey: key.key });
    const other = await connect({ apiKey: keep.key });
    expect(await client.subscribe('org')).toMatchObject({ ok: true });

    const res = await t.call(t.adminToken, { method: 'DELETE', url: `/api/v1/api-keys/${key.id}` });
    expect(res.status).toBe(200);
    await closed(client, 'API_KEY_REVOKED');
    expect((await refusal({ apiKey: key.key })).data?.code).toBe('TOKEN_INVALID');
    expect(other.socket.connected).toBe(true);
  });
});

describe('a change of rights reaches the sockets already open', () => {
  it('an admin demoted to employee stops receiving other people\'s user and key events, and loses approvals', async () => {
    const email = `demoted${randomBytes(4).toString('hex')}@test.example`;
    const user = await post('/users', { email, password: 'user-password-1', role: 'admin' });
    const client = await connect({ token: await t.login(email, 'user-password-1') });
    expect(await client.subscribe('org')).toMatchObject({ ok: true });
    expect(await client.subscribe('approvals')).toMatchObject({ ok: true });

    const before = await post('/api-keys', { name: 'seen while admin', scopes: ['org:read'] });
    await waitFor('the admin to see the key being created', () => client.events.some((e) => e.entity.id === before.id));

    const res = await t.call(t.adminToken, { method: 'PATCH', url: `/api/v1/users/${user.id}`, payload: { role: 'employee' } });
    expect(res.status).toBe(200);
    // Their own change reaches them (it is theirs), then the new rights apply.
    await waitFor('the demotion to reach the socket', () => client.events.some((e) => e.type === 'user.updated' && e.entity.id === user.id));
    await sleep(300);

    const after = await post('/api-keys', { name: 'not for an employee', scopes: ['org:read'] });
    const marker = await post('/api-keys', { name: 'marker', scopes: ['org:read'] });
    const watcher = await connect({ token: t.adminToken });
    expect(await watcher.subscribe('org', 0)).toMatchObject({ ok: true });
    await waitFor('the marker to be in the log', () => watcher.events.some((e) => e.entity.id === marker.id));
    await sleep(300);
    expect(client.events.some((e) => e.entity.id === after.id)).toBe(false);
    expect(client.socket.connected).toBe(true);
    expect(await client.subscribe('approvals')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });
});
