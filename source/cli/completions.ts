/**
 * `porthole completions bash|zsh|fish`: a completion script for the shell, made from the flag table
 * that `--help` is made from (source/cli/flags.ts), the request command's curl options and its own,
 * and the words `porthole explain` knows. The man page (man-page.ts) reads the same tables.
 */
import {explain} from '../explain/lookup.js';
import {headerTexts, statusClassNames} from '../explain/http-texts.js';
import {
  kindTexts,
  reachTexts,
  socketWordTexts,
  stackTexts,
  verdictTexts,
} from '../explain/network-texts.js';
import {socketStates} from '../model.js';
import {curlOptionHelp} from '../request/curl/index.js';
import {transcriptLayers} from '../request/transcript.js';
import {httpMethods} from '../request/types.js';
import {sanitizeLine} from '../sanitize.js';
import {version} from '../version.js';
import {flagSpecs} from './flags.js';
import {ownOptionHelp} from './request-command.js';

export type CompletionsIo = {
  stdout: {write(text: string): unknown};
  stderr: {write(text: string): unknown};
};

/** What a shell offers for an option's value. */
export type ValueCompletion =
  | {kind: 'file'}
  | {kind: 'directory'}
  | {kind: 'host'}
  | {kind: 'words'; words: readonly string[]}
  /** A value, but nothing to offer for it (a URL, a duration, a header). */
  | {kind: 'any'};

export type CommandLineOption = {
  long: string;
  short?: string;
  /** The value's name as help shows it; absent for a switch. */
  value?: string;
  description: string;
  /** Given more than once adds up (`--host`, `-H`) rather than being refused or replaced. */
  repeats: boolean;
  complete?: ValueCompletion;
};

export const shells = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof shells)[number];

/** The words that come first on the command line and make it another command. */
export const subcommands = [
  {
    name: 'request',
    usage: '[curl options] URL',
    summary: 'one HTTP request as curl makes it, timed',
  },
  {
    name: 'explain',
    usage: 'WORD…',
    summary: 'what an address, socket state, reach, status code, method or header means',
  },
  {name: 'completions', usage: shells.join('|'), summary: 'print a completion script for a shell'},
] as const;

/** Flags whose value is one of a few words (parseCommand refuses any other). */
const flagChoices: Partial<Record<keyof typeof flagSpecs, readonly string[]>> = {
  source: ['auto', 'proc', 'systeminformation'],
};

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => '-' + letter.toLowerCase());

/** What to offer for a value, from how help names it: FILE, DIR, HOST, METHOD. */
function valueCompletion(value: string | undefined): ValueCompletion | undefined {
  if (value === undefined) return undefined;
  if (value === 'METHOD') return {kind: 'words', words: httpMethods};
  if (value === 'DIR') return {kind: 'directory'};
  if (value === 'HOST') return {kind: 'host'};
  if (/\bFILE\b/.test(value) || value === 'PATH') return {kind: 'file'};
  return {kind: 'any'};
}

/** porthole's own flags, in --help's order. */
export function portholeOptions(): CommandLineOption[] {
  return Object.entries(flagSpecs).map(([name, spec]) => {
    const choices = flagChoices[name as keyof typeof flagSpecs];
    const value = 'value' in spec ? spec.value : undefined;
    return {
      long: kebab(name),
      ...('shortFlag' in spec ? {short: spec.shortFlag} : {}),
      ...(value === undefined ? {} : {value}),
      description: spec.description,
      repeats: 'isMultiple' in spec && spec.isMultiple,
      complete: choices ? {kind: 'words', words: choices} : valueCompletion(value),
    };
  });
}

/** `-X, --request METHOD` as help writes an option, read back into its parts. */
function helpOption({flags, description}: {flags: string; description: string}) {
  const parts = /^(?:-(\S), )?--(\S+)(?: (\S+))?$/.exec(flags);
  if (parts === null) throw new Error(`an option help cannot be read: ${flags}`);
  const [, short, long = '', value] = parts;
  const option: CommandLineOption = {
    long,
    description,
    // curl takes every option again: a list (-H, -d) grows, any other takes the last value.
    repeats: value !== undefined,
    ...(short === undefined ? {} : {short}),
    ...(value === undefined ? {} : {value}),
  };
  const complete = valueCompletion(value);
  return complete ? {...option, complete} : option;
}

/** The options `porthole request` reads: curl's, then porthole's own. */
export function requestOptions(): {curl: CommandLineOption[]; own: CommandLineOption[]} {
  return {curl: curlOptionHelp.map(helpOption), own: ownOptionHelp.map(helpOption)};
}

/** Single words `porthole explain` knows (besides any address and status code), as one types them. */
export function explainWords(): string[] {
  const words = [
    ...socketStates,
    ...statusClassNames,
    ...httpMethods,
    ...Object.keys(kindTexts),
    ...Object.keys(reachTexts),
    ...Object.keys(stackTexts),
    ...Object.keys(verdictTexts),
    ...Object.keys(socketWordTexts),
    ...transcriptLayers.map((layer) => layer.toLowerCase()),
    ...Object.keys(headerTexts),
  ].map((word) => word.replace(/ /g, '-'));
  return [...new Set(words)].filter((word) => explain(word) !== undefined);
}

type Tables = {
  porthole: CommandLineOption[];
  request: CommandLineOption[];
  explain: string[];
};

function tables(): Tables {
  const {curl, own} = requestOptions();
  return {porthole: portholeOptions(), request: [...curl, ...own], explain: explainWords()};
}

/** A word in single quotes for bash and zsh. */
const sh = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** A word in single quotes for fish. */
const fishQuoted = (text: string) => `'${text.replace(/[\\']/g, '\\$&')}'`;

const spellings = (option: CommandLineOption) => [
  ...(option.short === undefined ? [] : [`-${option.short}`]),
  `--${option.long}`,
];

/** The Host names of ~/.ssh/config (no patterns), for `--host` and `--via`. */
const sshConfigHosts = `awk 'tolower($1) == "host" { for (i = 2; i <= NF; i++) if ($i !~ /[*?!]/) print $i }' ~/.ssh/config 2>/dev/null`;

function header(shell: Shell, install: string): string[] {
  return [
    `# ${shell} completion for porthole ${version}, made by \`porthole completions ${shell}\`.`,
    `# Install: ${install}`,
  ];
}

/** `case $prev in …` arms: what to offer after each option that takes a value, alike ones together. */
function bashValueArms(options: CommandLineOption[], indent: string): string[] {
  const arms = new Map<string, string[]>();
  for (const option of options) {
    const complete = option.complete;
    if (complete === undefined) continue;
    const action =
      complete.kind === 'words'
        ? `_porthole_reply "$cur" ${complete.words.map(sh).join(' ')}`
        : `_porthole_value ${complete.kind} "$cur"`;
    arms.set(action, [...(arms.get(action) ?? []), ...spellings(option)]);
  }
  return [...arms].map(
    ([action, names]) => `${indent}${names.map(sh).join('|')}) ${action}; return ;;`,
  );
}

function bashScript({porthole, request, explain: words}: Tables): string {
  const flags = porthole.flatMap(spellings).map(sh).join(' ');
  const curlFlags = request.flatMap(spellings).map(sh).join(' ');
  return [
    ...header(
      'bash',
      'porthole completions bash > ~/.local/share/bash-completion/completions/porthole',
    ),
    '',
    '# The words of "$@" after the first that start with it ($1).',
    '_porthole_reply() {',
    '  local cur=$1 word',
    '  shift',
    '  COMPREPLY=()',
    '  for word in "$@"; do',
    '    [[ $word == "$cur"* ]] && COMPREPLY+=("$word")',
    '  done',
    '}',
    '',
    '_porthole_value() {',
    '  case $1 in',
    '    file) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;',
    '    directory) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$2") ;;',
    '    host)',
    '      local -a hosts',
    `      mapfile -t hosts < <({ ${sshConfigHosts}; compgen -A hostname; } | sort -u)`,
    '      _porthole_reply "$2" "${hosts[@]}" ;;',
    '    *) COMPREPLY=() ;;',
    '  esac',
    '}',
    '',
    '_porthole() {',
    '  local cur=${COMP_WORDS[COMP_CWORD]} prev=',
    '  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}',
    '  if ((COMP_CWORD > 1)); then',
    '    case ${COMP_WORDS[1]} in',
    '      request)',
    '        case $prev in',
    ...bashValueArms(request, '          '),
    '        esac',
    `        [[ $cur == -* ]] && _porthole_reply "$cur" ${curlFlags}`,
    '        return ;;',
    '      explain)',
    `        _porthole_reply "$cur" ${words.map(sh).join(' ')}`,
    '        return ;;',
    '      completions)',
    `        ((COMP_CWORD == 2)) && _porthole_reply "$cur" ${shells.map(sh).join(' ')}`,
    '        return ;;',
    '    esac',
    '  fi',
    '  case $prev in',
    ...bashValueArms(porthole, '    '),
    '  esac',
    '  if [[ $cur == -* ]]; then',
    `    _porthole_reply "$cur" ${flags}`,
    '  elif ((COMP_CWORD == 1)); then',
    `    _porthole_reply "$cur" ${subcommands.map(({name}) => sh(name)).join(' ')}`,
    '  fi',
    '}',
    '',
    'complete -F _porthole porthole',
    '',
  ].join('\n');
}

/** Text in an _arguments spec: its brackets, colons and backslashes quoted. */
const zshSpecText = (text: string) => text.replace(/[\\[\]:]/g, '\\$&');

function zshAction(complete: ValueCompletion): string {
  switch (complete.kind) {
    case 'file':
      return '_files';
    case 'directory':
      return '_files -/';
    case 'host':
      return '_porthole_hosts';
    case 'words':
      return `(${complete.words.join(' ')})`;
    case 'any':
      return ' ';
  }
}

/** One _arguments spec a spelling; `=` where porthole's parser takes --flag=VALUE too. */
function zshSpecs(option: CommandLineOption, equalsForm: boolean): string[] {
  const names = spellings(option);
  const exclusive = option.repeats ? '*' : names.length > 1 ? `(${names.join(' ')})` : '';
  const argument =
    option.value === undefined || option.complete === undefined
      ? ''
      : `:${option.value.replace(/[\\:]/g, '\\$&')}:${zshAction(option.complete)}`;
  return names.map((name) => {
    const takes =
      option.value === undefined ? '' : name.startsWith('--') ? (equalsForm ? '=' : '') : '+';
    return sh(`${exclusive}${name}${takes}[${zshSpecText(option.description)}]${argument}`);
  });
}

function zshScript({porthole, request, explain: words}: Tables): string {
  const continued = (lines: string[], indent: string) => lines.map((line) => `${indent}${line} \\`);
  return [
    '#compdef porthole',
    ...header(
      'zsh',
      'porthole completions zsh > DIR/_porthole, for a DIR on $fpath (then compinit)',
    ),
    '',
    '_porthole_hosts() {',
    '  local -a aliases',
    `  aliases=(\${(f)"$(${sshConfigHosts})"})`,
    '  local ret=1',
    '  (( $#aliases )) && compadd -a aliases && ret=0',
    '  _hosts && ret=0',
    '  return ret',
    '}',
    '',
    '_porthole_commands() {',
    '  local -a commands',
    `  commands=(${subcommands.map(({name, summary}) => sh(`${name}:${summary}`)).join(' ')})`,
    '  _describe -t commands command commands',
    '}',
    '',
    '_porthole() {',
    '  if (( CURRENT > 2 )); then',
    '    case $words[2] in',
    '      (request)',
    '        shift words',
    '        (( CURRENT-- ))',
    '        _arguments -s -S : \\',
    ...continued(
      request.flatMap((option) => zshSpecs(option, false)),
      '          ',
    ),
    "          '*:URL:_urls'",
    '        return ;;',
    '      (explain)',
    `        compadd -- ${words.map(sh).join(' ')}`,
    '        return ;;',
    '      (completions)',
    `        (( CURRENT == 3 )) && compadd -- ${shells.join(' ')}`,
    '        return ;;',
    '    esac',
    '  fi',
    '  _arguments -s -S : \\',
    ...continued(
      porthole.flatMap((option) => zshSpecs(option, true)),
      '    ',
    ),
    "    '1:command:_porthole_commands'",
    '}',
    '',
    // Autoloaded from $fpath this file is the function; sourced, it registers the function.
    'if [[ $funcstack[1] == _porthole ]]; then',
    '  _porthole "$@"',
    'else',
    '  compdef _porthole porthole',
    'fi',
    '',
  ].join('\n');
}

function fishLine(condition: string, option: CommandLineOption): string {
  const parts = ['complete -c porthole', `-n ${fishQuoted(condition)}`];
  if (option.short !== undefined) parts.push(`-s ${fishQuoted(option.short)}`);
  parts.push(`-l ${fishQuoted(option.long)}`);
  const complete = option.complete;
  if (complete?.kind === 'file') parts.push('-r -F');
  else if (complete?.kind === 'directory') {
    parts.push(`-x -a ${fishQuoted('(__fish_complete_directories (commandline -ct))')}`);
  } else if (complete?.kind === 'host')
    parts.push(`-x -a ${fishQuoted('(__fish_print_hostnames)')}`);
  else if (complete?.kind === 'words') parts.push(`-x -a ${fishQuoted(complete.words.join(' '))}`);
  else if (complete?.kind === 'any') parts.push('-x');
  parts.push(`-d ${fishQuoted(option.description)}`);
  return parts.join(' ');
}

function fishScript({porthole, request, explain: words}: Tables): string {
  return [
    ...header('fish', 'porthole completions fish > ~/.config/fish/completions/porthole.fish'),
    '',
    'function __porthole_first --description "porthole: the word after porthole"',
    '    test (count (commandline -opc)) -eq 1',
    'end',
    '',
    'function __porthole_top --description "porthole: no command word (request, explain, …)"',
    '    set -l words (commandline -opc)',
    `    not contains -- "$words[2]" ${subcommands.map(({name}) => name).join(' ')}`,
    'end',
    '',
    'function __porthole_after --argument-names name --description "porthole: after a command word"',
    '    set -l words (commandline -opc)',
    '    test "$words[2]" = "$name"',
    'end',
    '',
    '# Nothing but what is listed here: no file names where porthole takes none.',
    'complete -c porthole -f',
    ...subcommands.map(
      ({name, summary}) =>
        `complete -c porthole -n __porthole_first -a ${fishQuoted(name)} -d ${fishQuoted(summary)}`,
    ),
    ...porthole.map((option) => fishLine('__porthole_top', option)),
    ...request.map((option) => fishLine('__porthole_after request', option)),
    `complete -c porthole -n ${fishQuoted('__porthole_after explain')} -a ${fishQuoted(words.join(' '))}`,
    `complete -c porthole -n ${fishQuoted('__porthole_after completions; and test (count (commandline -opc)) -eq 2')} -a ${fishQuoted(shells.join(' '))}`,
    '',
  ].join('\n');
}

/** The completion script for a shell. */
export function completionScript(shell: Shell): string {
  const made = tables();
  if (shell === 'bash') return bashScript(made);
  if (shell === 'zsh') return zshScript(made);
  return fishScript(made);
}

const usage = `usage: porthole completions ${shells.join('|')}`;
const shellList = `${shells.slice(0, -1).join(', ')} or ${shells.at(-1)}`;

/** Prints the script for `words[0]`; exit 0, or 2 with one line for no shell, an unknown one or more. */
export function runCompletionsCommand(words: readonly string[], io: CompletionsIo): number {
  const [shell, ...rest] = words;
  if (shell === '--help' || shell === '-h') {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const fail = (message: string) => {
    io.stderr.write(`porthole: completions: ${message}\n`);
    return 2;
  };
  if (shell === undefined || shell.trim() === '') return fail(`name a shell: ${shellList}`);
  if (!(shells as readonly string[]).includes(shell)) {
    return fail(`no script for "${sanitizeLine(shell)}"; name ${shellList}`);
  }
  if (rest.length > 0)
    return fail(`one shell at a time, not "${sanitizeLine(rest.join(' '))}" too`);
  io.stdout.write(completionScript(shell as Shell));
  return 0;
}
