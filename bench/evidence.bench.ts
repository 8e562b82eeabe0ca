import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { createGraphConnection } from '../src/infrastructure/graph/graph-client.js';
import {
  CHUNK_BYTES,
  SharePointEvidenceStore,
} from '../src/infrastructure/graph/sharepoint-evidence-store.js';
import type { Bench } from './bench-report.js';

/**
 * A 20 MB evidence upload to the SharePoint library through an upload session (the emulator
 * in its own process), against copying the same file on disk as a stream, in the same run:
 * time, and the peak of memory held (heap and buffers) above what was held before.
 * Target: the upload holds memory bounded by its fragment size, not by the file's size.
 */
const SIZE = 20 * 1024 * 1024;
const MB = 1024 * 1024;

const held = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

// A full collection on demand, so that what is measured is memory still held, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The file read as a stream, collecting and sampling what is held every megabyte read. */
async function* sampled(file: string, onSample: (bytes: number) => void): AsyncIterable<Buffer> {
  let read = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    read += chunk.length;
    if (read % MB < chunk.length) {
      gc();
      onSample(held());
    }
    yield chunk;
  }
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** The most memory held above the start while `work` reads the file through `read`. */
async function peakHeld(
  work: (read: () => AsyncIterable<Buffer>) => Promise<void>,
  file: string,
): Promise<number> {
  gc();
  const before = held();
  let peak = before;
  await work(() =>
    sampled(file, (bytes) => {
      peak = Math.max(peak, bytes);
    }),
  );
  return (peak - before) / MB;
}

const bench: Bench = async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rectify-bench-evidence-'));
  const source = path.join(dir, 'evidence.pdf');
  const bytes = randomBytes(SIZE);
  writeFileSync(source, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(path.dirname(new URL(import.meta.url).pathname), 'evidence-emulator.ts'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', () => {
        reject(new Error('the emulator stopped'));
      });
    });
    const { url, driveId } = JSON.parse(line) as { url: string; driveId: string };
    const store = new SharePointEvidenceStore(
      createGraphConnection({ baseUrl: url, accessToken: () => Promise.resolve('bench') }),
      { driveId },
    );
    const copyTo = (read: () => AsyncIterable<Buffer>) =>
      pipeline(read(), createWriteStream(path.join(dir, 'copy.pdf')));
    let n = 0;
    const uploadFrom = async (read: () => AsyncIterable<Buffer>) => {
      n += 1;
      await store.put(
        `car-bench-${n}`,
        { sha256, name: 'evidence.pdf', type: 'application/pdf', size: SIZE },
        read,
      );
    };
    const copy = {
      ms: await timed(() => copyTo(() => createReadStream(source))),
      peakMb: await peakHeld(copyTo, source),
    };
    const upload = {
      ms: await timed(() => uploadFrom(() => createReadStream(source))),
      peakMb: await peakHeld(uploadFrom, source),
    };
    return {
      name: 'evidence: a 20 MB upload through a SharePoint upload session',
      baselineName: 'the same file copied on disk as a stream',
      rows: [
        { metric: 'time', value: upload.ms, unit: 'ms', baseline: copy.ms },
        {
          metric: 'peak memory held (after collection, sampled every MB)',
          value: upload.peakMb,
          unit: 'MB',
          baseline: copy.peakMb,
        },
        {
          metric: 'peak memory held per fragment (fragment 3.125 MB)',
          value: upload.peakMb / (CHUNK_BYTES / MB),
          unit: 'fragments',
          baseline: 1,
          target: 3,
        },
        { metric: 'file size in fragments', value: SIZE / CHUNK_BYTES, unit: 'fragments' },
      ],
    };
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
