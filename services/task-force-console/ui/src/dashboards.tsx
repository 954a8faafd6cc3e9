import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson } from './api';
import { ChartCanvas, PALETTE } from './chart';
import { countryName } from './format';
import type { AlertsDashboard, LagDashboard, SuspectsDashboard, VictimsDashboard } from './types';

const REFRESH_MS = 10000;

interface Data {
  victims?: VictimsDashboard;
  alerts?: AlertsDashboard;
  suspects?: SuspectsDashboard;
  lag?: LagDashboard;
}

function Panel({ title, id, children, note }: { title: string; id: string; children: JSX.Element | JSX.Element[] | null; note?: string }): JSX.Element {
  return (
    <section class="panel" id={id} aria-label={title}>
      <h3>{title}</h3>
      {note ? <p class="muted small">{note}</p> : null}
      {children}
    </section>
  );
}

function Table({ head, rows, name }: { head: string[]; rows: (string | number)[][]; name: string }): JSX.Element {
  return (
    <table class="figures" data-table={name}>
      <thead>
        <tr>{head.map((h) => <th key={h}>{h}</th>)}</tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>{r.map((c, j) => <td key={j}>{c}</td>)}</tr>
        ))}
      </tbody>
    </table>
  );
}

const empty = (text: string) => <p class="empty">{text}</p>;

export function Dashboards(): JSX.Element {
  const [data, setData] = useState<Data>({});
  const [error, setError] = useState<string | null>(null);
  const [at, setAt] = useState<string>('');

  useEffect(() => {
    let live = true;
    const load = async () => {
      try {
        const [victims, alerts, suspects, lag] = await Promise.all([
          getJson<VictimsDashboard>('api/dashboard/victims'),
          getJson<AlertsDashboard>('api/dashboard/alerts'),
          getJson<SuspectsDashboard>('api/dashboard/suspects'),
          getJson<LagDashboard>('api/dashboard/lag').catch((e: ApiError) => {
            setError(`consumer lag unavailable: ${e.message}`);
            return undefined;
          }),
        ]);
        if (!live) return;
        setData({ victims, alerts, suspects, lag });
        setAt(new Date().toISOString());
      } catch (e) {
        if (live) setError((e as Error).message);
      }
    };
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);

  const { victims, alerts, suspects, lag } = data;
  return (
    <section class="dashboards" aria-label="Dashboards" data-loaded={at ? 'true' : 'false'}>
      <header class="section-header">
        <h2>Dashboards</h2>
        <span class="muted small">{at ? `updated ${at.slice(11, 19)} UTC, every ${REFRESH_MS / 1000} s` : 'loading…'}</span>
      </header>
      {error ? <p class="problem" role="alert">{error}</p> : null}
      {victims ? (
        <div class="kpis" data-kpis="victims">
          <div class="kpi"><span class="kpi-value" data-kpi="rescued">{victims.totals.rescued}</span><span>rescued</span></div>
          <div class="kpi"><span class="kpi-value" data-kpi="repatriated">{victims.totals.repatriated}</span><span>repatriated</span></div>
          <div class="kpi"><span class="kpi-value" data-kpi="still-tracked">{victims.totals.stillTracked}</span><span>still tracked</span></div>
          <div class="kpi"><span class="kpi-value" data-kpi="freed">{victims.freedInRescues.reduce((n, r) => n + r.persons, 0)}</span><span>freed in police rescues</span></div>
        </div>
      ) : null}
      <div class="panels">
        <Panel id="victims-over-time" title="Victims over time" note="Rescues and returns in each month; cases still tracked at its end (foreign ministry's cases).">
          {victims && victims.overTime.length ? (
            <ChartCanvas
              label="victims over time"
              config={{
                type: 'line',
                data: {
                  labels: victims.overTime.map((m) => m.month),
                  datasets: [
                    { label: 'rescued', data: victims.overTime.map((m) => m.rescued), borderColor: PALETTE.rescued, backgroundColor: PALETTE.rescued },
                    { label: 'repatriated', data: victims.overTime.map((m) => m.repatriated), borderColor: PALETTE.repatriated, backgroundColor: PALETTE.repatriated },
                    { label: 'still tracked', data: victims.overTime.map((m) => m.stillTracked), borderColor: PALETTE.tracked, backgroundColor: PALETTE.tracked },
                  ],
                },
                options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
              }}
            />
          ) : empty('No victim cases released to the task force yet.')}
        </Panel>
        <Panel id="victims-by-country" title="Victims by country">
          {victims && victims.byCountry.length ? (
            <>
              <ChartCanvas
                label="victims by country"
                config={{
                  type: 'bar',
                  data: {
                    labels: victims.byCountry.map((c) => countryName(c.country)),
                    datasets: [
                      { label: 'rescued', data: victims.byCountry.map((c) => c.rescued), backgroundColor: PALETTE.rescued },
                      { label: 'repatriated', data: victims.byCountry.map((c) => c.repatriated), backgroundColor: PALETTE.repatriated },
                      { label: 'still tracked', data: victims.byCountry.map((c) => c.stillTracked), backgroundColor: PALETTE.tracked },
                    ],
                  },
                  options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
                }}
              />
              <Table name="victims-by-country" head={['country', 'rescued', 'repatriated', 'still tracked']} rows={victims.byCountry.map((c) => [countryName(c.country), c.rescued, c.repatriated, c.stillTracked])} />
            </>
          ) : empty('No victim cases yet.')}
        </Panel>
        <Panel id="alerts-per-checkpoint" title="Border alerts per checkpoint">
          {alerts && alerts.byCheckpoint.length ? (
            <>
              <ChartCanvas
                label="border alerts per checkpoint"
                config={{
                  type: 'bar',
                  data: {
                    labels: alerts.byCheckpoint.map((c) => c.checkpoint),
                    datasets: [
                      { label: 'open', data: alerts.byCheckpoint.map((c) => c.raised), backgroundColor: PALETTE.raised },
                      { label: 'confirmed', data: alerts.byCheckpoint.map((c) => c.confirmed), backgroundColor: PALETTE.confirmed },
                      { label: 'dismissed', data: alerts.byCheckpoint.map((c) => c.dismissed), backgroundColor: PALETTE.dismissed },
                    ],
                  },
                  options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
                }}
              />
              <Table name="alerts-per-checkpoint" head={['checkpoint', 'open', 'confirmed', 'dismissed', 'total']} rows={alerts.byCheckpoint.map((c) => [c.checkpoint, c.raised, c.confirmed, c.dismissed, c.total])} />
            </>
          ) : empty('No border alerts released to the task force yet.')}
        </Panel>
        <Panel id="suspects-by-status" title="Suspects by status">
          {suspects && suspects.byStatus.length ? (
            <>
              <ChartCanvas
                label="suspects by status"
                config={{
                  type: 'bar',
                  data: { labels: suspects.byStatus.map((s) => s.status), datasets: [{ label: 'suspects', data: suspects.byStatus.map((s) => s.count), backgroundColor: PALETTE.neutral }] },
                  options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
                }}
              />
              <Table name="suspects-by-status" head={['status', 'suspects']} rows={suspects.byStatus.map((s) => [s.status, s.count])} />
            </>
          ) : empty('No suspects released to the task force yet.')}
        </Panel>
        <Panel id="consumer-lag" title="Consumer lag per feed" note="Per topic partition: the console's committed offset against the topic's high watermark.">
          {lag ? (
            <>
              <ChartCanvas
                label="consumer lag per feed"
                config={{
                  type: 'bar',
                  data: {
                    labels: lag.partitions.map((p) => `${p.sender}[${p.partition}]`),
                    datasets: [{ label: 'messages behind', data: lag.partitions.map((p) => p.lag), backgroundColor: PALETTE.lag }],
                  },
                  options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
                }}
              />
              <Table
                name="consumer-lag"
                head={['topic', 'partition', 'committed', 'high watermark', 'lag']}
                rows={lag.partitions.map((p) => [p.topic, p.partition, p.committed ?? '—', p.high, p.lag])}
              />
            </>
          ) : empty('Waiting for the brokers…')}
        </Panel>
      </div>
    </section>
  );
}
