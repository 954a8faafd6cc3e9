const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

export function countryName(code: string): string {
  if (!/^[A-Z]{2}$/.test(code)) return code;
  try {
    return regions.of(code) ?? code;
  } catch {
    return code;
  }
}

const ROLE_LABELS: Record<string, string> = { police: 'Police', immigration: 'Immigration', 'foreign-ministry': 'Foreign ministry' };

export function agencyLabel(agency: string, role?: string): string {
  const label = ROLE_LABELS[role ?? agency] ?? agency;
  return role && agency !== role ? `${label} (${agency})` : label;
}

/** `intel.immigration.border-alert-raised` -> `border alert raised`. */
export function typeLabel(type: string): string {
  return (type.split('.').pop() ?? type).replace(/-/g, ' ');
}

const dateTime = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC' });

/** Times are shown in UTC, as the agencies record them, so everyone reads the same. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${dateTime.format(d)} UTC`;
}

/** TLP 2.0 label as shown: "TLP:AMBER+STRICT". */
export function tlp(classification: string): string {
  return `TLP:${classification}`;
}

/** A CSS class per TLP label (colours as FIRST defines them, on a dark chip). */
export function tlpClass(classification: string): string {
  return `tlp tlp-${classification.toLowerCase().replace('+', '-')}`;
}

/** The last characters of an id: UUIDv7s begin with their time, so their ends tell them apart. */
export const short = (id: string, n = 8) => id.slice(-n);

/** `suspect:police:<uuid>` -> the dossier link `#/dossier/suspect/police/<uuid>`. */
export function dossierHref(entity: string): string {
  const [kind, agency, id] = entity.split(':');
  return `#/dossier/${kind}/${agency}/${id}`;
}

export function entityLabel(entity: string): string {
  const [kind, agency, id] = entity.split(':');
  return `${kind} ${short(id ?? '')} (${agency})`;
}

export const percent = (score: number) => `${Math.round(score * 100)}%`;
