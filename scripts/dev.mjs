#!/usr/bin/env node
// `npm run dev`: the API server under `tsx watch` (restarts on server changes) plus the Vite dev
// server with hot reload, which proxies /api, /socket.io (WebSocket), /docs, /healthz and /readyz
// to the API server. Open the Vite URL printed below (default http://localhost:5173).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const apiPort = process.env.PORT ?? '3000';
const webPort = process.env.WEB_PORT ?? '5173';
const children = [];

function start(name, args, env) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  child.on('exit', (code, signal) => {
    process.stdout.write(`[dev] ${name} stopped (${signal ?? code}); stopping the rest\n`);
    shutdown(code ?? 1);
  });
  children.push(child);
  return child;
}

let stopping = false;
function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

start('api', [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'watch', '--clear-screen=false', 'server/main.ts'], { PORT: apiPort });
start('web', [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), '--config', 'web/vite.config.ts'], {
  WORKFLOOR_API_PORT: apiPort,
  WEB_PORT: webPort,
});
process.stdout.write(`\n[dev] Workfloor with hot reload: http://localhost:${webPort}  (API on http://localhost:${apiPort})\n\n`);
