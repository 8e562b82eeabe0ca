/**
 * The Graph emulator with the "Rectify Evidence" library, in its own process for
 * bench/evidence.bench.ts, so that the bytes it keeps do not count in the uploader's memory.
 * Prints one JSON line: { url, driveId }.
 */
import { GraphEmulator } from '../tests/graph/emulator/graph-emulator.js';
import { addUploadLibrary } from '../tests/graph/emulator/upload-routes.js';

const emulator = new GraphEmulator();
const url = await emulator.listen();
const library = addUploadLibrary(emulator, 'Rectify Evidence');
process.stdout.write(`${JSON.stringify({ url, driveId: library.driveId })}\n`);
process.once('SIGTERM', () => {
  void emulator.close().then(() => process.exit(0));
});
