// Realistic police events for the benchmarks: each suspect's story is the four events a case
// usually has (identified with the person's details, seen at a border with a match explanation,
// arrested, charged), so half the events carry personal data that the store seals.
import { randomUUID } from 'node:crypto';
import { AppendContext, EventToAppend } from '@interlink/event-store';
import { EventEnvelope, EventRegistry, Police, PersonDetails } from '@interlink/contracts';
import { newDataKey, sealData } from '@interlink/security';
import { envelopeFrom } from '@interlink/testing';
import { SUSPECT_RELEASE } from '../services/police/src/suspects/release';
import { prng } from '../scripts/faults/load';

const FIRST = ['Ahmad', 'Siti', 'Tan', 'Lim', 'Nurul', 'Ravi', 'Wong', 'Lee', 'Farah', 'Kumar', 'Aisyah', 'Chong', 'Hafiz', 'Mei', 'Arjun', 'Zul'];
const LAST = ['Rahman', 'Abdullah', 'Wei Ming', 'Subramaniam', 'Ismail', 'Chee Keong', 'Hassan', 'Yusof', 'Krishnan', 'Ong', 'Osman', 'Teo'];
const CHECKPOINTS = ['KLIA', 'KLIA2', 'Bukit Kayu Hitam', 'JB Sultan Iskandar', 'Penang Airport'];
const ROLES: Police.SuspectRole[] = ['recruiter', 'operator', 'money-mule', 'ringleader'];

export const EVENTS_PER_STORY = 4;

export class PoliceEvents {
  private readonly random: () => number;
  private people = 0;

  constructor(
    /** Goes into passport numbers, so runs sharing a partner's database never match each other's people. */
    private readonly tag: string,
    /** The immigration agency whose alerts the sightings cite. */
    private readonly immigration: string,
    seed = 1,
  ) {
    this.random = prng(seed);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  person(): PersonDetails {
    const i = this.people++;
    const name = `${this.pick(FIRST)} ${this.pick(LAST)}`;
    const birth = new Date(Date.UTC(1950, 0, 1) + (i % 18000) * 86_400_000).toISOString().slice(0, 10);
    return {
      name,
      aliases: [name.split(' ').reverse().join(' ')],
      birthDate: birth,
      nationality: 'MY',
      passports: [{ number: `B${this.tag}${i}`.toUpperCase().slice(0, 20), country: 'MY' }],
    };
  }

  identified(suspectId = randomUUID(), person = this.person()): EventToAppend {
    return { type: Police.SuspectIdentified.type, data: { suspectId, person, role: this.pick(ROLES) } satisfies Police.SuspectIdentified };
  }

  /** One suspect's four events. */
  story(suspectId = randomUUID()): EventToAppend[] {
    const person = this.person();
    const passport = person.passports![0].number;
    const sighted: Police.SuspectSighted = {
      suspectId,
      checkpoint: this.pick(CHECKPOINTS),
      direction: this.random() < 0.5 ? 'inbound' : 'outbound',
      seenAt: new Date().toISOString(),
      match: { reason: 'passport', score: 1, explanation: `passport ${passport} of ${person.name}, born ${person.birthDate}, matches the watchlist entry exactly` },
      alert: { agency: this.immigration, id: randomUUID() },
    };
    return [
      this.identified(suspectId, person),
      { type: Police.SuspectSighted.type, data: sighted },
      { type: Police.SuspectArrested.type, data: { suspectId, arrestedOn: '2023-10-20', place: sighted.checkpoint, country: 'MY' } satisfies Police.SuspectArrested },
      { type: Police.SuspectCharged.type, data: { suspectId, law: 'ATIPSOM 2007', section: '12', chargedOn: '2023-11-02', court: 'Sessions Court, Kuala Lumpur' } satisfies Police.SuspectCharged },
    ];
  }

  /** Whole stories, `count` events in all (the last story cut short when count is not a multiple of four). */
  events(count: number): EventToAppend[] {
    const out: EventToAppend[] = [];
    while (out.length < count) out.push(...this.story());
    return out.slice(0, count);
  }
}

/** How the police service marks a suspect's events (SUSPECT_RELEASE), for appends made in-process. */
export function suspectContext(ids: { police: string; immigration: string; 'foreign-ministry': string; 'task-force': string }): AppendContext {
  const command = randomUUID();
  return {
    correlationId: command,
    causationId: command,
    actor: `${ids.police}/bench`,
    classification: SUSPECT_RELEASE.classification,
    handling: SUSPECT_RELEASE.handling,
    releasableTo: SUSPECT_RELEASE.to.map((role) => ids[role]),
  };
}

/**
 * Envelopes as the police store holds them (personal data sealed under a key per suspect), made
 * in Node for seeding large logs fast. Each story is its own stream, `suspect-<id>`, versions 1-4.
 */
export function sealedStories(
  events: PoliceEvents,
  registry: EventRegistry,
  ids: Parameters<typeof suspectContext>[0],
  stories: number,
): { envelopes: EventEnvelope[]; keys: Map<string, Buffer> } {
  const envelopes: EventEnvelope[] = [];
  const keys = new Map<string, Buffer>();
  for (let s = 0; s < stories; s++) {
    const suspectId = randomUUID();
    const key = newDataKey();
    keys.set(suspectId, key);
    const context = suspectContext(ids);
    events.story(suspectId).forEach((event, i) => {
      const envelope = envelopeFrom(ids.police, `suspect-${suspectId}`, i + 1, { ...event, schemaVersion: registry.currentVersion(event.type) }, context);
      const spec = registry.definition(event.type).personal ?? [];
      envelopes.push({
        ...envelope,
        correlationid: context.correlationId,
        causationid: context.causationId,
        actor: context.actor,
        handling: (context.handling ?? []).join(','),
        data: sealData(event.data, spec, () => key),
      });
    });
  }
  return { envelopes, keys };
}
