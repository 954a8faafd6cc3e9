// `npm run keys -- <list|rotate> --agency ID [--dir DIR]`: development signing keys.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateDevKey, rotateDevKey } from './keys';

const USAGE = `usage: npm run keys -- <command> --agency ID [--dir DIR]

commands:
  list     the agency's keys, newest last, with the date each stopped signing (if rotated)
  rotate   a new key for the agency; the old ones stay trusted for what they signed before now.
           Restart the agency's service afterwards so that it signs with the new key.

options:
  --agency ID   the agency, e.g. police
  --dir DIR     the keys folder (default: KEYS_DIR, else deploy/local/.data/keys)`;

function main(): number {
  let values: { agency?: string; dir?: string; help?: boolean };
  let command: string | undefined;
  try {
    const parsed = parseArgs({ allowPositionals: true, strict: true, options: { agency: { type: 'string' }, dir: { type: 'string' }, help: { type: 'boolean' } } });
    values = parsed.values;
    [command] = parsed.positionals;
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (command !== 'list' && command !== 'rotate') throw new Error(command ? `unknown command "${command}": use list or rotate` : 'say which command: list or rotate');
    if (!values.agency) throw new Error(`${command} needs --agency ID`);
  } catch (error) {
    process.stderr.write(`keys: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const dir = values.dir ?? process.env.KEYS_DIR ?? 'deploy/local/.data/keys';
  const agency = values.agency!;
  if (command === 'rotate') {
    const key = rotateDevKey(dir, agency);
    process.stdout.write(`${agency}: new signing key ${key.keyId}; restart the ${agency} service to sign with it\n`);
    return 0;
  }
  loadOrCreateDevKey(dir, agency);
  const folder = join(dir, agency);
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.pub.pem')).sort()) {
    const keyId = file.slice(0, -'.pub.pem'.length);
    const notAfter = join(folder, `${keyId}.not-after`);
    process.stdout.write(`${keyId}${existsSync(notAfter) ? `  (signed until ${readFileSync(notAfter, 'utf8').trim()})` : '  (signing)'}\n`);
  }
  return 0;
}

try {
  process.exit(main());
} catch (error) {
  process.stderr.write(`keys: ${(error as Error).message}\n`);
  process.exit(1);
}
