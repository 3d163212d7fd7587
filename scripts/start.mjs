#!/usr/bin/env node
// `npm start`: build the web app if dist/web is missing or older than its sources (so a `git pull`
// never serves yesterday's app), then run the server in the foreground, forwarding signals to it and
// exiting with its exit code.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

/** vite's CLI through node directly (no npx start-up cost); npx as the fallback. */
export async function buildWeb() {
  const viteBin = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const args = ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'];
  if (fs.existsSync(viteBin)) await run(process.execPath, [viteBin, ...args]);
  else await run('npx', ['vite', ...args]);
}

export function webIsBuilt() {
  return fs.existsSync(path.join(root, 'dist', 'web', 'index.html'));
}

/** The newest modification time under `dir` (0 when it does not exist). */
export function newestMtime(dir) {
  if (!fs.existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Why dist/web must be (re)built, or null when it is current: missing, or older than anything the
 * bundle is made of (web/, contract/, and the lockfile, since a dependency update changes it).
 * Used by `npm start` and `npm run test:e2e`.
 */
export function webBuildReason() {
  const index = path.join(root, 'dist', 'web', 'index.html');
  if (!fs.existsSync(index)) return 'missing';
  const lockfile = path.join(root, 'package-lock.json');
  const sources = Math.max(
    newestMtime(path.join(root, 'web')),
    newestMtime(path.join(root, 'contract')),
    fs.existsSync(lockfile) ? fs.statSync(lockfile).mtimeMs : 0,
  );
  return fs.statSync(index).mtimeMs < sources ? 'stale' : null;
}

async function main() {
  const reason = webBuildReason();
  if (reason) {
    process.stdout.write(reason === 'missing' ? 'Building the web app (first start only)…\n' : 'Rebuilding the web app (its sources changed)…\n');
    const started = Date.now();
    await buildWeb();
    process.stdout.write(`Web app built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, stdio: 'inherit', env: process.env });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (server.exitCode === null) server.kill(signal);
    });
  }
  server.on('exit', (code, signal) => {
    process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 1) : 1));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
