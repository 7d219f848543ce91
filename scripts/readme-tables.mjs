// Regenerates the README's option and action tables from config.yaml and actions.yaml, between
// the <!-- config-table --> / <!-- actions-table --> marker pairs, so the README cannot drift from
// what the charm declares (test/package/readme.test.ts also checks every name appears).
//   node scripts/readme-tables.mjs          rewrite README.md
//   node scripts/readme-tables.mjs --check  exit 1 if README.md is out of date
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readmePath = join(root, 'README.md');

const cell = (text) => String(text ?? '').replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
const code = (value) => (value === undefined || value === null ? '(none)' : value === '' ? '`""`' : `\`${String(value)}\``);

function loadYaml(name) {
  const path = join(root, name);
  return existsSync(path) ? YAML.parse(readFileSync(path, 'utf8')) ?? {} : undefined;
}

function configTable() {
  const config = loadYaml('config.yaml');
  if (!config) return '_config.yaml is not written yet._';
  const rows = Object.entries(config.options ?? {}).map(([name, o]) => `| \`${name}\` | ${o.type} | ${code(o.default)} | ${cell(o.description)} |`);
  return ['| Option | Type | Default | What it does |', '|---|---|---|---|', ...rows].join('\n');
}

function actionsTable() {
  const actions = loadYaml('actions.yaml');
  if (!actions) return '_actions.yaml is not written yet._';
  const rows = Object.entries(actions).map(([name, spec]) => {
    const required = new Set(spec.required ?? []);
    const params = Object.entries(spec.params ?? {})
      .map(([p, s]) => `\`${p}\` (${s.type}${required.has(p) ? ', required' : ''}${'default' in s ? `, default ${code(s.default)}` : ''}): ${cell(s.description)}`)
      .join('<br>') || '(none)';
    return `| \`${name}\` | ${cell(spec.description)} | ${params} |`;
  });
  return ['| Action | What it does | Parameters |', '|---|---|---|', ...rows].join('\n');
}

function replaceBetween(text, marker, body) {
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md lacks the ${start} … ${end} markers`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

const current = readFileSync(readmePath, 'utf8');
const updated = replaceBetween(replaceBetween(current, 'config-table', configTable()), 'actions-table', actionsTable());
if (process.argv.includes('--check')) {
  if (updated !== current) {
    console.error('README.md tables are out of date: run node scripts/readme-tables.mjs');
    process.exit(1);
  }
} else if (updated !== current) {
  writeFileSync(readmePath, updated);
  console.log('README.md tables updated');
}
