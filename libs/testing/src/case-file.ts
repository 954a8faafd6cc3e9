import { EntityManager } from 'typeorm';
import { Decider, DomainError, EventEnvelope, EventRegistry, defineEvent } from '@interlink/contracts';
import { defineProjection } from '@interlink/projections';

/**
 * A small domain used to test the shared mechanisms: a case file that is opened and collects
 * notes. Applying a note twice or out of order shows in its `history`, so the tests can see
 * duplicates and reordering.
 */
export const CaseOpened = defineEvent<{ title: string; country: string }>()({
  type: 'intel.testing.case-opened',
  version: 2,
  schema: {
    type: 'object',
    required: ['title', 'country'],
    additionalProperties: false,
    properties: { title: { type: 'string', minLength: 1 }, country: { type: 'string', pattern: '^[A-Z]{2}$|^unknown$' } },
  },
  history: {
    1: {
      schema: { type: 'object', required: ['title'], additionalProperties: false, properties: { title: { type: 'string' } } },
      upcast: (data) => ({ ...data, country: 'unknown' }),
    },
  },
});

export const NoteAdded = defineEvent<{ text: string }>()({
  type: 'intel.testing.note-added',
  version: 1,
  schema: {
    type: 'object',
    required: ['text'],
    additionalProperties: false,
    properties: { text: { type: 'string', minLength: 1, maxLength: 1000 } },
  },
});

export function caseFileRegistry(): EventRegistry {
  return new EventRegistry([CaseOpened, NoteAdded]);
}

export type CaseCommand = { type: 'open'; title: string; country: string } | { type: 'add-note'; text: string };
export type CaseEvent =
  | { type: 'intel.testing.case-opened'; data: { title: string; country: string } }
  | { type: 'intel.testing.note-added'; data: { text: string } };
export interface CaseState {
  open: boolean;
  notes: number;
}

export const caseFileDecider: Decider<CaseCommand, CaseEvent, CaseState> = {
  initialState: () => ({ open: false, notes: 0 }),
  decide(command, state) {
    switch (command.type) {
      case 'open':
        if (state.open) throw new DomainError('case-already-open', 'this case is already open');
        return [{ type: 'intel.testing.case-opened', data: { title: command.title, country: command.country } }];
      case 'add-note':
        if (!state.open) throw new DomainError('case-not-open', 'open the case before adding notes');
        return [{ type: 'intel.testing.note-added', data: { text: command.text } }];
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'intel.testing.case-opened':
        return { ...state, open: true };
      case 'intel.testing.note-added':
        return { ...state, notes: state.notes + 1 };
    }
  },
};

const caseTableDdl = (table: string) => `
  CREATE TABLE ${table} (
    case_id text PRIMARY KEY,
    title   text NOT NULL,
    country text NOT NULL,
    notes   integer NOT NULL DEFAULT 0,
    history text NOT NULL DEFAULT ''
  )`;

async function applyCaseEvent(table: string, event: EventEnvelope<any>, db: EntityManager): Promise<void> {
  if (event.type === CaseOpened.type) {
    await db.query(`INSERT INTO ${table} (case_id, title, country) VALUES ($1, $2, $3)`, [event.subject, event.data.title, event.data.country]);
  } else if (event.type === NoteAdded.type) {
    await db.query(`UPDATE ${table} SET notes = notes + 1, history = history || $2 || ';' WHERE case_id = $1`, [event.subject, event.data.text]);
  }
}

/** The case files as a checkpointed projection of the agency's own log, under a name of its own (also its table's). */
export function caseFilesProjectionNamed(name: string) {
  return defineProjection({
    name,
    tables: [name],
    schema: [caseTableDdl(name)],
    handlers: {
      [CaseOpened.type]: (event, db) => applyCaseEvent(name, event, db),
      [NoteAdded.type]: (event, db) => applyCaseEvent(name, event, db),
    },
  });
}

export const caseFilesProjection = caseFilesProjectionNamed('case_files');

/** The same read model built by a Kafka consumer from what another agency released. */
export async function createReceivedCasesTable(db: EntityManager, table: string): Promise<void> {
  await db.query(caseTableDdl(table));
}

export function receivedCasesHandler(table: string) {
  return (event: EventEnvelope, context: { manager: EntityManager }) => applyCaseEvent(table, event, context.manager);
}

export async function readCases(db: EntityManager, table: string): Promise<Record<string, unknown>[]> {
  return db.query(`SELECT case_id, title, country, notes, history FROM ${table} ORDER BY case_id`);
}
