import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Every command line of Rectify answers `--help` (or `-h`) with its usage on stdout and exit 0,
 * and an unknown option or a missing value with the reason and its usage on stderr and exit 2.
 */
export type CliArgs<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

export function parseCli<T extends ParseArgsConfig>(
  config: T,
  usage: string,
): { args: CliArgs<T> } | { exit: 0 | 2 } {
  const argv = config.args ?? [];
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
    return { exit: 0 };
  }
  try {
    // Strict whatever the caller says: unknown options are refused.
    if (config.strict === false) throw new Error('parseCli parses strictly');
    return { args: parseArgs(config) };
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
    return { exit: 2 };
  }
}
