/**
 * The command line, from one definition: Node's own parser (util.parseArgs) reads it and the
 * --help text is generated from the same table, so flags and help never disagree. (meow did the
 * same job but its package-normalising dependencies cost ~20 ms of every start and 128 KiB of
 * bundle; parseArgs is already in Node.)
 */
import {parseArgs} from 'node:util';
import {parseDuration} from '../format.js';

type FlagSpec = {
  type: 'string' | 'boolean';
  shortFlag?: string;
  isMultiple?: boolean;
  /** Shown in --help; `value` names the argument. */
  value?: string;
  description: string;
};

export const flagSpecs = {
  interval: {
    type: 'string',
    value: 'DURATION',
    description: 'poll every DURATION: 500ms, 2s (at least 100ms; default 1s)',
  },
  all: {type: 'boolean', description: 'show sockets in all states, not only listeners'},
  json: {type: 'boolean', description: 'print one snapshot as JSON and exit'},
  url: {
    type: 'string',
    value: 'URL',
    description: "open the Request pane filled in: a URL or a whole curl command ('curl -H …')",
  },
  noColor: {type: 'boolean', description: 'no colours (NO_COLOR set does the same)'},
  procRoot: {
    type: 'string',
    value: 'DIR',
    description: 'read /proc from DIR (a host /proc mounted in a container)',
  },
  sysRoot: {type: 'string', value: 'DIR', description: 'read /sys from DIR'},
  source: {
    type: 'string',
    value: 'NAME',
    description:
      'sockets from auto, proc or systeminformation (default auto; proc with --proc-root)',
  },
  method: {
    type: 'string',
    shortFlag: 'X',
    value: 'METHOD',
    description: "with --url: the request method (default GET, or the command's)",
  },
  timeout: {
    type: 'string',
    value: 'SECONDS',
    description: 'with --url: give up a request after SECONDS (default 30)',
  },
  host: {
    type: 'string',
    isMultiple: true,
    value: 'HOST',
    description: 'watch HOST too, over ssh: a name from ~/.ssh/config or user@addr:port (repeat)',
  },
  hostsFile: {type: 'string', value: 'FILE', description: 'watch the hosts in FILE, one a line'},
  sshConfig: {
    type: 'string',
    value: 'FILE',
    description: 'the ssh config file for the hosts (as ssh -F)',
  },
  noLocal: {type: 'boolean', description: 'with hosts: leave this machine out'},
  help: {type: 'boolean', shortFlag: 'h', description: 'show this help'},
  version: {type: 'boolean', shortFlag: 'v', description: 'print the version'},
} satisfies Record<string, FlagSpec>;

type FlagName = keyof typeof flagSpecs;

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => '-' + letter.toLowerCase());
}

function flagLine(name: string, spec: FlagSpec): string {
  const short = spec.shortFlag ? `-${spec.shortFlag}, ` : '    ';
  const usage = `${short}--${kebab(name)}${spec.value ? ' ' + spec.value : ''}`;
  return `    ${usage.padEnd(30)} ${spec.description}`;
}

export function helpText(): string {
  const entries = Object.entries(flagSpecs) as Array<[FlagName, FlagSpec]>;
  return [
    'porthole: addresses, sockets and HTTP requests of this machine (and others, over ssh), live in the terminal',
    '',
    'Usage',
    '  porthole [options]                   the dashboard (a plain snapshot when stdout is not a terminal)',
    '  porthole --json                      one snapshot as JSON',
    '  porthole --host web-1 --host db-1    this machine and those hosts, over ssh (nothing installed there)',
    '  porthole --url URL [-X METHOD]       the dashboard with the Request pane filled in',
    '  porthole --url "curl … URL"          the same from a whole curl command',
    '  porthole request [curl options] URL  one request as curl makes it, timed',
    '                                       (porthole request --help lists the curl options)',
    "  porthole request --via HOST URL      the same from HOST's side, through ssh (a URL on its 127.0.0.1)",
    '  porthole request ws://HOST/PATH      a WebSocket as websocat: stdin lines out, messages in;',
    '                                       an event stream (or -N, a live body) printed as it comes',
    '  porthole explain WORD…               what an address, socket state, reach, status code, method',
    '                                       or header means (i in the dashboard: the selected one)',
    '  porthole completions bash|zsh|fish   a completion script for the shell',
    '',
    'Options',
    ...entries.map(([name, spec]) => flagLine(name, spec)),
    '',
    'Keys: press ? in the dashboard.',
  ].join('\n');
}

export type Command =
  | {kind: 'help'}
  | {kind: 'version'}
  | {
      kind: 'dashboard';
      fleet: FleetFlags;
      timeoutSeconds: number | undefined;
      intervalMs: number | undefined;
      all: boolean;
      url: string | undefined;
      method: string | undefined;
      color: boolean;
      procRoot: string | undefined;
      sysRoot: string | undefined;
      source: SocketSourceChoice;
    }
  | {
      kind: 'json';
      fleet: FleetFlags;
      procRoot: string | undefined;
      sysRoot: string | undefined;
      source: SocketSourceChoice;
    }
  | {
      kind: 'plain';
      fleet: FleetFlags;
      all: boolean;
      procRoot: string | undefined;
      sysRoot: string | undefined;
      source: SocketSourceChoice;
    }
  | {
      kind: 'request';
      /** Everything after `request`, for the curl reader. */
      args: string[];
    }
  | {
      kind: 'explain';
      /** The words to explain, as typed. */
      words: string[];
    }
  | {
      kind: 'completions';
      /** The shell asked for (bash, zsh, fish), and anything after it, as typed. */
      words: string[];
    };

export type SocketSourceChoice = 'auto' | 'proc' | 'systeminformation';

/** The hosts asked for on the command line (the config file may add more). */
export type FleetFlags = {
  hosts: string[];
  hostsFile: string | undefined;
  sshConfig: string | undefined;
  noLocal: boolean;
};

/** A command line that cannot be run: one line for the person, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const minimumIntervalMs = 100;

export function parseInterval(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new UsageError(`--interval: expected a duration like 500ms or 2s, got "${text}"`);
  if (ms < minimumIntervalMs)
    throw new UsageError(`--interval: at least ${minimumIntervalMs}ms, got "${text}"`);
  return ms;
}

/** Reads argv into one command; throws UsageError for anything that cannot run. */
export function parseCommand(argv: string[], stdoutIsTTY: boolean): Command {
  // curl's options are not porthole's: the request command reads its own arguments, as curl does.
  if (argv[0] === 'request') return {kind: 'request', args: argv.slice(1)};
  // Words to explain may look like flags (`-`, `--`) or anything else: they are not porthole's.
  if (argv[0] === 'explain') return {kind: 'explain', words: argv.slice(1)};
  if (argv[0] === 'completions') return {kind: 'completions', words: argv.slice(1)};
  const options = Object.fromEntries(
    Object.entries(flagSpecs).map(([name, spec]: [string, FlagSpec]) => [
      kebab(name),
      {
        type: spec.type,
        multiple: Boolean(spec.isMultiple),
        ...(spec.shortFlag ? {short: spec.shortFlag} : {}),
      },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({args: argv, options, strict: true, allowPositionals: true, tokens: true});
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      message.split('\n')[0]?.replace(/\. To specify a positional.*$/, '') ?? message,
    );
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    const spec = (flagSpecs as Record<string, FlagSpec>)[camel(token.name)];
    if (seen.has(token.name) && !spec?.isMultiple) {
      throw new UsageError(`--${token.name} can only be given once`);
    }
    seen.add(token.name);
  }
  const flags = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const text = (name: FlagName) => {
    const value = flags[kebab(name)];
    return typeof value === 'string' ? value : undefined;
  };
  const on = (name: FlagName) => flags[kebab(name)] === true;
  const input = parsed.positionals;
  if (on('help')) return {kind: 'help'};
  if (on('version')) return {kind: 'version'};

  // A /proc named on the command line is the one to read; falling back to systeminformation would
  // quietly list the sockets of wherever porthole runs instead.
  const source = (text('source') ??
    (text('procRoot') === undefined ? 'auto' : 'proc')) as SocketSourceChoice;
  if (!['auto', 'proc', 'systeminformation'].includes(source)) {
    throw new UsageError(`--source: expected auto, proc or systeminformation, got "${source}"`);
  }
  const roots = {procRoot: text('procRoot'), sysRoot: text('sysRoot'), source};
  const [command] = input;
  const timeout = text('timeout');
  const timeoutSeconds = timeout === undefined ? undefined : Number(timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0 && Number.isFinite(timeoutSeconds))) {
    throw new UsageError(`--timeout: expected a number of seconds, got "${timeout}"`);
  }

  if (command === 'request') {
    throw new UsageError('request comes first: porthole request [curl options] URL');
  }
  if (command === 'explain') throw new UsageError('explain comes first: porthole explain WORD…');
  if (command !== undefined) throw new UsageError(`unknown command "${command}" (try --help)`);

  const interval = text('interval');
  const intervalMs = interval === undefined ? undefined : parseInterval(interval);
  const hosts = flags.host;
  const fleet: FleetFlags = {
    hosts: Array.isArray(hosts) ? hosts : [],
    hostsFile: text('hostsFile'),
    sshConfig: text('sshConfig'),
    noLocal: on('noLocal'),
  };
  if (on('json')) return {kind: 'json', fleet, ...roots};
  if (!stdoutIsTTY) return {kind: 'plain', fleet, all: on('all'), ...roots};
  return {
    kind: 'dashboard',
    fleet,
    intervalMs,
    all: on('all'),
    url: text('url'),
    method: text('method'),
    color: !on('noColor'),
    timeoutSeconds,
    ...roots,
  };
}
