import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getJson, query, tokens } from './api';
import { agencyLabel, countryName, dossierHref, entityLabel, formatTime, short, tlp, tlpClass, typeLabel } from './format';
import { Payload } from './person';
import { FeedStream, StreamStatus } from './sse';
import type { FeedFacets, FeedFilter, FeedItem, FeedPage, Problem } from './types';

const KEEP = 1000;
const STATUS_TEXT: Record<StreamStatus, string> = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', stopped: 'stopped' };

function Filters({ filter, facets, onChange }: { filter: FeedFilter; facets: FeedFacets; onChange(filter: FeedFilter): void }): JSX.Element {
  const select = (name: keyof FeedFilter, label: string, values: string[], show: (v: string) => string) => {
    const options = filter[name] && !values.includes(filter[name]!) ? [filter[name]!, ...values] : values;
    return (
      <label>
        {label}
        <select
          name={name}
          value={filter[name] ?? ''}
          onChange={(e) => onChange({ ...filter, [name]: (e.currentTarget as HTMLSelectElement).value || undefined })}
        >
          <option value="">all</option>
          {options.map((v) => (
            <option key={v} value={v}>
              {show(v)}
            </option>
          ))}
        </select>
      </label>
    );
  };
  return (
    <form class="filters" onSubmit={(e) => e.preventDefault()}>
      {select('agency', 'Agency', facets.agencies, (v) => v)}
      {select('type', 'Event type', facets.types, typeLabel)}
      {select('country', 'Country', facets.countries, (v) => `${countryName(v)} (${v})`)}
      {select('marking', 'Marking', facets.markings, tlp)}
      {Object.values(filter).some(Boolean) ? (
        <button type="button" class="link" onClick={() => onChange({})}>
          clear filters
        </button>
      ) : null}
    </form>
  );
}

export function FeedRow({ item, open, onToggle }: { item: FeedItem; open: boolean; onToggle(): void }): JSX.Element {
  const links = item.entities.filter((e) => /^(suspect|syndicate|case|alert|person|raid|rescue):/.test(e));
  return (
    <li class={`feed-item role-${item.role}${open ? ' open' : ''}`} data-seq={item.seq} data-event-id={item.eventId} data-type={item.type}>
      <button type="button" class="feed-summary" onClick={onToggle} aria-expanded={open}>
        <time dateTime={item.time}>{formatTime(item.time)}</time>
        <span class={`agency agency-${item.role}`}>{agencyLabel(item.agency, item.role)}</span>
        <span class={tlpClass(item.classification)}>{tlp(item.classification)}</span>
        <span class="type">{typeLabel(item.type)}</span>
        <span class="sentence">{item.sentence}</span>
      </button>
      {open ? (
        <div class="feed-details">
          <Payload item={item} />
          <p class="ids">
            #{item.seq} · event <code>{short(item.eventId)}</code> · sender's log position {item.sequence ?? '—'} · received {formatTime(item.receivedAt)}
            {item.handling.length ? ` · handling: ${item.handling.join(', ')}` : ''}
          </p>
          {links.length ? (
            <p class="links">
              Dossiers:{' '}
              {links.map((e) => (
                <a key={e} href={dossierHref(e)} class="dossier-link">
                  {entityLabel(e)}
                </a>
              ))}
            </p>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

export function Feed({ filter, onFilter }: { filter: FeedFilter; onFilter(filter: FeedFilter): void }): JSX.Element {
  const [items, setItems] = useState<FeedItem[]>([]);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [facets, setFacets] = useState<FeedFacets>({ agencies: [], types: [], countries: [], markings: [] });
  const [open, setOpen] = useState<number | null>(null);
  const [older, setOlder] = useState<number | null>(null);
  const [duplicates, setDuplicates] = useState(0);
  const seen = useRef(new Set<number>());
  const key = JSON.stringify(filter);

  useEffect(() => {
    let stream: FeedStream | undefined;
    let cancelled = false;
    seen.current = new Set();
    setItems([]);
    setProblem(null);
    setDuplicates(0);
    setStatus('connecting');
    (async () => {
      try {
        const page = await getJson<FeedPage>(`api/feed${query({ ...filter, limit: 100 })}`);
        if (cancelled) return;
        page.items.forEach((i) => seen.current.add(i.seq));
        setItems(page.items);
        setOlder(page.nextBefore);
        stream = new FeedStream({
          url: `api/feed/stream${query({ ...filter, after: page.head })}`,
          token: tokens.get() ?? '',
          onEvent: (type, data) => {
            if (type !== 'feed') return;
            const item = JSON.parse(data) as FeedItem;
            if (seen.current.has(item.seq)) {
              setDuplicates((n) => n + 1);
              return;
            }
            seen.current.add(item.seq);
            setItems((current) => [item, ...current].slice(0, KEEP));
          },
          onStatus: setStatus,
          onRefused: setProblem,
        });
        stream.start();
      } catch (error) {
        if (!cancelled) setProblem(error instanceof ApiError ? error.problem : { type: 'about:blank', title: 'Unreachable', status: 0, detail: (error as Error).message });
      }
    })();
    getJson<FeedFacets>('api/feed/facets').then(setFacets, () => undefined);
    return () => {
      cancelled = true;
      stream?.stop();
    };
  }, [key]);

  useEffect(() => {
    // New kinds of events widen the filters' choices.
    const timer = setInterval(() => getJson<FeedFacets>('api/feed/facets').then(setFacets, () => undefined), 15000);
    return () => clearInterval(timer);
  }, []);

  const loadOlder = async () => {
    if (older === null) return;
    const page = await getJson<FeedPage>(`api/feed${query({ ...filter, before: older, limit: 100 })}`);
    const fresh = page.items.filter((i) => !seen.current.has(i.seq));
    fresh.forEach((i) => seen.current.add(i.seq));
    setItems((current) => [...current, ...fresh]);
    setOlder(page.nextBefore);
  };

  return (
    <section class="feed" aria-label="Live feed">
      <header class="section-header">
        <h2>Live feed</h2>
        <span class={`stream-status status-${status}`} data-status={status} data-duplicates={duplicates} role="status">
          {STATUS_TEXT[status]}
        </span>
      </header>
      <Filters filter={filter} facets={facets} onChange={onFilter} />
      {problem ? (
        <p class="problem" role="alert" data-problem={problem.type}>
          {problem.title}: {problem.detail}
        </p>
      ) : null}
      {items.length === 0 && !problem ? <p class="empty">Nothing released to the task force{Object.values(filter).some(Boolean) ? ' matches these filters' : ''} yet.</p> : null}
      <ol class="feed-list">
        {items.map((item) => (
          <FeedRow key={item.seq} item={item} open={open === item.seq} onToggle={() => setOpen(open === item.seq ? null : item.seq)} />
        ))}
      </ol>
      {older !== null ? (
        <button type="button" class="more" onClick={loadOlder}>
          Load older events
        </button>
      ) : null}
    </section>
  );
}
