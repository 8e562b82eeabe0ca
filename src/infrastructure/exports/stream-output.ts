import type { Writable } from 'node:stream';

/**
 * Writes one chunk and waits while the destination's buffer is full, so that a slow reader (a
 * browser on a slow link) holds back the export instead of letting it pile up in memory. Fails
 * when the destination closed first: an export nobody receives stops there.
 */
export async function put(out: Writable, chunk: string | Buffer): Promise<void> {
  if (out.destroyed || out.writableEnded)
    throw new Error('the destination closed before the export was complete');
  if (out.write(chunk)) return;
  await drained(out);
}

/**
 * Resolves once `stream` can take more. Rejects if it fails or closes first, or if `downstream`
 * (where `stream` ends up, through a zip for instance) fails or closes: then `stream` would
 * never drain.
 */
export function drained(stream: Writable, downstream: Writable = stream): Promise<void> {
  if (stream.destroyed || downstream.destroyed)
    return Promise.reject(new Error('the destination closed before the export was complete'));
  if (!stream.writableNeedDrain) return Promise.resolve();
  const watched = downstream === stream ? [stream] : [stream, downstream];
  return new Promise<void>((resolve, reject) => {
    const settle = (err?: Error): void => {
      stream.off('drain', onDrain);
      for (const s of watched) {
        s.off('error', onError);
        s.off('close', onClose);
      }
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => settle();
    const onError = (err: Error): void => settle(err);
    const onClose = (): void =>
      settle(new Error('the destination closed before the export was complete'));
    stream.on('drain', onDrain);
    for (const s of watched) {
      s.on('error', onError);
      s.on('close', onClose);
    }
  });
}

/** Resolves when everything written has been flushed, rejects on an error. */
export function finished(out: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.once('finish', () => resolve());
    out.end();
  });
}
