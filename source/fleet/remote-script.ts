/**
 * The command one poll of an SSH host runs: a POSIX sh script (dash, busybox sh, bash) that prints
 * what porthole reads on this machine — /proc/net's socket tables, interface counters, routes,
 * /sys/class/net, addresses and the sockets' owners — in one round trip, for remote-parse.ts to
 * read with the same parsers as the local collectors.
 *
 * Output: an empty line (so a banner without a line end cannot swallow the first marker), then
 * sections that each start with a marker line `@@porthole:NAME@@[ value]`. Anything a login shell
 * prints before the first marker is skipped. Where gzip exists everything after the `gzip` marker
 * is one gzip stream: the socket tables are hex that compresses several times over.
 *
 * - `host`, `uname`: the host's name and its kernel (read from /proc/sys/kernel, no process
 *   started; `uname` where that is missing). No /proc/net/tcp: nothing more is printed.
 * - `tcp` `tcp6` `udp` `udp6`: each table's header line becomes its marker (the four headers differ:
 *   `rem_address` or `remote_address`, with or without `drops`), and each row is cut after the
 *   inode, with runs of spaces squeezed and the slot number dropped (the row keeps its leading
 *   colon, which the parser looks for). An IPv6 table that sockstat6 counts empty is not read.
 * - `dev`: /proc/net/dev's rows. `route`: the default routes of /proc/net/route and ipv6_route.
 * - `links`: `name flags operstate address mtu speed` per /sys/class/net entry, `-` for unreadable.
 * - `addr`: `ip -o addr show` as it prints it; where `ip` is missing, the
 *   `fib_trie`, `if_inet6` and `rt` (the whole /proc/net/route) sections instead.
 * - `owners ROOT|sudo|user`: `p PID COMM` followed by the socket inodes PID holds, and last
 *   `d COUNT`, the fd directories that could not be read. Not root: `sudo -n` is tried for this
 *   part, which then covers other users' processes.
 * - `end`: the output is whole.
 */

const marker = '@@porthole:';

/** Rows of the four tables, dev and the default routes; everything else of those files is dropped. */
const tablesSed = [
  '/^ *sl /{',
  '/drops/!{',
  `/rem_address/s/.*/${marker}tcp@@/`,
  `/remote_address/s/.*/${marker}tcp6@@/`,
  '}',
  '/drops/{',
  `/rem_address/s/.*/${marker}udp@@/`,
  `/remote_address/s/.*/${marker}udp6@@/`,
  '}',
  'b',
  '}',
  '/^ *[0-9][0-9]*: [0-9A-F]\\{8\\}\\([0-9A-F]\\{24\\}\\)\\{0,1\\}:[0-9A-F]\\{4\\} /{',
  's/^ *[0-9]*: *//',
  's/  */ /g',
  's/^\\([^ ]* [^ ]* [^ ]* [^ ]* [^ ]* [^ ]* [^ ]* [^ ]* [^ ]*\\).*/:\\1/',
  'b',
  '}',
  `/^Inter-|/{`,
  `s/.*/${marker}dev@@/`,
  'b',
  '}',
  '/^ *[^ :]*: *[0-9]/{',
  's/^ *//',
  's/  */ /g',
  'b',
  '}',
  `/^Iface\t/{`,
  `s/.*/${marker}route@@/`,
  'b',
  '}',
  '/^[^\t]*\t00000000\t/b',
  '/^0\\{32\\} 00 /b',
  'd',
].join('\n');

/** The owners part, run as it is or under `sudo -n sh -c`; prints `p`, inode and `d` lines. */
const ownersScript = [
  `r=$(ls -ln /proc/[0-9]*/fd /dev/null 2>&1 | sed -n -e 's,^/proc/\\([0-9]*\\)/fd:$,p \\1,p' -e 's,.* -> socket:\\[\\([0-9]*\\)\\]$,\\1,p' -e 's,.*/proc/\\([0-9]*\\)/fd[^/]*: Permission denied$,d \\1,p')`,
  'n=0; q=; k=',
  'for w in $r; do',
  '  case $k in',
  '    p) q=$w; k=; continue;;',
  '    d) n=$((n+1)); k=; continue;;',
  '  esac',
  '  case $w in',
  '    p|d) k=$w;;',
  '    *) if [ -n "$q" ]; then c=; { IFS= read -r c < /proc/$q/comm; } 2>/dev/null; echo "p $q $c"; q=; fi; echo $w;;',
  '  esac',
  'done',
  'echo "d $n"',
].join('\n');

function quoted(text: string): string {
  return `'${text.replace(/'/g, `'"'"'`)}'`;
}

function script(gzip: boolean): string {
  return [
    'echo',
    `M=${marker}`,
    'h=; { IFS= read -r h < /proc/sys/kernel/hostname; } 2>/dev/null || h=$(uname -n 2>/dev/null)',
    'o=; { IFS= read -r o < /proc/sys/kernel/ostype; } 2>/dev/null || o=$(uname -s 2>/dev/null)',
    'echo "${M}host@@ $h"',
    'echo "${M}uname@@ $o"',
    '[ -r /proc/net/tcp ] || { echo "${M}end@@"; exit 0; }',
    gzip ? 'z=; command -v gzip >/dev/null 2>&1 && z=1' : 'z=',
    'readings() {',
    // TCP6 rows exist while sockstat6 counts one in use or sockstat counts TIME-WAIT (v4 and v6).
    'w=1; t6=1; u6=1',
    '{ while read -r k a b c d e f g; do [ "$k" = TCP: ] && w=$f; done < /proc/net/sockstat; } 2>/dev/null',
    '{ while read -r k a b c; do case $k in TCP6:) t6=$b;; UDP6:) u6=$b;; esac; done < /proc/net/sockstat6; } 2>/dev/null',
    'f=/proc/net/tcp',
    '[ -r /proc/net/tcp6 ] && [ "$t6$w" != 00 ] && f="$f /proc/net/tcp6"',
    '[ -r /proc/net/udp ] && f="$f /proc/net/udp"',
    '[ -r /proc/net/udp6 ] && [ "$u6" != 0 ] && f="$f /proc/net/udp6"',
    'for x in dev route ipv6_route; do [ -r /proc/net/$x ] && f="$f /proc/net/$x"; done',
    `sed -e ${quoted(tablesSed)} $f 2>/dev/null`,
    'echo "${M}links@@"',
    'for d in /sys/class/net/*; do',
    '  [ -d "$d" ] || continue',
    '  a=; b=; c=; e=; g=',
    '  { read -r a < "$d/flags"; read -r b < "$d/operstate"; read -r c < "$d/address"; read -r e < "$d/mtu"; read -r g < "$d/speed"; } 2>/dev/null',
    '  echo "${d##*/} ${a:--} ${b:--} ${c:--} ${e:--} ${g:--}"',
    'done',
    'if command -v ip >/dev/null 2>&1; then',
    '  echo "${M}addr@@"',
    '  ip -o addr show 2>/dev/null',
    'else',
    '  echo "${M}fib_trie@@"; cat /proc/net/fib_trie 2>/dev/null',
    '  echo "${M}if_inet6@@"; cat /proc/net/if_inet6 2>/dev/null',
    '  echo "${M}rt@@"; cat /proc/net/route 2>/dev/null',
    'fi',
    `O=${quoted(ownersScript)}`,
    'u=; { while read -r k a b c; do [ "$k" = Uid: ] && { u=$b; break; }; done < /proc/self/status; } 2>/dev/null',
    'if [ "$u" = 0 ]; then echo "${M}owners@@ root"; eval "$O"',
    'elif command -v sudo >/dev/null 2>&1 && s=$(sudo -n sh -c "$O" 2>/dev/null) && case $s in *"d "[0-9]*) true;; *) false;; esac; then',
    '  echo "${M}owners@@ sudo"; printf \'%s\\n\' "$s"',
    'else echo "${M}owners@@ user"; eval "$O"; fi',
    'echo "${M}end@@"',
    '}',
    'if [ -n "$z" ]; then echo "${M}gzip@@"; readings | gzip -1; else readings; fi',
  ].join('\n');
}

/** The POSIX sh script itself (what `sh -c` runs), output gzipped where the host has gzip. */
export const remoteScript = script(true);

/** The same without gzip, for hosts where compressing costs more than it saves. */
export const remoteScriptPlain = script(false);

/**
 * What is sent over SSH: the script under the host's `sh`, whatever the login shell (bash, zsh,
 * ksh, fish) would make of its syntax. csh-family login shells cannot pass it on.
 */
export function remoteCommand(body: string = remoteScript): string {
  return `exec sh -c ${quoted(body)}`;
}

export const remoteMarker = marker;
