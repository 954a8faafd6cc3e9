import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, tokens, whenUnauthorised } from './api';
import { Dashboards } from './dashboards';
import { Dossier, Subjects } from './dossier';
import { Feed } from './feed';
import type { FeedFilter, Problem, Session } from './types';

type Route = { page: 'feed'; filter: FeedFilter } | { page: 'dashboards' } | { page: 'dossiers'; kind: string; q: string } | { page: 'dossier'; entity: string };

/** Hash routes: #/feed?agency=police, #/dashboards, #/dossiers?kind=suspect&q=..., #/dossier/<kind>/<agency>/<id>. */
export function parseRoute(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'dashboards') return { page: 'dashboards' };
  if (parts[0] === 'dossiers') return { page: 'dossiers', kind: params.get('kind') ?? '', q: params.get('q') ?? '' };
  if (parts[0] === 'dossier' && parts.length === 4) return { page: 'dossier', entity: parts.slice(1).map(decodeURIComponent).join(':') };
  const filter: FeedFilter = {};
  for (const key of ['agency', 'type', 'country', 'marking'] as const) {
    const value = params.get(key);
    if (value) filter[key] = value;
  }
  return { page: 'feed', filter };
}

function feedHash(filter: FeedFilter): string {
  const params = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as [string, string][]);
  const text = params.toString();
  return `#/feed${text ? `?${text}` : ''}`;
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

function Login({ onSession, notice }: { onSession(session: Session): void; notice: Problem | null }): JSX.Element {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<Problem | null>(notice);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const candidate = token.trim().replace(/^Bearer\s+/i, '');
    if (!candidate) return;
    setBusy(true);
    try {
      const session = await getJson<Session>('api/session', candidate);
      tokens.set(candidate);
      onSession(session);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : { type: 'about:blank', title: 'Unreachable', status: 0, detail: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>Task-force console</h1>
      <p>Sign in with a task-force token from your identity provider. In development: <code>npm run -s token -- --agency task-force --user &lt;you&gt; --roles analyst</code></p>
      <form onSubmit={submit}>
        <label for="token">Bearer token</label>
        <textarea id="token" name="token" rows={5} spellcheck={false} autocomplete="off" value={token} onInput={(e) => setToken((e.currentTarget as HTMLTextAreaElement).value)} />
        <button type="submit" disabled={busy || !token.trim()}>
          Sign in
        </button>
      </form>
      {problem ? (
        <p class="problem" role="alert" data-problem={problem.type}>
          {problem.title}: {problem.detail}
        </p>
      ) : null}
    </main>
  );
}

export function App(): JSX.Element {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(Boolean(tokens.get()));
  const [notice, setNotice] = useState<Problem | null>(null);
  const route = useRoute();

  useEffect(() => {
    whenUnauthorised((problem) => {
      tokens.clear();
      setSession(null);
      setNotice(problem);
    });
    if (tokens.get()) {
      getJson<Session>('api/session').then(setSession, (e) => {
        tokens.clear();
        setNotice(e instanceof ApiError ? e.problem : null);
      }).finally(() => setChecking(false));
    }
  }, []);

  if (checking) return <p class="muted">checking your token…</p>;
  if (!session) return <Login notice={notice} onSession={(s) => { setNotice(null); setSession(s); }} />;

  const nav = (page: string, href: string, label: string) => (
    <a href={href} class={route.page === page || (page === 'dossiers' && route.page === 'dossier') ? 'active' : ''}>
      {label}
    </a>
  );
  return (
    <div class="shell">
      <header class="top">
        <h1>Interlink · Task force</h1>
        <nav>
          {nav('feed', '#/feed', 'Live feed')}
          {nav('dashboards', '#/dashboards', 'Dashboards')}
          {nav('dossiers', '#/dossiers', 'Dossiers')}
        </nav>
        <span class="user" data-user={session.user}>
          {session.user} · {session.agency} · {session.roles.join(', ')}
          <button
            type="button"
            class="link"
            onClick={() => {
              tokens.clear();
              setSession(null);
            }}
          >
            sign out
          </button>
        </span>
      </header>
      <main>
        {route.page === 'feed' ? <Feed filter={route.filter} onFilter={(f) => (location.hash = feedHash(f))} /> : null}
        {route.page === 'dashboards' ? <Dashboards /> : null}
        {route.page === 'dossiers' ? (
          <Subjects kind={route.kind} q={route.q} onSearch={(kind, q) => (location.hash = `#/dossiers?${new URLSearchParams({ ...(kind ? { kind } : {}), ...(q ? { q } : {}) })}`)} />
        ) : null}
        {route.page === 'dossier' ? <Dossier entity={route.entity} /> : null}
      </main>
      <footer class="muted small">Shown: only what partner agencies released to {session.agency}. Personal data appears as released: redacted or erased parts keep only a pseudonym.</footer>
    </div>
  );
}
