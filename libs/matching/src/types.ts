export interface PersonRecord {
  /** Full name as written, any order, e.g. "Mohd Faizal bin Ahmad", "AHMAD, MOHAMMAD FAIZAL". */
  name: string;
  aliases?: string[];
  /** ISO date YYYY-MM-DD when known. */
  birthDate?: string;
  /** ISO 3166-1 alpha-2, e.g. "MY". */
  nationality?: string;
  passports?: { number: string; country?: string }[];
}

export type MatchReason = 'passport' | 'name-and-birth-date';

export interface Match {
  reason: MatchReason;
  /** 0..1; passport 1.0; name+birth date from 0.95 (exact after normalisation) down by 0.05 per typo / transliteration step, never below 0.7. */
  score: number;
  /** A sentence a border officer can read: which passport matched, or which name tokens matched how, the alias used if any, and that birth dates agree. */
  explanation: string;
}
