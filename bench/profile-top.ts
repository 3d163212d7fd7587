import fs from 'node:fs';

/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, or BENCH_PROFILE=dir npm run bench): the functions
 * and the packages with the most self time. Usage: npx tsx bench/profile-top.ts FILE.cpuprofile [N]
 * (SKIP=seconds leaves out the first seconds of the profile; DEPTH=frames sets how far caller chains go).
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
const limit = Number(process.argv[3] ?? 25);
if (!file) {
  process.stderr.write('usage: npx tsx bench/profile-top.ts FILE.cpuprofile [N]\n');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
// SKIP=seconds leaves out the start (module loading, migrations) to look at the steady state only.
const skipMicros = Number(process.env.SKIP ?? 0) * 1e6;
const selfTime = new Map<number, number>();
let elapsed = 0;
for (const [i, id] of profile.samples.entries()) {
  elapsed += profile.timeDeltas[i] ?? 0;
  if (elapsed < skipMicros) continue;
  selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfTime.values()].reduce((a, b) => a + b, 0);

const where = (url: string) => {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url;
  if (!url) return '(native/VM)';
  return url.replace(/^file:\/\/.*?\/(server|bench|contract)\//, '$1/');
};

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, t] of selfTime) {
  const frame = byId.get(id)!.callFrame;
  const key = `${frame.functionName || '(anonymous)'}  ${where(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + t);
  const pkg = frame.url.startsWith('node:') ? 'node core' : where(frame.url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t);
}
const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    process.stdout.write(`  ${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}\n`);
  }
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n`);
print('Self time by package / file', byPackage);
print('Self time by function', byFunction);

// Who calls the hottest functions: their heaviest caller chains, a few frames up.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}@${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const hottest = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Math.min(8, limit)).map(([k]) => k);
process.stdout.write('\nHeaviest caller chains of the hottest functions\n');
for (const key of hottest) {
  const chains = new Map<string, number>();
  for (const [id, t] of selfTime) {
    const frame = byId.get(id)!.callFrame;
    const k = `${frame.functionName || '(anonymous)'}  ${where(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    if (k !== key) continue;
    const chain: string[] = [];
    for (let p = parent.get(id); p !== undefined && chain.length < Number(process.env.DEPTH ?? 6); p = parent.get(p)) chain.push(label(byId.get(p)!));
    const c = chain.join(' < ');
    chains.set(c, (chains.get(c) ?? 0) + t);
  }
  process.stdout.write(`  ${key}\n`);
  for (const [c, t] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 3)) {
    process.stdout.write(`    ${((100 * t) / total).toFixed(1).padStart(5)}%  < ${c}\n`);
  }
}
