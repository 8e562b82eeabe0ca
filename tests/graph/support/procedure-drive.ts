import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { drivesOf, type EmulatedDrive } from '../emulator/drive-routes.js';
import type { GraphEmulator } from '../emulator/graph-emulator.js';

/**
 * A local procedure folder uploaded to a document library of the emulated site, as a person
 * dragging it into SharePoint would: every file at its path, saved at its modification time;
 * folders kept, hidden names and symbolic links left behind.
 */
export function uploadFolderToLibrary(
  emulator: GraphEmulator,
  folder: string,
  libraryName: string,
): EmulatedDrive {
  const drives = drivesOf(emulator);
  const drive = drives.addLibrary(libraryName);
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.')) continue;
      const full = path.join(dir, name);
      const at = rel === '' ? name : `${rel}/${name}`;
      const info = lstatSync(full);
      if (info.isDirectory()) {
        if (readdirSync(full).length === 0) drive.folders.push(at);
        walk(full, at);
      } else if (info.isFile()) drives.save(drive, at, readFileSync(full, 'utf8'), info.mtime);
    }
  };
  walk(folder, '');
  return drive;
}
