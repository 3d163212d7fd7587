import type { Redis } from 'ioredis';

/** A fixed-window counter: `hit` adds one and answers the count in the window and when it ends. */
export interface RateLimitStore {
  hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
  peek(key: string): Promise<{ count: number; resetInMs: number }>;
  reset(key: string): Promise<void>;
}

export function memoryRateLimitStore(now: () => number = Date.now): RateLimitStore {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const current = (key: string) => {
    const w = windows.get(key);
    if (w && w.resetAt <= now()) {
      windows.delete(key);
      return undefined;
    }
    return w;
  };
  return {
    async hit(key, windowMs) {
      // Bounded memory under a flood of distinct keys: forget expired windows now and then.
      if (windows.size > 50_000) for (const k of windows.keys()) current(k);
      const w = current(key) ?? { count: 0, resetAt: now() + windowMs };
      w.count++;
      windows.set(key, w);
      return { count: w.count, resetInMs: w.resetAt - now() };
    },
    async peek(key) {
      const w = current(key);
      return { count: w?.count ?? 0, resetInMs: w ? w.resetAt - now() : 0 };
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}

/**
 * Shared between processes. One Lua script makes the window atomic: the counter and its expiry are set
 * together, so a crash can never leave a counter that never expires (an account locked for good).
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
-- A window just opened resets in exactly its length (PTTL read back may already be a millisecond less).
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); return {count, tonumber(ARGV[1])} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

export function redisRateLimitStore(redis: Redis, prefix = 'workfloor:rl:'): RateLimitStore {
  return {
    async hit(key, windowMs) {
      const [count, ttl] = (await redis.eval(HIT_SCRIPT, 1, prefix + key, String(windowMs))) as [number, number];
      return { count, resetInMs: ttl };
    },
    async peek(key) {
      const k = prefix + key;
      const [[, count], [, ttl]] = (await redis.multi().get(k).pttl(k).exec()) as [[null, string | null], [null, number]];
      return { count: Number(count ?? 0), resetInMs: Math.max(ttl, 0) };
    },
    async reset(key) {
      await redis.del(prefix + key);
    },
  };
}

/**
 * Redis is a shared store, never a source of truth: while it is unreachable, limits are counted in this
 * process instead (each process then allows its own share) rather than failing every log-in with a 500.
 * `onFallback` is told once per outage; the first successful call after it ends the outage.
 */
export function withFallback(primary: RateLimitStore, fallback: RateLimitStore, onFallback: (err: unknown) => void): RateLimitStore {
  let degraded = false;
  const guard =
    <A extends unknown[], R>(call: (store: RateLimitStore, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        const result = await call(primary, ...args);
        degraded = false;
        return result;
      } catch (err) {
        if (!degraded) onFallback(err);
        degraded = true;
        return call(fallback, ...args);
      }
    };
  return {
    hit: guard((s, key: string, windowMs: number) => s.hit(key, windowMs)),
    peek: guard((s, key: string) => s.peek(key)),
    reset: guard((s, key: string) => s.reset(key)),
  };
}
