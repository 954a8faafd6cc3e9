/**
 * A reader's place in an agency's log. The log's order is (transaction id, insert position):
 * it is final for every transaction older than the oldest one still in flight, which is all a
 * reader is ever shown, so a checkpoint never moves past an event that commits later.
 */
export interface LogPosition {
  txId: string;
  position: string;
}

export const LOG_START: LogPosition = Object.freeze({ txId: '0', position: '0' });

export function compareLogPositions(a: LogPosition, b: LogPosition): number {
  const tx = BigInt(a.txId) - BigInt(b.txId);
  if (tx !== 0n) return tx < 0n ? -1 : 1;
  const pos = BigInt(a.position) - BigInt(b.position);
  return pos === 0n ? 0 : pos < 0n ? -1 : 1;
}
