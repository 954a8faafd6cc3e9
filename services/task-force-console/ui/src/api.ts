import type { Problem } from './types';

const TOKEN_KEY = 'interlink.console.token';

/** The bearer token lives for the browser tab only (sessionStorage), never in a cookie or the URL. */
export const tokens = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An API answer other than 2xx, with the problem the service described. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
  }

  get status(): number {
    return this.problem.status;
  }
}

let onUnauthorised: (problem: Problem) => void = () => undefined;

/** Called when the service refuses the token (401): the page goes back to the sign-in form. */
export function whenUnauthorised(handler: (problem: Problem) => void): void {
  onUnauthorised = handler;
}

export async function readProblem(res: Response): Promise<Problem> {
  try {
    const body = (await res.json()) as Partial<Problem>;
    return { type: body.type ?? 'about:blank', title: body.title ?? res.statusText, status: body.status ?? res.status, detail: body.detail ?? res.statusText, ...(body.errors ? { errors: body.errors } : {}) };
  } catch {
    return { type: 'about:blank', title: res.statusText, status: res.status, detail: `the service answered ${res.status} ${res.statusText}` };
  }
}

/** GET a JSON resource of the console's API with the signed-in user's token. */
export async function getJson<T>(path: string, token = tokens.get()): Promise<T> {
  const res = await fetch(path, { headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) } });
  if (!res.ok) {
    const problem = await readProblem(res);
    if (res.status === 401) onUnauthorised(problem);
    throw new ApiError(problem);
  }
  return (await res.json()) as T;
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
