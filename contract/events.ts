import { z } from 'zod';
import type { LogEvent } from './audit.ts';

/**
 * Channels a socket can subscribe to. The server authorises each one:
 * `floor:<locationId>`, `schedule:<departmentId>`, `approvals`, `board:<workflowId>`,
 * `agents`, `datasets`, `org`, `me`.
 */
export const channel = z
  .string()
  .max(80)
  .regex(/^(org|me|approvals|agents|datasets|(floor|schedule|board):[0-9a-f-]{36})$/, 'unknown channel');
export type Channel = z.infer<typeof channel>;

export const subscribeRequest = z.strictObject({
  channel,
  /** The `seq` of the last event the client saw; everything after it on the channel is replayed in order. */
  sinceSeq: z.number().int().min(0).optional(),
});
export type SubscribeRequest = z.infer<typeof subscribeRequest>;

export type SubscribeAck = { ok: true; channel: Channel; replayed: number } | { ok: false; code: string; message: string };

export interface ServerToClientEvents {
  /** One event of the log, pushed on every channel it belongs to that the socket subscribed. */
  event: (event: LogEvent & { channel: Channel }) => void;
  /** The server is about to close the socket (log-out, deactivated user, revoked key). */
  revoked: (reason: { code: string; message: string }) => void;
}

export interface ClientToServerEvents {
  subscribe: (request: SubscribeRequest, ack: (result: SubscribeAck) => void) => void;
  unsubscribe: (request: { channel: string }, ack?: (result: { ok: boolean }) => void) => void;
}
