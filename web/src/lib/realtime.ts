import { useSyncExternalStore } from 'react';
import type { Socket } from 'socket.io-client';
import type { LogEvent } from '@contract/audit.ts';
import type { Channel, ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '@contract/events.ts';
import { endSession, getAccessToken, refreshAccessToken } from './api';

export type LiveEvent = LogEvent & { channel: Channel };
export type ConnectionStatus = 'offline' | 'connecting' | 'connected' | 'reconnecting';

interface State {
  status: ConnectionStatus;
  lastEventAt: Date | null;
}

/**
 * The app's one socket. It remembers the last `seq` seen per channel and sends it when it
 * resubscribes after a reconnect, so the server replays what was missed; listeners of `onResync` are
 * told to refetch what is on screen, since anything not on a channel may also have changed.
 */
class Realtime {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private channels: Channel[] = [];
  private lastSeq = new Map<Channel, number>();
  private everConnected = false;
  private generation = 0;
  private state: State = { status: 'offline', lastEventAt: null };
  private stateListeners = new Set<() => void>();
  private eventListeners = new Set<(event: LiveEvent) => void>();
  private resyncListeners = new Set<() => void>();

  getState = () => this.state;
  subscribeState = (listener: () => void) => {
    this.stateListeners.add(listener);
    return () => void this.stateListeners.delete(listener);
  };

  private set(patch: Partial<State>) {
    this.state = { ...this.state, ...patch };
    for (const l of this.stateListeners) l();
  }

  onEvent(listener: (event: LiveEvent) => void) {
    this.eventListeners.add(listener);
    return () => void this.eventListeners.delete(listener);
  }

  onResync(listener: () => void) {
    this.resyncListeners.add(listener);
    return () => void this.resyncListeners.delete(listener);
  }

  async start(channels: Channel[]) {
    this.stop();
    const generation = ++this.generation;
    this.channels = channels;
    this.set({ status: 'connecting' });
    // Loaded only once someone is signed in: the log-in page never downloads the socket client.
    const { io } = await import('socket.io-client');
    if (generation !== this.generation) return;
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      path: '/socket.io',
      transports: ['websocket'],
      // A function, so every (re)connection sends the newest access token.
      auth: (cb) => cb({ token: getAccessToken() }),
      reconnectionDelay: 500,
      reconnectionDelayMax: 8000,
    });
    this.socket = socket;

    socket.on('connect', () => {
      const resync = this.everConnected;
      this.everConnected = true;
      this.set({ status: 'connected' });
      for (const channel of this.channels) this.subscribe(socket, channel);
      if (resync) for (const l of this.resyncListeners) l();
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      this.set({ status: 'reconnecting' });
      // The server closed us on purpose (revoked); the 'revoked' handler decides what happens next.
    });
    socket.io.on('reconnect_attempt', () => this.set({ status: 'reconnecting' }));
    socket.on('connect_error', async (err) => {
      this.set({ status: 'reconnecting' });
      if (socket.active) return; // a transport error: socket.io retries by itself
      // Refused by the server's handshake check: usually an access token that expired meanwhile.
      const code = (err as Error & { data?: { code?: string } }).data?.code;
      if (code === 'TOKEN_EXPIRED' || code === 'TOKEN_INVALID' || code === 'UNAUTHENTICATED') {
        let token: string | null;
        try {
          token = await refreshAccessToken();
        } catch {
          // The server is unreachable (not a refusal): keep the session and try again shortly.
          setTimeout(() => generation === this.generation && socket.connect(), 5000);
          return;
        }
        if (generation !== this.generation) return;
        if (!token) return endSession('expired');
        socket.connect();
      } else {
        setTimeout(() => generation === this.generation && socket.connect(), 5000);
      }
    });
    socket.on('revoked', (reason) => {
      this.stop();
      endSession(reason.code === 'USER_DEACTIVATED' ? 'deactivated' : 'ended');
    });
    socket.on('event', (event) => {
      const last = this.lastSeq.get(event.channel) ?? 0;
      if (event.seq > last) this.lastSeq.set(event.channel, event.seq);
      this.set({ lastEventAt: new Date() });
      for (const l of this.eventListeners) l(event);
    });
  }

  private subscribe(socket: Socket<ServerToClientEvents, ClientToServerEvents>, channel: Channel) {
    const sinceSeq = this.lastSeq.get(channel);
    socket.emit('subscribe', { channel, sinceSeq }, (ack: SubscribeAck) => {
      if (!ack.ok && sinceSeq !== undefined) {
        // Too far behind (or the seq is unknown): subscribe from now and refetch instead.
        this.lastSeq.delete(channel);
        socket.emit('subscribe', { channel }, () => undefined);
        for (const l of this.resyncListeners) l();
      }
    });
  }

  stop() {
    this.generation++;
    this.socket?.removeAllListeners();
    this.socket?.io.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.everConnected = false;
    this.lastSeq.clear();
    this.set({ status: 'offline', lastEventAt: null });
  }
}

export const realtime = new Realtime();

export function useConnection(): State {
  return useSyncExternalStore(realtime.subscribeState, realtime.getState);
}
