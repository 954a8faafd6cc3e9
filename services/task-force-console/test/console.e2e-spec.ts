import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import request from 'supertest';
import { EventEnvelope, uuidv7 } from '@interlink/contracts';
import { waitFor } from '@interlink/testing';
import { PACKAGE_ROOT } from '../src/config';
import { ConsoleFixture, startConsole, withheld } from './harness';
import { DroppableProxy } from './proxy';
import { Scenario, playScenario } from './scenario';
import { ensureUiBuilt } from './ui-build';

/** Where the run leaves its screenshots (git-ignored). */
export const SCREENSHOTS = path.join(PACKAGE_ROOT, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const KAFKA_WAIT = { timeoutMs: 60000, intervalMs: 100 };

/**
 * The console's page in real headless Chromium (Debian's package, driven by playwright-core)
 * against the service over real Kafka and Postgres, through a proxy that can cut the network.
 */
describe('task-force console in a browser (headless Chromium, real Kafka, real Postgres)', () => {
  let f: ConsoleFixture;
  let s: Scenario;
  let proxy: DroppableProxy;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];
  const problems: string[] = [];

  const feedItems = async () => (await request(f.app.getHttpServer()).get('/api/feed?limit=500').set('Authorization', `Bearer ${f.token()}`).expect(200)).body.items as { eventId: string; seq: number; agency: string; receivedAt: string }[];
  const recorded = (id: string) => waitFor(`event ${id} recorded by the console`, async () => (await feedItems()).find((i) => i.eventId === id), KAFKA_WAIT);
  const shownSeqs = () => page.$$eval('li.feed-item', (items) => items.map((li) => Number(li.getAttribute('data-seq'))));

  beforeAll(async () => {
    ensureUiBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    f = await startConsole();
    s = await playScenario(f);
    await waitFor('the scenario in the feed', async () => (await feedItems()).length === s.released.length, KAFKA_WAIT);
    const target = new URL(f.url);
    proxy = await new DroppableProxy(target.hostname, Number(target.port)).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    page.on('request', (r) => requested.push(r.url()));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/net::ERR_|Failed to load resource|Failed to fetch/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.stop();
    await f?.stop();
  });

  it('asks for a token, refuses a bad one with the reason, and signs in with a task-force token', async () => {
    await page.goto(`${proxy.url}/`);
    await page.waitForSelector('textarea#token');
    await page.fill('textarea#token', f.token({ agency: f.agencies.police }));
    await page.click('button[type=submit]');
    await page.waitForSelector('.problem');
    expect(await page.textContent('.problem')).toContain(`this service serves ${f.agencies['task-force']}; your token is for ${f.agencies.police}`);

    await page.fill('textarea#token', f.token());
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-status=live]');
    expect(await page.textContent('.user')).toContain(`analyst.lim · ${f.agencies['task-force']} · analyst`);
    await waitFor('the whole feed shown', async () => (await shownSeqs()).length === s.released.length);
    const seqs = await shownSeqs();
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    // Redacted and erased persons are shown as such, with their pseudonym.
    await page.click(`li.feed-item[data-event-id="${s.alert.id}"] .feed-summary`);
    const alert = page.locator(`li.feed-item[data-event-id="${s.alert.id}"]`);
    await alert.locator('.feed-details').waitFor();
    expect(await alert.locator('.sentence').textContent()).toBe(`Immigration (${f.agencies.immigration}): watchlisted passport seen at KLIA, outbound`);
    expect(await alert.locator('[data-person-state=redacted]').textContent()).toContain(`pseudonym ${s.crossingId.slice(-8)}`);
    expect(await page.locator('li.feed-item .sentence', { hasText: 'erased, pseudonym' }).count()).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'feed.png'), fullPage: false });
  });

  it('shows an event published to Kafka within a second of its arrival, at the top', async () => {
    // Notes, in the page, when each row appears.
    await page.evaluate(`(() => {
      window.seenAt = {};
      new MutationObserver(() => {
        document.querySelectorAll('li.feed-item').forEach((li) => { window.seenAt[li.getAttribute('data-event-id')] ??= Date.now(); });
      }).observe(document.querySelector('.feed-list'), { childList: true });
    })()`);
    const suspectId = uuidv7();
    const started = Date.now();
    const event = await f.publish('police', `suspect-${suspectId}`, { type: 'intel.police.suspect-arrested', data: { suspectId, arrestedOn: '2023-12-01', place: 'KLIA', country: 'MY' } });
    await page.waitForSelector(`li.feed-item[data-event-id="${event.id}"]`, { timeout: 30000 });
    const endToEnd = Date.now() - started;
    const item = await recorded(event.id);
    const seenAt = (await page.evaluate(`window.seenAt[${JSON.stringify(event.id)}]`)) as number;
    // From the console's commit of the event to the row on the page.
    expect(seenAt - Date.parse(item.receivedAt)).toBeLessThan(1000);
    expect(endToEnd).toBeLessThan(10000);
    expect((await shownSeqs())[0]).toBe(item.seq);
    expect(await page.locator(`li.feed-item[data-event-id="${event.id}"] .sentence`).textContent()).toBe(`Police (${f.agencies.police}): suspect arrested at KLIA, Malaysia on 2023-12-01`);
  });

  it('loses the connection, misses nothing while away, and shows nothing twice', async () => {
    await proxy.drop();
    await page.waitForSelector('[data-status=reconnecting]');
    const missed: EventEnvelope[] = [];
    for (const checkpoint of ['KLIA', 'KLIA2', 'Bukit Kayu Hitam']) {
      const alertId = uuidv7();
      const crossingId = uuidv7();
      missed.push(
        await f.publish('immigration', `alert-${alertId}`, {
          type: 'intel.immigration.border-alert-raised',
          data: {
            alertId,
            crossingId,
            entryId: uuidv7(),
            traveller: withheld(crossingId, 'MY'),
            direction: 'inbound',
            checkpoint,
            crossedAt: '2023-12-02T09:00:00Z',
            match: { reason: 'passport', score: 1, explanation: 'passport equals the watchlisted one' },
          },
        }),
      );
    }
    for (const e of missed) await recorded(e.id);
    expect(await page.locator(`li.feed-item[data-event-id="${missed[0].id}"]`).count()).toBe(0);
    await proxy.restore();
    await page.waitForSelector('[data-status=live]', { timeout: 30000 });
    for (const e of missed) await page.waitForSelector(`li.feed-item[data-event-id="${e.id}"]`, { timeout: 30000 });
    await new Promise((r) => setTimeout(r, 500));
    const all = await feedItems();
    const seqs = await shownSeqs();
    expect(seqs).toEqual(all.map((i) => i.seq));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(await page.getAttribute('[data-status]', 'data-duplicates')).toBe('0');
  });

  it('filters the feed by agency, marking and country, and the live stream follows the filter', async () => {
    await page.selectOption('select[name=agency]', f.agencies.immigration);
    await page.waitForFunction(`location.hash.includes('agency=${f.agencies.immigration}')`);
    await page.waitForSelector('[data-status=live]');
    const immigration = (await feedItems()).filter((i) => i.agency === f.agencies.immigration);
    await waitFor('only immigration events', async () => JSON.stringify(await shownSeqs()) === JSON.stringify(immigration.map((i) => i.seq)));
    const raidId = uuidv7();
    const police = await f.publish('police', `raid-${raidId}`, { type: 'intel.police.raid-conducted', data: { raidId, place: 'Compound', country: 'KH', conductedOn: '2024-01-10' } });
    const alertId = uuidv7();
    const crossingId = uuidv7();
    const shown = await f.publish('immigration', `alert-${alertId}`, {
      type: 'intel.immigration.border-alert-raised',
      data: { alertId, crossingId, entryId: uuidv7(), traveller: withheld(crossingId, 'TH'), direction: 'outbound', checkpoint: 'Padang Besar', crossedAt: '2024-01-11T07:00:00Z', match: { reason: 'passport', score: 1, explanation: 'same passport' } },
    });
    await page.waitForSelector(`li.feed-item[data-event-id="${shown.id}"]`, { timeout: 30000 });
    await recorded(police.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(await page.locator(`li.feed-item[data-event-id="${police.id}"]`).count()).toBe(0);

    await page.selectOption('select[name=agency]', '');
    await page.selectOption('select[name=country]', 'PE');
    await page.waitForFunction(`location.hash.includes('country=PE') && !location.hash.includes('agency=')`);
    const peru = (await request(f.app.getHttpServer()).get('/api/feed?country=PE&limit=500').set('Authorization', `Bearer ${f.token()}`).expect(200)).body.items as { seq: number }[];
    await waitFor('only events about Peru', async () => JSON.stringify(await shownSeqs()) === JSON.stringify(peru.map((i) => i.seq)));
    await page.selectOption('select[name=marking]', 'AMBER');
    await page.waitForFunction(`location.hash.includes('marking=AMBER')`);
    await waitFor('the marking filter applied', async () => JSON.stringify(await shownSeqs()) === JSON.stringify(peru.map((i) => i.seq)));
    await page.click('button:has-text("clear filters")');
    await page.waitForFunction(`location.hash === '#/feed'`);
    await waitFor('the whole feed again', async () => (await shownSeqs()).length === (await feedItems()).length);
  });

  it('draws the dashboards', async () => {
    await page.click('nav a:has-text("Dashboards")');
    await page.waitForSelector('section.dashboards[data-loaded=true]');
    expect(await page.textContent('[data-kpi=rescued]')).toBe('2');
    expect(await page.textContent('[data-kpi=repatriated]')).toBe('1');
    expect(await page.textContent('[data-kpi=still-tracked]')).toBe('2');
    expect(await page.textContent('[data-kpi=freed]')).toBe('3');
    expect(await page.locator('canvas').count()).toBe(5);
    const checkpoints = await page.$$eval('table[data-table=alerts-per-checkpoint] tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
    expect(checkpoints).toEqual(expect.arrayContaining(['KLIA', 'KLIA2', 'Bukit Kayu Hitam', 'Padang Besar']));
    await page.waitForSelector('table[data-table=consumer-lag] tbody tr');
    expect(await page.locator('table[data-table=consumer-lag] tbody tr').count()).toBe(9);
    // The charts have drawn something: some pixels of each canvas are not blank.
    const drawn = (await page.evaluate(`[...document.querySelectorAll('canvas')].map((c) => {
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
      return painted;
    })`)) as number[];
    expect(drawn.every((n) => n > 100)).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
  });

  it("opens a suspect's dossier from the feed: matches with their reasons, a timeline with causes", async () => {
    await page.click('nav a:has-text("Live feed")');
    await page.waitForSelector(`li.feed-item[data-event-id="${s.sighting.id}"]`);
    await page.click(`li.feed-item[data-event-id="${s.sighting.id}"] .feed-summary`);
    await page.click(`li.feed-item[data-event-id="${s.sighting.id}"] a.dossier-link[href*="/suspect/"]`);
    await page.waitForSelector('section.dossier');
    expect(await page.textContent('[data-dossier-title]')).toBe(`recruiter: a person from Malaysia (redacted, pseudonym ${s.recruiterId.slice(-8)})`);
    const reasons = await page.$$eval('.match-row', (rows) => rows.map((r) => r.getAttribute('data-reason')));
    expect(reasons).toEqual(expect.arrayContaining(['passport', 'name-and-birth-date']));
    expect(await page.locator('.match-row', { hasText: '100%' }).count()).toBeGreaterThan(0);
    const matchTexts = await page.$$eval('.match-row', (rows) => rows.map((r) => r.textContent ?? ''));
    expect(matchTexts.filter((t) => t.includes('name and birth date 88% — explanation redacted'))).toHaveLength(1);
    const sighting = page.locator(`.timeline-entry[data-event-id="${s.sighting.id}"]`);
    expect(await sighting.locator('.cause').getAttribute('data-cause')).toBe('timeline');
    expect(await sighting.locator('.cause').textContent()).toContain('caused by ↑ Immigration');
    expect(await page.locator('.record [data-person-state=redacted]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dossier.png'), fullPage: true });
  });

  it('loaded nothing from anywhere but the console, and the page raised no error', async () => {
    const foreign = requested.filter((url) => !url.startsWith(`${proxy.url}/`) && !url.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    const res = await request(f.app.getHttpServer()).get('/').expect(200);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.text).not.toMatch(/https?:\/\//);
  });
});
