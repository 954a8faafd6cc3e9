import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import { eventsAppended } from '@interlink/observability';

/** Events appended in a transaction still open, by its query runner: counted only if it commits. */
const uncommitted = new WeakMap<QueryRunner, { agency: string; type: string }[]>();
const watched = new WeakSet<DataSource>();

const commits: EntitySubscriberInterface = {
  afterTransactionCommit({ queryRunner }) {
    // A nested transaction's commit only releases a savepoint; the outer one decides.
    if (queryRunner.isTransactionActive) return;
    for (const labels of uncommitted.get(queryRunner) ?? []) eventsAppended.inc(labels);
    uncommitted.delete(queryRunner);
  },
  afterTransactionRollback({ queryRunner }) {
    if (!queryRunner.isTransactionActive) uncommitted.delete(queryRunner);
  },
};

/** Makes `interlink_events_appended_total` count what `dataSource`'s transactions commit. */
export function countCommittedAppends(dataSource: DataSource): void {
  if (watched.has(dataSource)) return;
  watched.add(dataSource);
  dataSource.subscribers.push(commits);
}

/** Counts appended events when the transaction of `manager` commits (at once outside a transaction). */
export function countAppended(manager: EntityManager, agency: string, types: string[]): void {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    for (const type of types) eventsAppended.inc({ agency, type });
    return;
  }
  let pending = uncommitted.get(runner);
  if (!pending) uncommitted.set(runner, (pending = []));
  for (const type of types) pending.push({ agency, type });
}

/**
 * Where the count of a transaction stands, before work that a savepoint may undo (a consumer
 * applies each event in one): pass it to `forgetAppendedSince` when the savepoint is rolled back.
 */
export function appendedMark(manager: EntityManager): number {
  return manager.queryRunner ? (uncommitted.get(manager.queryRunner)?.length ?? 0) : 0;
}

export function forgetAppendedSince(manager: EntityManager, mark: number): void {
  const pending = manager.queryRunner && uncommitted.get(manager.queryRunner);
  if (pending) pending.length = mark;
}
