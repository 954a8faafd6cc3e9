import { Role } from '@interlink/security';
import { Stack, startStack } from './stack';

/**
 * Who may call what, over every endpoint of every service, generated from the services' own
 * OpenAPI documents: no token is 401; another agency's token, or a role the policy does not allow,
 * is 403 and writes nothing; an allowed role gets past authorisation.
 */
const ROLES: Role[] = ['officer', 'analyst', 'supervisor', 'auditor'];
const SUPERVISOR_ONLY = [/^\/admin\//, /\/reclassify$/, /\/clear$/, /\/lift$/, /\/marking$/, /\/erasure$/];

function allowed(service: string, method: string, path: string, role: Role): boolean {
  if (service === 'audit') return role === 'auditor';
  if (SUPERVISOR_ONLY.some((p) => p.test(path))) return role === 'supervisor';
  return method === 'get' ? ['officer', 'analyst', 'supervisor'].includes(role) : ['officer', 'supervisor'].includes(role);
}

describe('access policy over every role, service and endpoint (HTTP, real Kafka, real Postgres)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(['police', 'immigration', 'foreign-ministry'], { audit: true });
  });
  afterAll(() => stack?.stop());

  it('matches the policy table', async () => {
    const services = [
      { name: 'police', agency: stack.police },
      { name: 'immigration', agency: stack.immigration },
      { name: 'foreign-ministry', agency: stack.ministry },
      { name: 'audit', agency: { id: stack.audit.id, http: stack.audit.http, dataSource: stack.audit.dataSource } },
    ];
    const outcomes: string[] = [];
    let checked = 0;
    for (const { name, agency } of services) {
      const doc = (await agency.http(null).get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
      // Allowed reads add to the access log; nothing else may be written by these requests.
      const countEvents = async () =>
        name === 'audit' ? 0 : (await agency.dataSource.query(`SELECT count(*)::int AS n FROM interlink.events WHERE type NOT LIKE '%.personal-data-read'`))[0].n;
      const before = await countEvents();
      for (const [template, operations] of Object.entries(doc.paths)) {
        const path = template.replace(/\{agency\}/g, stack.police.id).replace(/\{name\}/g, 'suspects').replace(/\{[^}]+\}/g, '018f3f5e-1c2d-7a00-8000-000000000001');
        for (const method of Object.keys(operations) as ('get' | 'post')[]) {
          const send = (token: string | null) => {
            const test = agency.http(token)[method](path);
            return method === 'get' ? test : test.send({});
          };
          const expect401 = !['/health', '/health/serving', '/health/ready', '/metrics'].includes(template);
          const anonymous = (await send(null)).status;
          if (expect401 !== (anonymous === 401)) outcomes.push(`${name} ${method} ${template} without a token: ${anonymous}`);
          if (!expect401) continue;
          const foreign = (await send(stack.token('somewhere-else', ROLES))).status;
          if (foreign !== 403) outcomes.push(`${name} ${method} ${template} with another agency's token: ${foreign}`);
          for (const role of ROLES) {
            const status = (await send(stack.token(agency.id, [role]))).status;
            const refused = status === 403;
            if (refused === allowed(name, method, template, role)) outcomes.push(`${name} ${method} ${template} as ${role}: ${status}`);
            checked++;
          }
        }
      }
      expect({ service: name, eventsAppended: (await countEvents()) - before }).toEqual({ service: name, eventsAppended: 0 });
    }
    expect(outcomes).toEqual([]);
    expect(checked).toBeGreaterThan(150);
  });

  it('records the token\'s user as the actor, and refuses a forged or expired token with the reason', async () => {
    const token = stack.token(stack.police.id, ['officer'], 'insp.rahman');
    const { body } = await stack.police.http(token).post('/syndicates').send({ commandId: '018f3f5e-1c2d-7a00-8000-0000000000f1', name: 'Ring', scamTypes: ['job-scam'], countries: ['KH'], places: [] }).expect(201);
    const [event] = (await stack.police.log()).filter((e) => e.id === body.result.events[0].id);
    expect(event.actor).toBe(`${stack.police.id}/insp.rahman`);
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ iss: 'interlink-dev-issuer', sub: 'x', agency: stack.police.id, roles: ['supervisor'], iat: 1, exp: 9999999999 })).toString('base64url')}.${s}`;
    const refused = await stack.police.http(forged).get('/suspects').expect(401);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toBe('the token signature does not verify');
    const other = await stack.police.http(stack.token(stack.immigration.id, ['officer'])).get('/suspects').expect(403);
    expect(other.body.detail).toBe(`this service serves ${stack.police.id}; your token is for ${stack.immigration.id}`);
  });

  it('asks why personal data is read, records who read what and why, and refuses a read without a purpose', async () => {
    const token = stack.token(stack.immigration.id, ['analyst'], 'analyst.mei');
    const agent = () => stack.immigration.http(null);
    const refused = await agent().get('/watchlist').set('Authorization', `Bearer ${token}`).expect(400);
    expect(refused.body.errors[0]).toMatch(/^header X-Purpose must say why you read this personal data/);
    const before = (await stack.immigration.log()).length;
    await agent().get('/watchlist').set('Authorization', `Bearer ${token}`).set('X-Purpose', 'weekly review of KLIA alerts').expect(200);
    const log = await stack.immigration.log();
    expect(log).toHaveLength(before + 1);
    expect(log[log.length - 1]).toMatchObject({
      type: 'intel.immigration.personal-data-read',
      actor: `${stack.immigration.id}/analyst.mei`,
      data: { user: 'analyst.mei', resource: 'watchlist', request: '/watchlist', purpose: 'weekly review of KLIA alerts' },
    });
  });
});

describe('rate limits (HTTP, real Kafka, real Postgres)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(['police'], { env: { RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_BURST: '3' } });
  });
  afterAll(() => stack?.stop());

  it('answers 429 with Retry-After once a user has used their burst, while other users go on', async () => {
    const token = stack.token(stack.police.id, ['analyst'], 'busy.analyst');
    for (let i = 0; i < 3; i++) await stack.police.http(token).get('/raids').expect(200);
    const limited = await stack.police.http(token).get('/raids').expect(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(limited.body.detail).toBe('too many requests: 60 a minute per user; try again in 1 s');
    await stack.police.http(stack.token(stack.police.id, ['analyst'], 'other.analyst')).get('/raids').expect(200);
  });
});
