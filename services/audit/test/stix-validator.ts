import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const SCHEMA_DIR = join(__dirname, '../test-data/stix');
const BASE = 'https://interlink.test/stix/2.1/';

/** Validates a STIX 2.1 bundle and each of its objects against the schemas kept as test data. */
export function stixProblems(bundle: { objects?: { type: string; id: string }[] }): string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'))) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')));
  const check = (name: string, value: unknown, label: string) => {
    const validate = ajv.getSchema(`${BASE}${name}.json`);
    if (!validate) return [`${label}: no schema for STIX type "${name}"`];
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${label}${e.instancePath} ${e.message}`);
  };
  return [...check('bundle', bundle, 'bundle'), ...(bundle.objects ?? []).flatMap((o) => check(o.type, o, o.id))];
}
