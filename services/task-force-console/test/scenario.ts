import { EventEnvelope, uuidv7 } from '@interlink/contracts';
import { ConsoleFixture, withheld } from './harness';

/** What the scenario released, for the tests to look for. */
export interface Scenario {
  syndicateId: string;
  recruiterId: string;
  erasedSuspectId: string;
  raidId: string;
  rescueId: string;
  rescuedPersonIds: string[];
  alertId: string;
  crossingId: string;
  caseHome: string;
  caseFlagged: string;
  caseWaiting: string;
  identification: EventEnvelope;
  alert: EventEnvelope;
  sighting: EventEnvelope;
  flag: EventEnvelope;
  /** Every envelope released, in the order published. */
  released: EventEnvelope[];
}

const ids = (n: number) => Array.from({ length: n }, () => uuidv7());

/**
 * A small La Molina: police identify a ring and its recruiter, raid a house in Lima and free
 * three people; immigration's alert at KLIA is seen by police as a sighting; the ministry's
 * cases are reconciled, repatriated and one is flagged as matching the recruiter. Personal data
 * reaches the task force redacted (and one suspect's erased), as the partners release it.
 */
export async function playScenario(f: ConsoleFixture): Promise<Scenario> {
  const [syndicateId, recruiterId, erasedSuspectId, raidId, rescueId, alertId, crossingId, entryId, caseHome, caseFlagged, caseWaiting] = ids(11);
  const rescuedPersonIds = ids(3);
  const released: EventEnvelope[] = [];
  const keep = async (p: Promise<EventEnvelope>) => {
    const e = await p;
    released.push(e);
    return e;
  };
  const police = f.agencies.police;
  const immigration = f.agencies.immigration;

  const thread = uuidv7();
  await keep(
    f.publish('police', `syndicate-${syndicateId}`, {
      type: 'intel.police.syndicate-identified',
      data: { syndicateId, name: 'Macau scam', scamTypes: ['bank-impersonation', 'official-impersonation'], countries: ['MY', 'PE'], places: ['La Molina, Lima'] },
    }),
  );
  const identification = await keep(
    f.publish(
      'police',
      `suspect-${recruiterId}`,
      { type: 'intel.police.suspect-identified', data: { suspectId: recruiterId, syndicateId, role: 'recruiter', person: withheld(recruiterId, 'MY') } },
      { correlationId: thread, handling: ['law-enforcement-only', 'personal-data'] },
    ),
  );
  await keep(
    f.publish('police', `suspect-${erasedSuspectId}`, {
      type: 'intel.police.suspect-identified',
      data: { suspectId: erasedSuspectId, role: 'money-mule', person: withheld(erasedSuspectId, 'MY', 'erased') },
    }),
  );
  await keep(
    f.publish('police', `raid-${raidId}`, {
      type: 'intel.police.raid-conducted',
      data: { raidId, place: 'House in La Molina', city: 'Lima', country: 'PE', conductedOn: '2023-10-17', partnerAgency: 'Policía Nacional del Perú', syndicateId },
    }),
  );
  await keep(
    f.publish('police', `raid-${raidId}`, {
      type: 'intel.police.victims-rescued',
      data: {
        rescueId,
        raidId,
        place: 'House in La Molina',
        country: 'PE',
        rescuedOn: '2023-10-17',
        persons: rescuedPersonIds.map((personId) => withheld(personId, 'MY', 'redacted', { personId })),
      },
    }),
  );
  const crossed = uuidv7();
  const alert = await keep(
    f.publish(
      'immigration',
      `alert-${alertId}`,
      {
        type: 'intel.immigration.border-alert-raised',
        data: {
          alertId,
          crossingId,
          entryId,
          suspect: { agency: police, id: recruiterId, eventId: identification.id },
          traveller: withheld(crossingId, 'MY'),
          direction: 'outbound',
          checkpoint: 'KLIA',
          crossedAt: '2023-11-20T08:15:00Z',
          match: { reason: 'passport', score: 1, explanation: 'passport A30417792 (MY) equals watchlisted passport A 3041 7792 (MY)' },
        },
      },
      { correlationId: thread, causationId: crossed, handling: ['law-enforcement-only', 'personal-data'] },
    ),
  );
  const sighting = await keep(
    f.publish(
      'police',
      `suspect-${recruiterId}`,
      {
        type: 'intel.police.suspect-sighted',
        data: {
          suspectId: recruiterId,
          checkpoint: 'KLIA',
          direction: 'outbound',
          seenAt: '2023-11-20T08:15:00Z',
          match: { reason: 'passport', score: 1, explanation: 'passport A30417792 (MY) equals watchlisted passport A 3041 7792 (MY)' },
          alert: { agency: immigration, id: alertId, eventId: alert.id },
        },
      },
      { correlationId: thread, causationId: alert.id },
    ),
  );
  // The ministry: one victim home, one still waiting, one flagged as matching the recruiter.
  for (const [caseId, country] of [
    [caseHome, 'PE'],
    [caseWaiting, 'PE'],
    [caseFlagged, 'KH'],
  ] as const) {
    await keep(
      f.publish('foreign-ministry', `case-${caseId}`, {
        type: 'intel.foreign-ministry.victim-reported',
        data: { caseId, person: withheld(caseId, 'MY'), reportedBy: 'relative', lastKnownCountry: country, reportedOn: '2023-09-02' },
      }),
    );
  }
  for (const caseId of [caseHome, caseWaiting]) {
    await keep(
      f.publish('foreign-ministry', `case-${caseId}`, {
        type: 'intel.foreign-ministry.victim-rescued',
        data: {
          caseId,
          country: 'PE',
          place: 'House in La Molina',
          rescuedOn: '2023-10-17',
          rescue: { agency: police, id: rescueId },
          match: { reason: 'name-and-birth-date', score: 0.92, explanation: 'names agree apart from word order; birth dates agree' },
        },
      }),
    );
  }
  await keep(
    f.publish('foreign-ministry', `case-${caseHome}`, {
      type: 'intel.foreign-ministry.repatriation-arranged',
      data: { caseId: caseHome, person: withheld(caseHome, 'MY'), expectedOn: '2023-11-02', checkpoint: 'KLIA' },
    }),
  );
  await keep(
    f.publish('foreign-ministry', `case-${caseHome}`, {
      type: 'intel.foreign-ministry.victim-repatriated',
      data: { caseId: caseHome, returnedOn: '2023-11-02', checkpoint: 'KLIA', crossing: { agency: immigration, id: uuidv7() } },
    }),
  );
  const flag = await keep(
    f.publish(
      'foreign-ministry',
      `case-${caseFlagged}`,
      {
        type: 'intel.foreign-ministry.case-flagged-for-review',
        data: {
          caseId: caseFlagged,
          suspect: { agency: police, id: recruiterId, eventId: identification.id },
          role: 'recruiter',
          match: { reason: 'name-and-birth-date', score: 0.88, explanation: 'one letter apart (Faizal/Faisal); birth dates agree' },
        },
      },
      { correlationId: thread, causationId: identification.id },
    ),
  );
  return {
    syndicateId,
    recruiterId,
    erasedSuspectId,
    raidId,
    rescueId,
    rescuedPersonIds,
    alertId,
    crossingId,
    caseHome,
    caseFlagged,
    caseWaiting,
    identification,
    alert,
    sighting,
    flag,
    released,
  };
}
