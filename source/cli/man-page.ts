/**
 * porthole(1), the man page, made from the tables the command line is made from: the flags of
 * `--help` (flags.ts), the options `porthole request` reads, the key table of the help overlay and
 * the files porthole reads and writes. scripts/build-man.mjs writes it to dist/porthole.1.
 */
import {historyFile, historyLimit} from '../request/history.js';
import {createKeymap, keyLabel, scopes, scopeTitles} from '../ui/keymap.js';
import {version} from '../version.js';
import {
  portholeOptions,
  requestOptions,
  shells,
  subcommands,
  type CommandLineOption,
} from './completions.js';
import {configFile} from './config.js';
import {helpText} from './flags.js';

/** Text for roff: backslashes, every hyphen (so flags copy as typed) and non-ASCII escaped. */
function escaped(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(
      /[^\x20-\x7e]/gu,
      (char) => `\\[u${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}]`,
    );
}

const bold = (text: string) => `\\fB${escaped(text)}\\fR`;
const italic = (text: string) => `\\fI${escaped(text)}\\fR`;

/** A line of text (already escaped): one starting with `.` or `'` would be read as a request. */
const line = (text: string) => (/^[.']/.test(text) ? `\\&${text}` : text);

/** Plain prose, escaped, as one line of text. */
const prose = (text: string) => line(escaped(text));

/** `-X, --method METHOD` in bold and italic. */
function optionTag(option: CommandLineOption): string {
  const names = [option.short && `-${option.short}`, `--${option.long}`].filter(
    (name): name is string => typeof name === 'string',
  );
  const value = option.value === undefined ? '' : ` ${italic(option.value)}`;
  return line(names.map(bold).join(', ') + value);
}

function optionList(options: readonly CommandLineOption[]): string[] {
  return options.flatMap((option) => ['.TP', optionTag(option), prose(option.description)]);
}

/** A usage such as `[curl options] URL`: the names to fill in (URL, WORD) in italics. */
const usage = (text: string) =>
  escaped(text).replace(/\b([A-Z]{2,})\b/g, (word) => `\\fI${word}\\fR`);

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function keySection(): string[] {
  const bindings = createKeymap().all();
  const lines = [
    '.SH KEYS',
    line(
      `In the dashboard, ${bold('?')} shows these keys. The config file can give an action other keys (see FILES).`,
    ),
  ];
  for (const scope of scopes) {
    const bound = bindings.filter((binding) => binding.scope === scope);
    if (bound.length === 0) continue;
    lines.push(`.SS ${escaped(scopeTitles[scope])}`);
    for (const binding of bound) {
      lines.push('.TP 14', line(binding.keys.map((key) => bold(keyLabel(key))).join(', ')));
      lines.push(prose(binding.help));
    }
  }
  return lines;
}

const example = (comment: string, command: string) => [
  '.PP',
  prose(comment),
  '.PP',
  '.RS 4',
  '.nf',
  line(bold(command)),
  '.fi',
  '.RE',
];

/** The whole page, in roff for man(7). */
export function manPage(): string {
  const title =
    helpText()
      .split('\n')[0]
      ?.replace(/^porthole: /, '') ?? '';
  const {curl, own} = requestOptions();
  const command = (name: string, rest = '') => line(`${bold(`porthole ${name}`.trim())}${rest}`);
  const config = configFile({HOME: '~'});
  const history = historyFile({HOME: '~'});
  return [
    `.\\" porthole(1), made by scripts/build-man.mjs from source/cli/man-page.ts`,
    `.TH PORTHOLE 1 "" "porthole ${version}" "User Commands"`,
    // Flags and paths are not to be broken at a hyphen; ragged right reads better in a terminal.
    '.nh',
    '.ad l',
    '.SH NAME',
    `porthole \\- ${escaped(title)}`,
    '.SH SYNOPSIS',
    command('', ` [${italic('options')}]`),
    '.br',
    command('--json', ` [${italic('options')}]`),
    ...subcommands.flatMap(({name, usage: text}) => ['.br', command(name, ` ${usage(text)}`)]),
    '.SH DESCRIPTION',
    prose(
      'A terminal dashboard for people who run services. Launched on a laptop, or on a server over ssh, it shows live in one screen:',
    ),
    '.TP',
    bold('Addresses'),
    prose(
      'every interface and address (what ip addr shows), each labelled loopback, private, link-local, cgnat, multicast, unspecified, reserved or public, with live receive and send rates;',
    ),
    '.TP',
    bold('Sockets'),
    prose(
      'every TCP and UDP socket (what ss -tuanp shows) with its state, queues and owning process or container, and who can reach it: the internet, a network, or this host only, with the firewall\u2019s verdict where it can be read;',
    ),
    '.TP',
    bold('Requests'),
    prose(
      'an HTTP request to anything listening, answered as curl -v tells it: status, headers, body, the transcript, the TLS chain and where the time went (DNS, connect, TLS, first byte, download);',
    ),
    '.TP',
    bold('Hosts'),
    prose(
      'several servers side by side, over the ssh already in use and with nothing installed on them.',
    ),
    '.PP',
    prose(
      'A plain snapshot, JSON, one request and the words of the explain panel are there for scripts too.',
    ),
    '.SH COMMANDS',
    '.TP',
    command('', ` [${italic('options')}]`),
    prose(
      'The dashboard. When stdout is not a terminal (a pipe, a file), or TERM is dumb, a plain snapshot instead: addresses and listening sockets as aligned tables, as ss prints them.',
    ),
    '.TP',
    command('--json'),
    prose(
      'One snapshot as JSON: indented on a terminal, on one line for a program. With hosts, one object whose hosts list holds one reading (or error) for each.',
    ),
    '.TP',
    command('request', ` ${usage(subcommands[0].usage)}`),
    prose(
      `${sentence(subcommands[0].summary)}: curl's arguments, the body on stdout, a line of status and timings on a terminal's stderr. A ws:// URL opens a WebSocket (stdin lines out, messages in) and an event stream is printed as it comes. Its options are under REQUEST OPTIONS; porthole request --help lists them too.`,
    ),
    '.TP',
    command('explain', ` ${usage(subcommands[1].usage)}`),
    prose(
      `${sentence(subcommands[1].summary)}, as the i key says it in the dashboard, with the RFC it comes from.`,
    ),
    '.TP',
    command('completions', ` ${usage(subcommands[2].usage)}`),
    prose(
      `${sentence(subcommands[2].summary)} (${shells.join(', ')}) on stdout: its options, their values where they are files or a few words, and the commands. Saved as ~/.local/share/bash-completion/completions/porthole for bash, as _porthole in a directory on $fpath for zsh, as ~/.config/fish/completions/porthole.fish for fish.`,
    ),
    '.SH OPTIONS',
    ...optionList(portholeOptions()),
    '.SH REQUEST OPTIONS',
    prose(
      'porthole request reads these of curl\u2019s options, as curl does: in any order, short ones clustered (-sS) or with their value attached (-XPOST); another curl option is refused in one line.',
    ),
    '.SS As curl',
    ...optionList(curl),
    `.SS ${escaped('porthole\u2019s own')}`,
    ...optionList(own),
    ...keySection(),
    '.SH FILES',
    '.TP',
    line(italic(config)),
    prose(
      'Optional defaults, as JSON: interval, theme, requestTimeout, keys, hosts and sshConfig. Under $XDG_CONFIG_HOME when that is set. A bad file or field is named in one line and the defaults stand in for it.',
    ),
    '.TP',
    line(italic(history)),
    prose(
      `The last ${historyLimit} requests sent from the Request pane, one JSON line each, mode 0600. Under $XDG_STATE_HOME when that is set.`,
    ),
    '.TP',
    line(italic('~/.ssh/config')),
    prose('Where the names --host and --via take come from; --ssh-config names another file.'),
    '.SH ENVIRONMENT',
    '.TP',
    bold('NO_COLOR'),
    prose('Set to anything: no colours, as --no-color.'),
    '.TP',
    bold('TERM'),
    prose('dumb: the plain snapshot, with a one-line note, instead of the dashboard.'),
    '.TP',
    line(`${bold('XDG_CONFIG_HOME')}, ${bold('XDG_STATE_HOME')}`),
    prose('Where the config file and the request history are (see FILES).'),
    '.SH EXIT STATUS',
    '.TP',
    bold('0'),
    prose(
      'Done: the dashboard quit, a snapshot printed, a request answered (with any status), a word explained.',
    ),
    '.TP',
    bold('1'),
    prose(
      'A host could not be read, a request got no answer, a WebSocket closed with a code other than 1000 or 1001, or explain did not know a word.',
    ),
    '.TP',
    bold('2'),
    prose('A command line that cannot be run; one line on stderr says why.'),
    '.TP',
    bold('22'),
    prose(
      'porthole request -f: a status of 400 or above; or a server that did not switch to a WebSocket.',
    ),
    '.TP',
    bold('70'),
    prose(
      'The single executable is damaged: its code or code cache does not match the checksum it was built with.',
    ),
    '.TP',
    bold('130'),
    prose('porthole request: the password prompt was cancelled.'),
    '.SH EXAMPLES',
    ...example(
      'This machine, every socket in every state, every 2 seconds:',
      'porthole --all --interval 2s',
    ),
    ...example('This machine and two servers, over ssh:', 'porthole --host web-1 --host db-1'),
    ...example(
      'The dashboard with the Request pane filled in from a curl command:',
      `porthole --url 'curl -X POST -d x=1 http://127.0.0.1:8080/form'`,
    ),
    ...example(
      'One request, its whole transcript and timings:',
      'porthole request -v https://example.com/',
    ),
    ...example(
      'A request from a server\u2019s side, to what listens on its loopback:',
      'porthole request --via web-1 http://127.0.0.1:9000/metrics',
    ),
    ...example('What a socket state and a status code mean:', 'porthole explain TIME-WAIT 404'),
    ...example(
      'Completions for fish, where fish looks for them:',
      'porthole completions fish > ~/.config/fish/completions/porthole.fish',
    ),
    '.SH SEE ALSO',
    `${bold('ss')}(8), ${bold('ip')}(8), ${bold('curl')}(1), ${bold('ssh')}(1), ${bold('ssh_config')}(5)`,
    '',
  ].join('\n');
}
