// Benchmark: one real hook-tool call (`is-leader --format=json` through the compiled jujuc client
// against a running ToolServer) vs a bare Node start (`node -e 0`). Median of N interleaved runs.
// Usage: node emulator/bench/tool-call.mjs [N=40]   (target: ratio ≤ 0.25)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const emulatorRoot = path.resolve(here, '..');
const runs = Number(process.argv[2] ?? 40);
const dir = mkdtempSync(path.join(os.tmpdir(), 'emu-tool-bench-'));
const socket = path.join(dir, 'agent.socket');
const toolsDir = path.join(dir, 'tools');
const contextId = 'bench/0-install-0';

// The server runs in its own process: the timing loop below blocks this one.
const serverEntry = `
import { HookContext, ToolServer, installToolLinks } from './src/tools';
const [socket, toolsDir, contextId] = process.argv.slice(2);
const unit = { name: 'bench/0', app: 'bench', machine: '0', principal: null, workloadStatus: { status: 'unknown', message: '', since: '' },
  agentStatus: { status: 'idle', message: '', since: '' }, workloadVersion: '', state: {}, ports: [], erroredEvent: null, queue: [],
  life: 'alive', statusEverSet: false, charmRevision: 1 };
const charm = { dir: '', source: '', revision: 1, meta: { name: 'bench', summary: '', description: '', subordinate: false, endpoints: {} }, config: {}, actions: {} };
const state = { name: 'bench', uuid: 'bench', dir: '', machines: {}, relations: {}, secrets: {}, actions: {}, counters: { machine: 1, relation: 0, action: 0 },
  applications: { bench: { name: 'bench', charm, config: {}, leader: 'bench/0', leaderSettings: {}, status: null, nextUnitNumber: 1,
    machineOptions: { loopDevices: 0, loopSizeGiB: 1, lxd: false } } },
  units: { 'bench/0': unit } };
installToolLinks(toolsDir);
const server = new ToolServer();
server.start(socket).then(() => {
  server.register(new HookContext({ state, unit: 'bench/0', event: { kind: 'hook', name: 'install' }, contextId, log: () => {}, now: () => new Date() }));
  process.stdout.write('ready\\n');
});
process.stdin.on('end', () => server.stop().then(() => process.exit(0)));
process.stdin.resume();
`;
// two levels below the package root, as src/tools is, so ensureJujucBuilt finds native/ and build/
const bundle = path.join(emulatorRoot, 'build', 'bench', `tool-server-${process.pid}.cjs`);
process.on('exit', () => {
  rmSync(bundle, { force: true });
  rmSync(dir, { recursive: true, force: true });
});
await build({
  stdin: { contents: serverEntry, resolveDir: emulatorRoot, loader: 'ts', sourcefile: 'bench-server.ts' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: bundle,
  logLevel: 'error',
});

const server = spawn(process.execPath, [bundle, socket, toolsDir, contextId], { stdio: ['pipe', 'pipe', 'inherit'] });
await new Promise((resolve, reject) => {
  server.stdout.on('data', (d) => (String(d).includes('ready') ? resolve() : undefined));
  server.on('exit', (code) => reject(new Error(`bench server exited (${code})`)));
});

function timeMs(cmd, args, env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr}`);
  return { ms, stdout: String(result.stdout) };
}

const toolEnv = { PATH: `${toolsDir}:/usr/bin:/bin`, JUJU_AGENT_SOCKET_ADDRESS: socket, JUJU_CONTEXT_ID: contextId };
const first = timeMs(path.join(toolsDir, 'is-leader'), ['--format=json'], toolEnv);
if (first.stdout !== 'true\n') throw new Error(`unexpected is-leader output ${JSON.stringify(first.stdout)}`);
const tool = [];
const node = [];
for (let i = 0; i < runs; i++) {
  tool.push(timeMs(path.join(toolsDir, 'is-leader'), ['--format=json'], toolEnv).ms);
  node.push(timeMs(process.execPath, ['-e', '0'], { PATH: process.env.PATH }).ms);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const toolMs = median(tool);
const nodeMs = median(node);
const ratio = toolMs / nodeMs;
console.log(`hook tool call (is-leader --format=json via jujuc): median ${toolMs.toFixed(2)} ms over ${runs} runs`);
console.log(`node -e 0:                                          median ${nodeMs.toFixed(2)} ms over ${runs} runs`);
console.log(`ratio tool/node: ${ratio.toFixed(3)} (target ≤ 0.25) ${ratio <= 0.25 ? 'OK' : 'OVER TARGET'}`);

server.stdin.end();
await new Promise((resolve) => server.on('exit', resolve));
rmSync(dir, { recursive: true, force: true });
rmSync(bundle, { force: true });
