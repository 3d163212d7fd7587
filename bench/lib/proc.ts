import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Where processes under test write CPU profiles, when BENCH_PROFILE names a directory
 * (`node --cpu-prof`; summarise one with `npx tsx bench/profile-top.ts FILE`).
 */
const profileDir = process.env.BENCH_PROFILE ? path.resolve(process.env.BENCH_PROFILE) : undefined;

/** Runs a TypeScript file in its own Node process (own event loop, own core), through tsx like `npm run serve`. */
export function spawnTs(file: string, env: Record<string, string>, stdout: 'pipe' | 'ignore' = 'pipe'): ChildProcess {
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  return spawn(process.execPath, [...profile, '--import', 'tsx', file], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, 'pipe'],
  });
}

/** Collects a child's stderr so a failure can say why. */
export function captureStderr(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-4000);
  });
  return () => text;
}

/** The first line a child prints on stdout, parsed as JSON (children report what they measured this way). */
export function firstJsonLine<T>(child: ChildProcess, stderr: () => string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`no answer from child within ${timeoutMs} ms\n${stderr()}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buffer.slice(0, newline)) as T);
      } catch (err) {
        reject(new Error(`child printed ${buffer.slice(0, 200)}: ${String(err)}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code} before answering\n${stderr()}`));
    });
  });
}

export function waitForExit(child: ChildProcess, timeoutMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far; undefined where /proc is not available. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Machine-wide busy and total CPU seconds, to tell whether a run used every core. */
export function machineCpuSeconds(): { busy: number; total: number } | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** Measures CPU used by a process, by this process, and by the whole machine over an interval. */
export function cpuMeter(pid: number | undefined) {
  const serverStart = processCpuSeconds(pid);
  const selfStart = process.cpuUsage();
  const machineStart = machineCpuSeconds();
  const wallStart = performance.now();
  return () => {
    const wall = (performance.now() - wallStart) / 1000;
    const serverEnd = processCpuSeconds(pid);
    const self = process.cpuUsage(selfStart);
    const machineEnd = machineCpuSeconds();
    return {
      /** Cores the process under test kept busy on average. */
      server: serverStart !== undefined && serverEnd !== undefined ? (serverEnd - serverStart) / wall : undefined,
      /** Cores this process (the load generator) kept busy. */
      generator: (self.user + self.system) / 1e6 / wall,
      /** Share of the machine's CPU that was busy, 0..1. */
      machine:
        machineStart && machineEnd
          ? (machineEnd.busy - machineStart.busy) / Math.max(1e-9, machineEnd.total - machineStart.total)
          : undefined,
    };
  };
}
export type CpuUse = ReturnType<ReturnType<typeof cpuMeter>>;
