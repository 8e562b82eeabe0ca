import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { isLocalDate, type LocalDate } from '../../domain/calendar/local-date.js';
import type { PersonRef } from '../../domain/identity.js';
import type { InferredField } from '../../domain/procedure/procedure.js';
import { normaliseVersion } from '../../domain/procedure/semantic-version.js';

/**
 * One procedure document as Rectify's libraries keep them: markdown with YAML front matter
 * (uuid, title, version_name, version_date, version_changelog, optionally doc_id, draft and
 * training), like the ISMS procedures in the seed. The doc id may also be read from the body's
 * "Doc ID:" line or the title ("ISMSP02 - ...").
 */
export interface ProcedureDocument {
  readonly uuid: string | null;
  readonly docId: string | null;
  readonly title: string;
  readonly versionName: string;
  readonly versionDate: LocalDate | null;
  readonly changelog: string;
  readonly published: boolean;
  /** `training:` in the front matter: who is trained when this revision is published. */
  readonly training: readonly PersonRef[];
  /** `keywords:`, `author:`, `manager:` and `additional_path:` where the document gives them. */
  readonly keywords: readonly string[];
  readonly author: string | null;
  readonly manager: string | null;
  readonly additionalPaths: readonly string[];
  /** False for plain markdown: outside a document folder such a file is not a document. */
  readonly hasFrontMatter: boolean;
  readonly inferred: readonly InferredField[];
  /** What was wrong but did not stop the document from being read. */
  readonly warnings: readonly string[];
}

/** What the library knows about the file, for the fields the document leaves out. */
export interface DocumentHints {
  /** From the file name (V2.md -> 2) or the library's version label (2.0). */
  readonly version: { readonly value: string; readonly from: string } | null;
  readonly date: { readonly value: LocalDate; readonly from: string } | null;
  readonly title: string;
}

export type DocumentReading =
  | { readonly ok: true; readonly document: ProcedureDocument }
  | { readonly ok: false; readonly reason: string };

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;
const DOC_ID_LINE = /^\s*[*-]?\s*Doc(?:ument)?\s*ID\s*:\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*$/im;
const TITLE_DOC_ID = /^\s*([A-Z][A-Z0-9]*[-_]?[A-Z0-9]*\d+)\s*[-–:]\s+/;
const HEADING = /^#\s+(.+?)\s*#*\s*$/m;

const TraineeSchema = z.object({
  id: z.string().trim().min(1).max(128),
  name: z.string().trim().min(1).max(256),
});

const text = (v: unknown): string | null => {
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
};

const dateOf = (v: unknown): LocalDate | null => {
  if (v instanceof Date && !Number.isNaN(v.getTime()))
    return v.toISOString().slice(0, 10) as LocalDate;
  const s = text(v);
  if (s === null) return null;
  const day = s.slice(0, 10);
  return isLocalDate(day) && (s.length === 10 || /^[T ]/.test(s.slice(10))) ? day : null;
};

/** A list of short texts (`keywords:`), or one text given alone; anything else is dropped. */
const texts = (v: unknown): string[] =>
  (Array.isArray(v) ? v : [v]).map(text).filter((t): t is string => t !== null);

export function parseProcedureDocument(source: string, hints: DocumentHints): DocumentReading {
  const warnings: string[] = [];
  const inferred: InferredField[] = [];
  let meta: Record<string, unknown> = {};
  let body = source;
  const fm = FRONT_MATTER.exec(source);
  if (!fm) {
    if (/^\uFEFF?---/.test(source))
      return { ok: false, reason: 'front matter opened with --- but never closed' };
    warnings.push('no front matter: every field inferred');
  } else {
    body = source.slice(fm[0].length);
    let parsed: unknown;
    try {
      parsed = parseYaml(fm[1] ?? '', { prettyErrors: true, uniqueKeys: true });
    } catch (e) {
      const where = e instanceof YAMLParseError ? ` at line ${(e.linePos?.[0].line ?? 0) + 1}` : '';
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      return { ok: false, reason: `broken YAML front matter${where}: ${why ?? ''}` };
    }
    if (parsed === null || parsed === undefined) warnings.push('empty front matter');
    else if (typeof parsed !== 'object' || Array.isArray(parsed))
      return { ok: false, reason: 'the front matter is not a set of fields' };
    else meta = parsed as Record<string, unknown>;
  }

  const title =
    text(meta.title) ??
    (() => {
      const heading = HEADING.exec(body)?.[1]?.trim();
      inferred.push({ field: 'title', from: heading ? 'first heading' : 'file name' });
      return heading ?? hints.title;
    })();

  // The seed's format names the doc id in the body and the title rather than the front matter.
  const docId =
    text(meta.doc_id) ??
    text(meta.docId) ??
    DOC_ID_LINE.exec(body)?.[1] ??
    TITLE_DOC_ID.exec(title)?.[1] ??
    null;

  const uuid = text(meta.uuid);

  let versionName: string | null = null;
  const givenVersion = text(meta.version_name);
  if (givenVersion !== null) {
    versionName = normaliseVersion(givenVersion);
    if (versionName === null) warnings.push(`version_name "${givenVersion}" is not a version`);
  }
  if (versionName === null) {
    const fallback = hints.version ? normaliseVersion(hints.version.value) : null;
    if (!hints.version || fallback === null)
      return { ok: false, reason: 'no version_name and none can be inferred' };
    versionName = fallback;
    inferred.push({ field: 'versionName', from: hints.version.from });
  }

  let versionDate = dateOf(meta.version_date);
  if (versionDate === null) {
    if (meta.version_date !== undefined && meta.version_date !== null)
      warnings.push(`version_date ${JSON.stringify(meta.version_date)} is not a date`);
    const docDate = dateOf(meta.date);
    if (docDate !== null) {
      versionDate = docDate;
      inferred.push({ field: 'versionDate', from: 'the document date (date:)' });
    } else if (hints.date) {
      versionDate = hints.date.value;
      inferred.push({ field: 'versionDate', from: hints.date.from });
    } else inferred.push({ field: 'versionDate', from: 'nowhere: unknown' });
  }

  const changelog = text(meta.version_changelog);
  if (changelog === null) inferred.push({ field: 'changelog', from: 'nowhere: empty' });

  const training: PersonRef[] = [];
  if (meta.training !== undefined && meta.training !== null) {
    if (!Array.isArray(meta.training)) warnings.push('training: is not a list of {id, name}');
    else
      (meta.training as unknown[]).forEach((entry, i) => {
        const person = TraineeSchema.safeParse(entry);
        if (person.success) training.push(person.data);
        else warnings.push(`training entry ${i + 1} needs an id and a name`);
      });
  }

  const draft = meta.draft === true || meta.draft === 'true';
  return {
    ok: true,
    document: {
      keywords: texts(meta.keywords),
      author: text(meta.author),
      manager: text(meta.manager),
      additionalPaths: texts(meta.additional_path),
      hasFrontMatter: fm !== null,
      uuid,
      docId,
      title,
      versionName,
      versionDate,
      changelog: changelog ?? '',
      published: !draft,
      training,
      inferred,
      warnings,
    },
  };
}

/** The problem text for the fields a document did not give. */
export const describeInferred = (inferred: readonly InferredField[]): string =>
  `inferred ${inferred.map((f) => `${f.field} from ${f.from}`).join(', ')}`;
