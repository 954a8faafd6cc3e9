import { Client } from 'pg';
import { TestDatabase, createTestDatabase, waitFor } from '@interlink/testing';
import { EVENTS_CHANNEL, LogFollower } from './index';

// LogFollower over a real LISTEN: what wakes a round, and what a linger gathers into one.

describe('LogFollower (real Postgres notifications)', () => {
  let db: TestDatabase;
  let notifier: Client;
  const followers: LogFollower[] = [];
  const notify = () => notifier.query(`SELECT pg_notify($1, '')`, [EVENTS_CHANNEL]);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** A follower whose rounds find nothing to do more; `rounds` has the time each began. */
  const follow = async (lingerMs: number) => {
    const rounds: number[] = [];
    const follower = new LogFollower({ databaseUrl: db.url, pollIntervalMs: 600_000, lingerMs }, async () => {
      rounds.push(Date.now());
      return false;
    });
    followers.push(follower);
    await follower.start();
    await waitFor('the first round, at start', async () => rounds.length === 1);
    return { follower, rounds };
  };

  beforeAll(async () => {
    db = await createTestDatabase('log_follower');
    notifier = new Client({ connectionString: db.url });
    await notifier.connect();
  });
  afterAll(async () => {
    await Promise.all(followers.map((f) => f.stop()));
    await notifier?.end();
    await db?.drop();
  });

  it('without a linger, starts a round for a notification', async () => {
    const { rounds } = await follow(0);
    await notify();
    await waitFor('a round after the notification', async () => rounds.length === 2);
  });

  it('with a linger, waits it after a notification, and the notifications meanwhile share that one round', async () => {
    const { rounds } = await follow(1000);
    const sent = Date.now();
    await notify();
    await sleep(50);
    await notify();
    await waitFor('a round after the two notifications', async () => rounds.length === 2, { timeoutMs: 10_000 });
    // The linger began when the first notification arrived, after it was sent.
    expect(rounds[1] - sent).toBeGreaterThanOrEqual(990);
    // The second notification came during the linger: the round read what it announced, and no
    // further round follows for it.
    await sleep(1500);
    expect(rounds).toHaveLength(2);
  });

  it('a notification during a round starts another one after it', async () => {
    let release!: () => void;
    const rounds: number[] = [];
    const follower = new LogFollower({ databaseUrl: db.url, pollIntervalMs: 600_000, lingerMs: 20 }, async () => {
      rounds.push(Date.now());
      // The second round (the first after start) waits until the test has notified during it.
      if (rounds.length === 2) await new Promise<void>((resolve) => (release = resolve));
      return false;
    });
    followers.push(follower);
    await follower.start();
    await waitFor('the first round', async () => rounds.length === 1);
    await notify();
    await waitFor('the round the notification started', async () => rounds.length === 2);
    await notify();
    await sleep(100);
    release();
    await waitFor('one more round for the notification that came during the last', async () => rounds.length === 3);
  });

  it('stops at once while it lingers', async () => {
    const { follower, rounds } = await follow(600_000);
    await notify();
    await sleep(200);
    // Would wait ten minutes if the linger were not cut (the test's timeout fails first).
    await follower.stop();
    followers.splice(followers.indexOf(follower), 1);
    expect(rounds).toHaveLength(1);
  });
});
