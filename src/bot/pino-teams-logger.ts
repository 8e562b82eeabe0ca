import type { ILogger, LogLevel } from '@microsoft/teams.common';
import type { Logger } from 'pino';

/** The Teams SDK logs through pino, like the rest of Rectify (no console output). */
export function pinoTeamsLogger(logger: Logger): ILogger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error' | 'trace') =>
    (...msg: unknown[]): void => {
      const [first, ...rest] = msg;
      const err = msg.find((m): m is Error => m instanceof Error);
      logger[level](
        {
          sdk: 'teams',
          ...(err ? { err } : {}),
          ...(rest.length > 0 && !err ? { detail: rest } : {}),
        },
        String(first),
      );
    };
  const self: ILogger = {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    trace: write('trace'),
    log: (level: LogLevel, ...msg: unknown[]) => write(level)(...msg),
    child: (name: string) => pinoTeamsLogger(logger.child({ component: name })),
  };
  return self;
}
