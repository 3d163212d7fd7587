import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import { Encoder, PacketType } from 'socket.io-parser';
import { subscribeRequest, type Channel, type ClientToServerEvents, type ServerToClientEvents } from '../../contract/events.ts';
import type { AuthService } from '../features/auth/auth.service.ts';
import { isAfter, logStart, toLogEvent, type EventLog, type LogPosition, type StoredEvent } from '../events/event-log.ts';
import type { LogTail } from '../events/log-tail.ts';
import { AppError } from '../lib/app-error.ts';
import type { Principal } from '../lib/principal.ts';
import { authenticate } from '../plugins/auth.ts';
import { canSee, canSubscribe, channelsOf, isBroadcastChannel, seesWholeChannel } from './channels.ts';

interface SocketData {
  principal: Principal;
  /** The channels this socket subscribed, to re-authorise them when its principal's rights change. */
  channels: Set<Channel>;
}
type WorkfloorSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const noop = () => undefined;
/** The Engine.IO packet type of a message, and the websocket frame of a text message, unmasked. */
const ENGINE_MESSAGE = '4';
const FRAME_OPTIONS = { readOnly: false, mask: false, rsv1: false, opcode: 1, fin: true };

/** The parts of an engine.io connection `broadcast` looks at (not engine.io's public API: each is checked). */
interface EngineSocketInternals {
  readyState?: string;
  upgrading?: boolean;
  writeBuffer?: unknown[];
  transport?: {
    name?: string;
    writable?: boolean;
    perMessageDeflate?: unknown;
    socket?: { _sender?: WebsocketSender };
  };
}
interface WebsocketSender {
  sendFrame(frame: Buffer[], cb: () => void): void;
  constructor: { frame(data: Buffer, options: typeof FRAME_OPTIONS): Buffer[] };
}

/** The connection's websocket sender when a frame may be written to it now, in order; else undefined. */
function idleWebsocketSender(conn: EngineSocketInternals): WebsocketSender | undefined {
  const transport = conn.transport;
  const sender = transport?.socket?._sender;
  const idle = conn.readyState === 'open' && conn.upgrading === false && conn.writeBuffer?.length === 0 &&
    transport?.name === 'websocket' && transport.writable === true && !transport.perMessageDeflate;
  return idle && typeof sender?.sendFrame === 'function' && typeof sender.constructor.frame === 'function' ? sender : undefined;
}

const MAX_REPLAY = 5_000;
/**
 * Rows of the log one replay may read, whatever it sends: live delivery waits while a replay runs
 * (that is what makes it gapless), so a client asking for a far-away `sinceSeq` on a quiet channel is
 * told to reload rather than holding up every other socket while it walks the whole log.
 */
const MAX_REPLAY_SCAN = 20_000;
const REPLAY_BATCH = 1_000;

export interface RealtimeDeps {
  httpServer: HttpServer;
  auth: AuthService;
  events: EventLog;
  tail: LogTail;
  log: Logger;
  onSocketCount?: (count: number) => void;
}

/**
 * Socket.IO: authenticates the handshake, authorises each channel, and pushes the log's events to the
 * sockets subscribed to their channels. A client that subscribes with `sinceSeq` is first sent, in
 * order, every event after that one on the channel; the replay runs between two deliveries of the
 * tail, so it joins the live stream with no gap and no duplicate.
 */
export function createRealtime({ httpServer, auth, events, tail, log, onSocketCount }: RealtimeDeps) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: false },
  });
  const subscribers = new Map<Channel, Set<WorkfloorSocket>>();
  // Connected sockets of the namespace, not engine connections: a client that disconnects leaves the
  // namespace before its 'disconnect' handler runs, while its engine connection closes only later.
  const openSockets = () => io.of('/').sockets.size;

  io.use(async (socket, next) => {
    const { token, apiKey } = (socket.handshake.auth ?? {}) as { token?: unknown; apiKey?: unknown };
    try {
      socket.data.principal = await authenticate(auth, {
        token: typeof token === 'string' ? token : undefined,
        apiKey: typeof apiKey === 'string' ? apiKey : undefined,
      });
      socket.data.channels = new Set();
      next();
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'UNAUTHENTICATED';
      const error = new Error(err instanceof AppError ? err.message : 'Not authenticated') as Error & { data: unknown };
      error.data = { code };
      next(error);
    }
  });

  function emit(socket: WorkfloorSocket, channel: Channel, event: StoredEvent) {
    if (canSee(socket.data.principal, channel, event)) socket.emit('event', { ...toLogEvent(event), channel });
  }

  async function replay(socket: WorkfloorSocket, channel: Channel, sinceSeq: number, upTo: LogPosition): Promise<number> {
    let position = sinceSeq === 0 ? logStart : await events.positionOf(sinceSeq);
    if (!position) throw new AppError('NOT_FOUND', `No event with seq ${sinceSeq}; reload instead`);
    let sent = 0;
    let scanned = 0;
    for (;;) {
      if (scanned >= MAX_REPLAY_SCAN) throw new AppError('CONFLICT', 'Too far behind to replay; reload instead');
      const batch = await events.readAfter(position, REPLAY_BATCH);
      scanned += batch.length;
      for (const event of batch) {
        if (isAfter(event, upTo)) return sent;
        // Count only what this principal may see: `replayed` is what the client actually receives.
        if (channelsOf(event).includes(channel) && canSee(socket.data.principal, channel, event)) {
          if (++sent > MAX_REPLAY) throw new AppError('CONFLICT', 'Too many missed events to replay; reload instead');
          socket.emit('event', { ...toLogEvent(event), channel });
        }
      }
      if (batch.length < REPLAY_BATCH) return sent;
      position = batch.at(-1)!;
    }
  }

  io.on('connection', (socket: WorkfloorSocket) => {
    onSocketCount?.(openSockets());
    const mine = socket.data.channels;

    socket.on('subscribe', async (raw, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const parsed = subscribeRequest.safeParse(raw);
      if (!parsed.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: parsed.error.issues[0]?.message ?? 'bad request' });
      const { channel, sinceSeq } = parsed.data;
      if (!canSubscribe(socket.data.principal, channel)) {
        return reply({ ok: false, code: 'FORBIDDEN', message: `You may not subscribe to ${channel}` });
      }
      try {
        const replayed = await tail.exclusive(async (delivered) => {
          const n = sinceSeq === undefined ? 0 : await replay(socket, channel, sinceSeq, delivered);
          join(socket, channel);
          return n;
        });
        reply({ ok: true, channel, replayed });
      } catch (err) {
        const e = err instanceof AppError ? err : new AppError('INTERNAL', 'Could not subscribe');
        if (!(err instanceof AppError)) log.error({ err }, 'subscribe failed');
        reply({ ok: false, code: e.code, message: e.message });
      }
    });

    socket.on('unsubscribe', (raw, ack) => {
      const channel = (raw as { channel?: unknown } | undefined)?.channel;
      if (typeof channel === 'string') leave(socket, channel as Channel);
      if (typeof ack === 'function') ack({ ok: true });
    });

    socket.on('disconnect', () => {
      for (const channel of mine) subscribers.get(channel)?.delete(socket);
      onSocketCount?.(openSockets());
    });
  });

  /** Into the channel's broadcast room when every event of it is for this socket, else filtered one by one. */
  function join(socket: WorkfloorSocket, channel: Channel) {
    if (isBroadcastChannel(channel) && seesWholeChannel(socket.data.principal, channel)) void socket.join(channel);
    else {
      if (!subscribers.has(channel)) subscribers.set(channel, new Set());
      subscribers.get(channel)!.add(socket);
    }
    socket.data.channels.add(channel);
  }

  function leave(socket: WorkfloorSocket, channel: Channel) {
    subscribers.get(channel)?.delete(socket);
    void socket.leave(channel);
    socket.data.channels.delete(channel);
  }

  /**
   * A user's role or scope changed (or a department moved, which changes a manager's scope): their
   * sockets take the new rights at once, keeping the channels they may still see and losing the rest.
   * Events delivered while the new principal loads are checked against the old one: the change itself
   * is in the same batch and was already filtered with the rights the user had when it was made.
   */
  function rescope(match: (p: Principal) => boolean) {
    for (const socket of io.sockets.sockets.values() as Iterable<WorkfloorSocket>) {
      const principal = socket.data.principal;
      if (principal.kind !== 'user' || !match(principal)) continue;
      auth
        .currentPrincipal(principal)
        .then((next) => {
          if (!socket.connected) return;
          if (!next) {
            socket.emit('revoked', { code: 'SESSION_ENDED', message: 'Your session has ended' });
            socket.disconnect(true);
            return;
          }
          socket.data.principal = next;
          for (const channel of [...socket.data.channels]) {
            leave(socket, channel);
            // A channel the new rights do not allow is simply no longer fed; a later subscribe is refused.
            if (canSubscribe(next, channel)) join(socket, channel);
          }
        })
        .catch((err: unknown) => log.warn({ err }, 'could not re-authorise a socket'));
    }
  }

  function closeWhere(match: (p: Principal) => boolean, code: string, message: string) {
    for (const socket of io.sockets.sockets.values() as Iterable<WorkfloorSocket>) {
      if (match(socket.data.principal)) {
        socket.emit('revoked', { code, message });
        socket.disconnect(true);
      }
    }
  }

  /** The tail's listener: fan-out, then close the sockets whose session, user or key just ended. */
  function deliver(batch: StoredEvent[]) {
    for (const event of batch) {
      for (const channel of channelsOf(event)) {
        // Everyone in a broadcast channel may see all of it: one encoding for all its sockets (and
        // none for a room nobody is in: socket.io would encode the packet anyway).
        if (isBroadcastChannel(channel) && (rooms.get(channel)?.size ?? 0) > 0) broadcast(channel, { ...toLogEvent(event), channel });
        // Subscribers who may see only part of the channel get what is theirs, one by one.
        for (const socket of subscribers.get(channel) ?? []) emit(socket, channel, event);
      }
      // Deactivation first: its payload also lists the sessions it ended, and the client should be told
      // why (a closed socket is gone from the namespace, so the session check below skips it).
      if (event.type === 'user.deactivated') {
        closeWhere((p) => p.kind === 'user' && p.userId === event.entity.id, 'USER_DEACTIVATED', 'Your account was deactivated');
      }
      const ended = event.type === 'session.ended' || event.type === 'session.revoked';
      const sessionIds = new Set<string>(ended ? [event.entity.id] : ((event.payload.sessionIds as string[] | undefined) ?? []));
      if (sessionIds.size > 0) {
        closeWhere((p) => p.kind === 'user' && sessionIds.has(p.sessionId), 'SESSION_ENDED', 'Your session has ended');
      }
      if (event.type === 'api_key.revoked') {
        closeWhere((p) => p.kind === 'api_key' && p.keyId === event.entity.id, 'API_KEY_REVOKED', 'This API key was revoked');
      }
      if (event.type === 'user.updated') rescope((p) => p.kind === 'user' && p.userId === event.entity.id);
      else if (event.entity.type === 'department' || event.entity.type === 'location') {
        rescope((p) => p.kind === 'user' && p.role === 'manager');
      }
    }
  }

  const rooms = io.of('/').adapter.rooms;
  const encoder = new Encoder();

  /**
   * `io.to(channel).emit(...)`, cheaper: the fan-out of one event to a thousand sockets was most of the
   * server's time under the push bench, and engine.io's per-packet machinery (a packet object, a write
   * buffer, four events and a write callback per socket) was a third of it. A socket whose websocket
   * has nothing queued in engine.io (idle, writable, no upgrade under way) gets the event's websocket
   * frame, encoded once for all, written straight to its connection, exactly as engine.io itself
   * writes a pre-encoded frame; nothing is reordered, since nothing of engine.io's is waiting. Every
   * other socket (polling, busy, or an engine.io whose internals differ) takes socket.io's own path.
   */
  function broadcast(channel: Channel, message: unknown) {
    const ids = rooms.get(channel);
    if (!ids) return;
    const sockets = io.of('/').sockets;
    let frame: Buffer[] | undefined;
    for (const id of ids) {
      const socket = sockets.get(id);
      if (!socket) continue;
      const sender = idleWebsocketSender(socket.conn as unknown as EngineSocketInternals);
      if (sender) {
        frame ??= sender.constructor.frame(Buffer.from(ENGINE_MESSAGE + (encoder.encode({ type: PacketType.EVENT, nsp: '/', data: ['event', message] }) as string[])[0]), FRAME_OPTIONS);
        sender.sendFrame(frame, noop);
      } else socket.emit('event', message as never);
    }
  }

  const unsubscribe = tail.subscribe(deliver);

  return {
    io,
    socketCount: openSockets,
    /** Disconnects every socket; the HTTP server itself is closed by Fastify. */
    close() {
      unsubscribe();
      io.disconnectSockets(true);
      io.engine.close();
    },
  };
}

export type Realtime = ReturnType<typeof createRealtime>;
