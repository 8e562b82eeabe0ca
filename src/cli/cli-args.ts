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

/** True when the arguments ask for help; the usage is then written to stdout. */
export function answeredHelp(argv: readonly string[], usage: string): boolean {
  if (!argv.includes('--help') && !argv.includes('-h')) return false;
  process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
  return true;
}

/**
 * For a command that takes no arguments (or up to `maxPositionals` words): answers `--help` and
 * refuses anything else, exiting at once; otherwise answers the words.
 */
export function commandWithoutOptions(usage: string, maxPositionals = 0): string[] {
  const argv = process.argv.slice(2);
  if (answeredHelp(argv, usage)) process.exit(0);
  const options = argv.filter((a) => a.startsWith('-'));
  const words = argv.filter((a) => !a.startsWith('-'));
  if (options.length > 0 || words.length > maxPositionals) {
    const what = options[0]
      ? `unknown option '${options[0]}'`
      : `unexpected '${words[maxPositionals] ?? ''}'`;
    process.stderr.write(`${what}\n${usage.endsWith('\n') ? usage : `${usage}\n`}`);
    process.exit(2);
  }
  return words;
}
