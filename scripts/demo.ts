// `npm run demo`: start the stack, play the La Molina scenario over the agencies' HTTP APIs,
// print what happened and where to look, and keep running until Ctrl-C. Every command has a
// fixed command id, so running the demo again makes no command act twice.
import { deterministicUuid } from '@interlink/contracts';
import { Role, devIssuer, issueToken } from '@interlink/security';
import { NOT_YET_RETURNED, OPERATOR_INDEX, RECRUITER, REPORTS, RESCUED } from './demo/scenario-data';
import { ServiceRole, startStack, untilInterrupted } from './stack';

type Json = Record<string, any>;

let urls: Record<ServiceRole, string>;
const id = (...parts: string[]) => deterministicUuid('interlink-demo-la-molina', ...parts);

const issuer = devIssuer(process.env.KEYS_DIR ?? 'deploy/local/.data/keys');
const tokens = new Map<string, string>();
/** A token for the person acting: the auditors for the audit service, officers and supervisors elsewhere. */
function tokenFor(role: ServiceRole, user: string): string {
  const key = `${role}/${user}`;
  if (!tokens.has(key)) {
    const roles: Role[] = role === 'audit' ? ['auditor'] : ['officer', 'analyst', 'supervisor'];
    tokens.set(key, issueToken(issuer, { sub: user, agency: role, roles }));
  }
  return tokens.get(key)!;
}

async function call(role: ServiceRole, method: 'GET' | 'POST', path: string, body?: Json, user = 'demo'): Promise<Json> {
  const res = await fetch(`${urls[role]}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(role, user)}`, 'x-purpose': 'La Molina demo scenario' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as Json;
  if (!res.ok) throw new Error(`${role} ${method} ${path} answered ${res.status}: ${json.detail ?? JSON.stringify(json)}`);
  return json;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const say = (text: string) => console.log(`\n${text}`);
const detail = (text: string) => console.log(`   ${text}`);

async function play(): Promise<void> {
  say('1. Families, an MP\'s service centre, an NGO and one victim report missing job-seekers to the foreign ministry.');
  const caseIds: string[] = [];
  for (const [i, report] of REPORTS.entries()) {
    const res = await call('foreign-ministry', 'POST', '/cases', { commandId: id('report', String(i)), ...report }, 'consular.aina');
    caseIds.push(res.result.caseId);
    detail(`${report.person.name}: reported by ${report.reportedBy}${'reporter' in report ? ` (${report.reporter})` : ''}, last known in ${report.lastKnownCountry}`);
  }

  say('2. Police identify the ring behind a "Macau scam" call centre in Lima and its recruiter in Malaysia.');
  const syndicate = await call('police', 'POST', '/syndicates', {
    commandId: id('syndicate'),
    name: 'La Molina call-centre ring',
    scamTypes: ['bank-impersonation', 'official-impersonation', 'job-scam'],
    countries: ['PE', 'MY'],
    places: ['rented house in La Molina, Lima'],
  }, 'insp.rahman');
  const syndicateId = syndicate.result.syndicateId;
  const recruiter = await call('police', 'POST', '/suspects', { commandId: id('recruiter'), syndicateId, person: RECRUITER, role: 'recruiter' }, 'insp.rahman');
  const recruiterId = recruiter.result.suspectId;
  detail(`syndicate ${syndicateId}; recruiter ${RECRUITER.name} (passport ${RECRUITER.passports[0].number}) released to immigration and the ministry`);

  say('3. 17 October 2023: with the Policía Nacional del Perú, police raid a house in La Molina, Lima, and free 43 Malaysians.');
  const raid = await call('police', 'POST', '/raids', {
    commandId: id('raid'),
    place: 'rented house, La Molina district',
    city: 'Lima',
    country: 'PE',
    conductedOn: '2023-10-17',
    partnerAgency: 'Policía Nacional del Perú',
    syndicateId,
  }, 'insp.rahman');
  const raidId = raid.result.raidId;
  await call('police', 'POST', `/raids/${raidId}/rescues`, {
    commandId: id('rescue'),
    place: 'rented house, La Molina district, Lima',
    country: 'PE',
    rescuedOn: '2023-10-17',
    persons: RESCUED.map((p, i) => ({ personId: id('person', String(i)), name: p.name, birthDate: p.birthDate, nationality: 'MY', passports: [{ number: p.passport, country: 'MY' }] })),
  }, 'insp.rahman');
  const raidView = await eventually('the raid read model', async () => {
    const view = await call('police', 'GET', `/raids/${raidId}`);
    return view.rescuedCount === RESCUED.length ? view : undefined;
  });
  detail(`raid ${raidId}: ${raidView.rescuedCount} rescued (${Object.entries(raidView.rescuedByNationality).map(([n, c]) => `${c} ${n}`).join(', ')})`);

  say('4. The foreign ministry reconciles the police list with its open reports (passport, or name and birth date).');
  const rescuedCases = await eventually('the ministry to reconcile the 43', async () => {
    const cases = (await call('foreign-ministry', 'GET', '/cases')) as unknown as Json[];
    const rescued = cases.filter((c) => c.rescuedOn);
    return rescued.length >= 43 ? cases : undefined;
  });
  for (const [i, caseId] of caseIds.slice(0, 4).entries()) {
    const c = await call('foreign-ministry', 'GET', `/cases/${caseId}`);
    detail(`reported as "${c.name}", on the police list as "${RESCUED[i].name}": rescued on ${c.rescuedOn} (case now ${c.status})`);
  }
  detail(`${rescuedCases.filter((c) => c.reportedBy === 'police').length} rescued persons nobody had reported get new cases`);

  say('5. Police learn that one of the 43 worked the phones for the ring; the ministry reviews and reclassifies that case.');
  const operator = RESCUED[OPERATOR_INDEX];
  const op = await call('police', 'POST', '/suspects', {
    commandId: id('operator'),
    syndicateId,
    person: { name: operator.name, birthDate: operator.birthDate, nationality: 'MY', passports: [{ number: operator.passport, country: 'MY' }] },
    role: 'operator',
  }, 'insp.rahman');
  const flagged = await eventually('the ministry to flag the case', async () => {
    const cases = (await call('foreign-ministry', 'GET', '/cases')) as unknown as Json[];
    return cases.find((c) => c.name === operator.name && (c.underReview || c.reclassifiedAs));
  });
  await call('foreign-ministry', 'POST', `/cases/${flagged.caseId}/reclassify`, { commandId: id('reclassify'), outcome: 'suspect', note: 'police evidence: ran scripted calls impersonating bank officers' }, 'consular.aina');
  detail(`${operator.name}: police suspect ${op.result.suspectId}; ministry case ${flagged.caseId} reclassified as suspect`);

  say('6. The ministry arranges flights home; immigration at KLIA records the arrivals and tells the ministry.');
  const arranged = rescuedCases.filter((c) => c.rescuedOn && c.caseId !== flagged.caseId);
  for (const c of arranged) {
    await call('foreign-ministry', 'POST', `/cases/${c.caseId}/repatriation`, { commandId: id('repatriate', c.caseId), expectedOn: '2023-10-24', checkpoint: 'KLIA' }, 'consular.aina');
  }
  await eventually('immigration to expect the returns', async () => ((await call('immigration', 'GET', '/returns')) as unknown as Json[]).length >= arranged.length);
  const arriving = RESCUED.filter((_, i) => i !== OPERATOR_INDEX && !NOT_YET_RETURNED.includes(i));
  for (const [i, p] of arriving.entries()) {
    await call('immigration', 'POST', '/crossings', {
      commandId: id('arrival', String(i)),
      traveller: { name: p.name, birthDate: p.birthDate, nationality: 'MY', passport: { number: p.passport, country: 'MY' } },
      direction: 'inbound',
      checkpoint: 'KLIA',
      crossedAt: '2023-10-24T06:40:00Z',
    }, 'officer.siti');
  }
  const toReturn = arriving;
  await eventually('the ministry to see the returns', async () => (await call('foreign-ministry', 'GET', '/reports/summary')).rescuedAndReturned >= toReturn.length);
  detail(`${toReturn.length} arrived at KLIA on 24 October 2023; ${NOT_YET_RETURNED.length} are still waiting for travel documents`);

  say('7. The recruiter tries to fly out of KLIA to Phnom Penh; the watchlist catches his passport and police see it.');
  await eventually('the recruiter on the watchlist', async () => ((await call('immigration', 'GET', '/watchlist')) as unknown as Json[]).find((e) => e.suspect?.id === recruiterId));
  const crossing = await call('immigration', 'POST', '/crossings', {
    commandId: id('recruiter-crossing'),
    traveller: { name: 'OTHMAN MOHD RAZAK', birthDate: RECRUITER.birthDate, nationality: 'MY', passport: { number: 'A28176645', country: 'MY' } },
    direction: 'outbound',
    checkpoint: 'KLIA',
    crossedAt: '2023-11-02T22:10:00Z',
  }, 'officer.siti');
  const alert = crossing.result.alerts[0];
  if (alert) detail(`border alert ${alert.alertId}: ${alert.match.reason}, score ${alert.match.score}`);
  const seen = await eventually('police to see the sighting', async () => {
    const s = await call('police', 'GET', `/suspects/${recruiterId}`);
    return s.lastSeenCheckpoint ? s : undefined;
  });
  detail(`police read model: ${seen.name} last seen at ${seen.lastSeenCheckpoint}, ${seen.lastSeenDirection}, ${new Date(seen.lastSeenAt).toISOString()}`);
  await call('police', 'POST', `/suspects/${recruiterId}/arrest`, { commandId: id('arrest'), arrestedOn: '2023-11-02', place: 'KLIA departure hall', country: 'MY' }, 'insp.rahman');
  await call('police', 'POST', `/suspects/${recruiterId}/charge`, { commandId: id('charge'), law: 'ATIPSOM 2007', section: '12', chargedOn: '2023-11-06', court: 'Sessions Court, Sepang' }, 'insp.rahman');
  detail('arrested at the departure hall and charged under ATIPSOM');

  say('8. The auditors verify every agency\'s signed, chained log, as archived from Kafka.');
  for (const agency of ['police', 'immigration', 'foreign-ministry']) {
    const report = await eventually(`the archive of ${agency} to catch up`, async () => {
      const log = ((await call('audit', 'GET', '/agencies')) as unknown as Json[]).find((a) => a.agency === agency);
      const r = await call('audit', 'GET', `/agencies/${agency}/verification`);
      return r.ok && log && r.lastSequence === log.lastSequence && r.verified > 0 ? r : undefined;
    });
    detail(`${agency}: ${report.verified} events, sequences ${report.firstSequence} to ${report.lastSequence}: hashes, chain and signatures intact`);
  }

  const summary = await call('foreign-ministry', 'GET', '/reports/summary');
  say('What the foreign ministry can now report, reproducible from its event history:');
  detail(`rescued and returned: ${summary.rescuedAndReturned}; still being tracked: ${summary.stillTracked}; total: ${summary.total}`);
  for (const [country, counts] of Object.entries(summary.byCountry as Record<string, Json>)) {
    detail(`  ${country}: ${counts.rescuedAndReturned} returned, ${counts.stillTracked} tracked`);
  }
}

async function main(): Promise<void> {
  const stack = await startStack();
  urls = stack.urls;
  try {
    await play();
  } catch (error) {
    console.error(`\nThe scenario failed: ${(error as Error).message}`);
    await stack.stop();
    process.exit(1);
  }
  say('Where to look:');
  for (const role of Object.keys(urls) as ServiceRole[]) detail(`${role.padEnd(17)} API docs ${urls[role]}/docs`);
  detail(`police suspects    ${urls.police}/suspects`);
  detail(`border alerts      ${urls.immigration}/alerts`);
  detail(`ministry summary   ${urls['foreign-ministry']}/reports/summary`);
  detail(`audit              ${urls.audit}/agencies, npm run audit -- verify --agency police`);
  detail('service logs       deploy/local/.data/logs/');
  detail('a token to try     npm run -s token -- --agency police --user me --roles officer');
  say('The stack keeps running; Ctrl-C stops it. Running `npm run demo` again replays the same commands: no command acts twice (only its reads are logged again, as every read of personal data is).');
  await untilInterrupted(stack);
}

main().catch((error: Error) => {
  console.error(`npm run demo: ${error.message}`);
  process.exit(1);
});
