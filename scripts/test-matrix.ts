/**
 * `npm run test:matrix`: the README's test command (`npm test`: typecheck + the whole
 * node:test suite) on the machine's Node, then on every other pinned major (package.json
 * `config.nodeVersions`: 20, 22, 24), one after another. Running them in parallel would
 * make the real-time tests compete for this machine's 2 cores.
 *
 *   npm run test:matrix                 every version
 *   npm run test:matrix -- 22 24        only these majors ("current" = the machine's Node)
 *
 * Each run gets PATH with that version's bin/ first, so `npm`, `tsc`, the test runner and
 * every child process the tests spawn (`process.execPath`) use that Node. Exits non-zero
 * if any version fails, after running them all.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, currentMajor, nodeBinary, pinnedVersions } from './node-versions.ts';

/** The majors to test, 'current' standing for the machine's Node. */
function majors(wanted: string[]): string[] {
  const mine = currentMajor();
  const all = ['current', ...Object.keys(pinnedVersions()).filter((m) => m !== mine)];
  const chosen = wanted.length === 0 ? all : wanted.map((w) => (w === mine ? 'current' : w));
  return [...new Set(chosen)];
}

/** null: the machine's Node, PATH unchanged. */
function envFor(bin: string | null): NodeJS.ProcessEnv {
  if (bin === null) return process.env;
  return { ...process.env, PATH: `${path.dirname(bin)}${path.delimiter}${process.env.PATH ?? ''}` };
}

const wanted = process.argv.slice(2).flatMap((a) => a.split(',')).filter((a) => a !== '');
const results: { version: string; ok: boolean; seconds: number }[] = [];
const began = Date.now();
for (const major of majors(wanted)) {
  let bin: string | null = null;
  if (major !== 'current') {
    try {
      bin = nodeBinary(major);
    } catch (error) {
      // A version that cannot be installed fails the matrix; the others still run.
      console.log(`\n=== Node ${major}: ${error instanceof Error ? error.message : String(error)}`);
      results.push({ version: `${major} (not installed)`, ok: false, seconds: 0 });
      continue;
    }
  }
  const env = envFor(bin);
  // The Node a shell finds on this PATH is the one `npm test` will run on: check it is the one meant.
  const probe = spawnSync('node --version', { env, encoding: 'utf8', shell: true });
  const version = probe.stdout.trim();
  const expected = bin === null ? process.version : spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n=== npm test on Node ${version}${bin === null ? ' (this machine)' : ''}`);
  if (version !== expected) {
    console.log(`PATH resolves node to ${version || 'nothing'}, not ${expected}`);
    results.push({ version: expected, ok: false, seconds: 0 });
    continue;
  }
  const t0 = Date.now();
  const run = spawnSync('npm', ['test'], { cwd: ROOT, env, stdio: 'inherit', shell: process.platform === 'win32' });
  results.push({ version, ok: run.status === 0, seconds: (Date.now() - t0) / 1000 });
}

console.log('\nTest matrix:');
for (const r of results) console.log(`  Node ${r.version.padEnd(9)} ${r.ok ? 'passed' : 'FAILED'}  ${r.seconds.toFixed(0)} s`);
const failed = results.filter((r) => !r.ok).length;
console.log(`${failed === 0 ? 'all passed' : `${failed} of ${results.length} failed`} in ${((Date.now() - began) / 1000).toFixed(0)} s`);
process.exitCode = failed === 0 ? 0 : 1;
