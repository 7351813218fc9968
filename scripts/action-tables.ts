/**
 * The input and output tables of docs/reference.md, generated from action.yml so the two cannot drift:
 * `tsx scripts/action-tables.ts` prints them, `--write` puts them into docs/reference.md between the markers; a unit
 * test checks the page holds exactly this text.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

interface ActionYml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
}

// Markdown cells: `|` would end the cell, and GitHub drops what looks like an HTML tag (`<name>`), so `<` is escaped.
const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\n/g, ' ');

export function actionTables(actionYml: string): { inputs: string; outputs: string } {
  const action = parse(actionYml) as ActionYml;
  const inputs = [
    '| input | default | description |',
    '|---|---|---|',
    ...Object.entries(action.inputs).map(([name, i]) => {
      const fallback = i.default !== undefined ? `\`${escape(String(i.default))}\`` : i.required ? '**required**' : '';
      return `| \`${name}\` | ${fallback} | ${escape(i.description)} |`;
    }),
  ].join('\n');
  const outputs = [
    '| output | description |',
    '|---|---|',
    ...Object.entries(action.outputs).map(([name, o]) => `| \`${name}\` | ${escape(o.description)} |`),
  ].join('\n');
  return { inputs, outputs };
}

/** `page` with the text between `<!-- <name>:start -->` and `<!-- <name>:end -->` replaced by the tables. */
export function withTables(page: string, tables: { inputs: string; outputs: string }): string {
  let out = page;
  for (const [name, table] of Object.entries(tables)) {
    const re = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(\\n<!-- ${name}:end -->)`);
    if (!re.test(out))
      throw new Error(`docs/reference.md has no <!-- ${name}:start --> … <!-- ${name}:end --> markers`);
    out = out.replace(re, (_m, start: string, end: string) => `${start}${table}${end}`);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tables = actionTables(readFileSync(new URL('../action.yml', import.meta.url), 'utf8'));
  if (process.argv.includes('--write')) {
    const reference = new URL('../docs/reference.md', import.meta.url);
    writeFileSync(reference, withTables(readFileSync(reference, 'utf8'), tables));
  } else {
    console.log(`${tables.inputs}\n\n${tables.outputs}`);
  }
}
