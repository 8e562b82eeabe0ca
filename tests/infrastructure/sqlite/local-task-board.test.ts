import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../../src/infrastructure/sqlite/database.js';
import { LocalTaskBoard } from '../../../src/infrastructure/sqlite/local-task-board.js';
import { describeTaskBoardContract } from '../../contract/task-board.contract.js';

describeTaskBoardContract('LocalTaskBoard on a SQLite file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rectify-board-'));
  const db = openDatabase(path.join(dir, 'rectify.db'));
  const board = new LocalTaskBoard(db, { pageSize: 3 });
  return Promise.resolve({
    board,
    completeAs: (taskId: string, personId: string) => {
      const task = board.getTaskNow(taskId);
      board.updateTaskAs(taskId, task.etag, { percentComplete: 100 }, personId);
      return Promise.resolve();
    },
    bucketNames: () =>
      Promise.resolve(
        db
          .prepare<[], { name: string }>('SELECT name FROM board_buckets')
          .all()
          .map((r) => r.name),
      ),
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
});
