/**
 * `npm run review-pack -- --meeting 2026-12-03 --out pack.pdf [--db <file>]`: writes the
 * management-review pack of a meeting from the embedded store, read-only, beside a running
 * Rectify. Exit 0 = written, 2 = could not (bad arguments, no such store). The time zone and
 * the default store come from the usual configuration (TIME_ZONE, DATA_DIR).
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { answeredHelp } from './cli-args.js';
import { lastMeetingBefore, listMeetings } from '../application/committee/meetings.js';
import { carsInRepository } from '../application/exports/car-source.js';
import { collectReviewPack, reviewPackDocument } from '../application/exports/review-pack.js';
import { loadConfig } from '../config.js';
import { dateInZone, isLocalDate } from '../domain/calendar/local-date.js';
import { sealFor, type AuditSeal } from '../infrastructure/audit/audit-seal.js';
import { renderPdf } from '../infrastructure/exports/pdf-renderer.js';
import { openDatabaseReadOnly, type Database } from '../infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../infrastructure/sqlite/sqlite-car-repository.js';
import { SqliteStateStore } from '../infrastructure/sqlite/sqlite-state-store.js';

const USAGE = 'usage: npm run review-pack -- --meeting YYYY-MM-DD --out <file.pdf> [--db <file>]\n';

const fail = (message: string): number => {
  process.stderr.write(`${message}\n`);
  return 2;
};

const hasTable = (db: Database, name: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !==
  undefined;

async function run(argv: readonly string[]): Promise<number> {
  if (answeredHelp(argv, USAGE)) return 0;
  let meeting: string;
  let out: string;
  let dbFile: string | undefined;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        meeting: { type: 'string' },
        out: { type: 'string' },
        db: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (!values.meeting || !values.out) return fail(`--meeting and --out are required\n${USAGE}`);
    meeting = values.meeting;
    out = values.out;
    dbFile = values.db;
  } catch (e) {
    return fail(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  if (!isLocalDate(meeting)) return fail(`--meeting ${meeting}: a date reads YYYY-MM-DD`);

  let timeZone: string;
  let defaultDb: string;
  let seal: AuditSeal;
  try {
    const config = loadConfig();
    timeZone = config.timeZone;
    defaultDb = config.databaseFile;
    seal = sealFor(config.audit);
  } catch (e) {
    return fail(`the configuration is not valid: ${e instanceof Error ? e.message : String(e)}`);
  }

  let db: Database;
  try {
    db = openDatabaseReadOnly(dbFile ?? defaultDb);
  } catch (e) {
    return fail(`cannot read the store: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Written next to the target and renamed at the end: a failure never leaves half a PDF.
  const partial = `${out}.partial`;
  try {
    const now = new Date();
    const repository = new SqliteCarRepository(db, { seal, checkpointDir: null, readOnly: true });
    // Without meeting records (none kept yet), the last meeting comes from committee reviews.
    const kept = hasTable(db, 'state_records') ? await listMeetings(new SqliteStateStore(db)) : [];
    const meetings = kept.length > 0 ? kept : null;
    const pack = await collectReviewPack(carsInRepository(repository, dateInZone(now, timeZone)), {
      meetingDate: meeting,
      meetingTitle: meetings?.find((m) => m.date === meeting)?.title || null,
      lastMeetingDate: meetings ? (lastMeetingBefore(meetings, meeting)?.date ?? null) : undefined,
      timeZone,
      asOf: dateInZone(now, timeZone),
      generatedAt: now.toISOString(),
      generatedBy: 'the review-pack command',
    });
    await renderPdf(reviewPackDocument(pack), createWriteStream(partial), { createdAt: now });
    renameSync(partial, out);
    process.stdout.write(
      `review pack of ${meeting} written to ${out}: ${pack.cars.size} CARs on the agenda\n`,
    );
    return 0;
  } catch (e) {
    rmSync(partial, { force: true });
    return fail(`cannot write the review pack: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    db.close();
  }
}

process.exitCode = await run(process.argv.slice(2));
