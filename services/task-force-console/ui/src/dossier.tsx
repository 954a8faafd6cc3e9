import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, query } from './api';
import { agencyLabel, dossierHref, entityLabel, formatTime, short, tlp, tlpClass, typeLabel } from './format';
import { Match, Payload, Person } from './person';
import type { Dossier as DossierData, Problem, RecordSummary } from './types';

const KINDS = [
  { value: '', label: 'all' },
  { value: 'suspect', label: 'suspects' },
  { value: 'syndicate', label: 'syndicates' },
  { value: 'case', label: 'victim cases' },
];

function problemOf(error: unknown): Problem {
  return error instanceof ApiError ? error.problem : { type: 'about:blank', title: 'Unreachable', status: 0, detail: (error as Error).message };
}

function RecordCard({ record, root }: { record: RecordSummary; root?: boolean }): JSX.Element {
  return (
    <article class={`record record-${record.kind}${root ? ' root' : ''}`} data-entity={record.entity}>
      <header>
        <span class="badge kind">{record.kind}</span> <a href={dossierHref(record.entity)}>{record.title}</a>
        {record.status ? <span class="status"> · {record.status}</span> : null}
      </header>
      <p class="muted small">
        {agencyLabel(record.agency)} record <code>{short(record.id)}</code>
      </p>
      {record.person ? (
        <p>
          <Person view={record.person} />
        </p>
      ) : null}
    </article>
  );
}

/** Pick a suspect, syndicate or victim case to open its dossier. */
export function Subjects({ kind, q, onSearch }: { kind: string; q: string; onSearch(kind: string, q: string): void }): JSX.Element {
  const [subjects, setSubjects] = useState<RecordSummary[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [text, setText] = useState(q);
  useEffect(() => {
    setSubjects(null);
    getJson<RecordSummary[]>(`api/dossiers${query({ kind: kind || undefined, q: q || undefined })}`).then(
      (s) => {
        setSubjects(s);
        setProblem(null);
      },
      (e) => setProblem(problemOf(e)),
    );
  }, [kind, q]);
  return (
    <section class="subjects" aria-label="Dossiers">
      <header class="section-header">
        <h2>Dossiers</h2>
      </header>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          onSearch(kind, text);
        }}
      >
        <label>
          Kind
          <select name="kind" value={kind} onChange={(e) => onSearch((e.currentTarget as HTMLSelectElement).value, text)}>
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input name="q" value={text} placeholder="id, pseudonym, role, syndicate" onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      {problem ? <p class="problem" role="alert">{problem.title}: {problem.detail}</p> : null}
      {subjects === null && !problem ? <p class="muted">loading…</p> : null}
      {subjects?.length === 0 ? <p class="empty">No suspects, syndicates or victim cases{q ? ` match "${q}"` : ' yet'}.</p> : null}
      <div class="records">
        {subjects?.map((s) => <RecordCard key={s.entity} record={s} />)}
      </div>
    </section>
  );
}

/** One person or syndicate across agencies: linked records, why they were matched, and the timeline with its causes. */
export function Dossier({ entity }: { entity: string }): JSX.Element {
  const [dossier, setDossier] = useState<DossierData | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    setDossier(null);
    setProblem(null);
    const [kind, agency, id] = entity.split(':');
    getJson<DossierData>(`api/dossiers/${encodeURIComponent(kind)}/${encodeURIComponent(agency)}/${encodeURIComponent(id)}`).then(setDossier, (e) => setProblem(problemOf(e)));
  }, [entity]);
  if (problem) return <p class="problem" role="alert">{problem.title}: {problem.detail}</p>;
  if (!dossier) return <p class="muted">loading dossier…</p>;
  const titles = new Map(dossier.records.map((r) => [r.entity, r.title]));
  const title = (e: string) => titles.get(e) ?? entityLabel(e);
  const others = dossier.records.filter((r) => r.entity !== dossier.root.entity);
  return (
    <section class="dossier" aria-label="Dossier" data-entity={entity}>
      <header class="section-header">
        <h2>
          Dossier: <span data-dossier-title>{dossier.root.title}</span>
        </h2>
        <a href="#/dossiers">all dossiers</a>
      </header>
      <RecordCard record={dossier.root} root />
      <h3>Linked records ({others.length})</h3>
      {others.length ? <div class="records">{others.map((r) => <RecordCard key={r.entity} record={r} />)}</div> : <p class="empty">No other agency's record is linked yet.</p>}
      <h3>Matches ({dossier.matches.length})</h3>
      {dossier.matches.length ? (
        <ul class="matches">
          {dossier.matches.map((m) => (
            <li key={`${m.eventId}-${m.from}-${m.to}`} class="match-row" data-reason={m.match.reason}>
              <a href={dossierHref(m.from)}>{title(m.from)}</a> ↔ <a href={dossierHref(m.to)}>{title(m.to)}</a>: <Match match={m.match} />
              {m.sentence ? <span class="muted small"> ({m.sentence}{m.time ? `, ${formatTime(m.time)}` : ''})</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="empty">No matches.</p>
      )}
      <h3>Timeline ({dossier.timeline.length})</h3>
      <ol class="timeline">
        {dossier.timeline.map((t) => (
          <li key={t.eventId} id={`event-${t.eventId}`} class={`timeline-entry role-${t.role}`} data-event-id={t.eventId}>
            <button type="button" class="feed-summary" onClick={() => setOpen(open === t.eventId ? null : t.eventId)} aria-expanded={open === t.eventId}>
              <time dateTime={t.time}>{formatTime(t.time)}</time>
              <span class={`agency agency-${t.role}`}>{agencyLabel(t.agency, t.role)}</span>
              <span class={tlpClass(t.classification)}>{tlp(t.classification)}</span>
              <span class="type">{typeLabel(t.type)}</span>
              <span class="sentence">{t.sentence}</span>
            </button>
            <p class="cause small" data-cause={t.cause.inTimeline ? 'timeline' : t.cause.seq !== null ? 'feed' : 'unreleased'}>
              {t.cause.inTimeline ? (
                <>
                  caused by{' '}
                  <a href={`#event-${t.cause.eventId}`} onClick={(e) => {
                    e.preventDefault();
                    document.getElementById(`event-${t.cause.eventId}`)?.scrollIntoView({ behavior: 'smooth', block: 'center' });
                  }}>
                    ↑ {t.cause.sentence}
                  </a>
                </>
              ) : t.cause.seq !== null ? (
                <>caused by {t.cause.sentence}</>
              ) : t.cause.eventId === t.correlationId ? (
                <>starts case thread <code>{short(t.correlationId)}</code></>
              ) : (
                <>caused by an event not released to the task force (<code>{short(t.cause.eventId)}</code>)</>
              )}
              <span class="muted"> · thread <code>{short(t.correlationId)}</code></span>
            </p>
            {open === t.eventId ? (
              <div class="feed-details">
                <Payload item={t} />
              </div>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
