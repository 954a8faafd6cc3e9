import type { JSX } from 'preact';
import { countryName, dossierHref, entityLabel, percent, short } from './format';
import type { FeedItem, MatchInfo, PersonView } from './types';

/** A person as the task force was given them: in full, or redacted / erased with their pseudonym. Never fails on a shape it does not know. */
export function Person({ view, label }: { view: PersonView; label?: string }): JSX.Element {
  const nationality = view.nationality ? <span class="muted"> · {countryName(view.nationality)}</span> : null;
  if (view.state !== 'disclosed') {
    return (
      <span class="person" data-person-state={view.state}>
        {label ? <span class="field-name">{label}: </span> : null}
        <span class={`badge badge-${view.state}`}>{view.state}</span>
        {view.ref ? (
          <span class="pseudonym" title={`pseudonymous person record ${view.ref}${view.digest ? `; commitment ${view.digest}` : ''}`}>
            {' '}pseudonym {short(view.ref)}
          </span>
        ) : null}
        {nationality}
      </span>
    );
  }
  return (
    <span class="person" data-person-state="disclosed">
      {label ? <span class="field-name">{label}: </span> : null}
      <strong>{view.name}</strong>
      {view.aliases?.length ? <span class="muted"> (alias {view.aliases.join(', ')})</span> : null}
      {view.birthDate ? <span class="muted"> · born {view.birthDate}</span> : null}
      {nationality}
      {view.passports?.length ? <span class="muted"> · passport {view.passports.map((p) => `${p.number} (${p.country})`).join(', ')}</span> : null}
    </span>
  );
}

export function Match({ match }: { match: MatchInfo }): JSX.Element {
  return (
    <span class="match">
      <span class="badge">{match.reason.replace(/-/g, ' ')}</span> <strong>{percent(match.score)}</strong>
      {match.explanation ? <span class="muted"> — {match.explanation}</span> : null}
      {!match.explanation && match.withheld ? (
        <span class="muted">
          {' '}— explanation <span class={`badge badge-${match.withheld}`}>{match.withheld}</span>
        </span>
      ) : null}
    </span>
  );
}

const PERSON_FIELD = /^(person|traveller|persons\[\d+\])$/;

function isRef(value: unknown): value is { agency: string; id: string; eventId?: string } {
  return typeof value === 'object' && value !== null && typeof (value as { agency?: unknown }).agency === 'string' && typeof (value as { id?: unknown }).id === 'string';
}

function isMatch(value: unknown): value is MatchInfo {
  return typeof value === 'object' && value !== null && typeof (value as MatchInfo).reason === 'string' && typeof (value as MatchInfo).score === 'number';
}

/** A match as received: a withheld explanation keeps only its marker (its ref and digest are not for the page). */
function asMatch(value: MatchInfo & { withheld?: unknown }): MatchInfo {
  return { reason: value.reason, score: value.score, ...(typeof value.explanation === 'string' ? { explanation: value.explanation } : {}), ...(typeof value.withheld === 'string' ? { withheld: value.withheld } : {}) };
}

function Value({ name, value }: { name: string; value: unknown }): JSX.Element {
  if (isMatch(value)) return <Match match={asMatch(value)} />;
  if (isRef(value)) {
    const kind = name === 'suspect' || name === 'alert' || name === 'case' || name === 'rescue' ? name : null;
    const entity = kind ? `${kind}:${value.agency}:${value.id}` : null;
    return entity ? <a href={dossierHref(entity)}>{entityLabel(entity)}</a> : <code>{value.agency}/{short(value.id)}</code>;
  }
  if (Array.isArray(value)) return <span>{value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')}</span>;
  if (typeof value === 'object' && value !== null) return <code>{JSON.stringify(value)}</code>;
  return <span>{String(value)}</span>;
}

/** An event's payload: person parts through <Person>, matches and references readable, the rest as it came. */
export function Payload({ item }: { item: FeedItem }): JSX.Element {
  if (item.withdrawn) {
    return (
      <p class="withdrawn" data-withdrawn="true">
        Withdrawn {item.withdrawn.reason ? `— ${item.withdrawn.reason}` : ''}: the task force no longer holds this event's content.
      </p>
    );
  }
  const fields = Object.entries(item.data).filter(([key]) => key !== 'person' && key !== 'traveller' && key !== 'persons');
  return (
    <dl class="payload">
      {item.persons.map(({ at, view }) => (
        <div key={at} class="payload-row">
          <dt>{PERSON_FIELD.test(at) ? at : 'person'}</dt>
          <dd>
            <Person view={view} />
          </dd>
        </div>
      ))}
      {fields.map(([key, value]) => (
        <div key={key} class="payload-row">
          <dt>{key}</dt>
          <dd>
            <Value name={key} value={value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
