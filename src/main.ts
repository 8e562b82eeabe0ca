import { loadConfig } from './config.js';
import { isRectifyError } from './domain/errors.js';
import { startRectify } from './server.js';

/** `npm start`: reads the environment once, starts Rectify, stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const running = await startRectify(config);
  const stop = (signal: string): void => {
    running.logger.info({ signal }, 'stopping');
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        running.logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  const message = isRectifyError(err) || err instanceof Error ? err.message : String(err);
  process.stderr.write(`Rectify did not start: ${message}\n`);
  process.exit(1);
});
