// `npm run token -- --agency police --user insp.rahman --roles officer[,supervisor] [--hours 8]`:
// a bearer token from the development issuer, for trying the APIs by hand.
import { parseArgs } from 'node:util';
import { devIssuer } from './issuer';
import { ROLES, Role, issueToken } from './tokens';

const USAGE = `usage: npm run token -- --agency ID --user NAME --roles ROLE[,ROLE] [--hours N] [--dir DIR]

  --agency   the agency the user works for, e.g. police (a service accepts only its own agency's tokens)
  --user     the user name recorded as the actor of what they do, e.g. insp.rahman
  --roles    ${ROLES.join(', ')} (comma-separated)
  --hours    validity (default 8)
  --dir      the keys folder holding the development issuer's key (default: KEYS_DIR, else deploy/local/.data/keys)
Use it as: curl -H "Authorization: Bearer $(npm run -s token -- --agency police --user me --roles officer)" ...`;

function main(): number {
  let values: { agency?: string; user?: string; roles?: string; hours?: string; dir?: string; help?: boolean };
  try {
    values = parseArgs({
      strict: true,
      options: { agency: { type: 'string' }, user: { type: 'string' }, roles: { type: 'string' }, hours: { type: 'string' }, dir: { type: 'string' }, help: { type: 'boolean' } },
    }).values;
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (!values.agency || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(values.agency)) throw new Error('--agency must be an agency id, e.g. police');
    if (!values.user || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(values.user)) throw new Error('--user must be a user name of lower-case letters, digits, dots, dashes or underscores');
    const roles = (values.roles ?? '').split(',').filter(Boolean);
    const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
    if (roles.length === 0 || unknown.length) throw new Error(`--roles must list roles among ${ROLES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
    const hours = Number(values.hours ?? 8);
    if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 30) throw new Error(`--hours must be a number of hours from 0 to 720, not "${values.hours}"`);
    const token = issueToken(devIssuer(values.dir ?? process.env.KEYS_DIR ?? 'deploy/local/.data/keys'), { sub: values.user, agency: values.agency, roles: roles as Role[] }, { ttlSeconds: Math.round(hours * 3600) });
    process.stdout.write(`${token}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`token: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
}

process.exit(main());
