/**
 * `node dist/test/bench/profile-top.js <file.cpuprofile> [n]`: the top frames of a V8 CPU profile
 * (from `npm run bench -- --profile`) by self time, with their file and line, for finding what a
 * missed target spends its CPU on.
 */
import { readFileSync } from 'node:fs';

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

const [file, n = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const inclusive = new Map<string, number>();
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id) as ProfileNode;
  const frame = node.callFrame;
  const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, 'nm/').replace(/^file:\/\/.*\/dist\//, '')}:${frame.lineNumber + 1}`;
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + dt);
  // inclusive: every distinct frame on this sample's stack
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const f = (byId.get(at) as ProfileNode).callFrame;
    const k = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, 'nm/').replace(/^file:\/\/.*\/dist\//, '')}:${f.lineNumber + 1}`;
    if (!seen.has(k)) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    seen.add(k);
  }
  total += dt;
});
const idle = [...self.entries()].filter(([key]) => key.startsWith('(idle)')).reduce((sum, [, v]) => sum + v, 0);
console.log(`${(total / 1e6).toFixed(1)} s sampled, ${((idle / total) * 100).toFixed(0)} % idle`);
for (const [key, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
}
console.log('\ninclusive (own code and libraries):');
for (const [key, us] of [...inclusive.entries()]
  .filter(([k]) => !k.startsWith('(root)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(n))) {
  console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
}
