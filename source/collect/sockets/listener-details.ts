/**
 * What `ss` knows of a listener and /proc/net does not: its backlog (the kernel's
 * sk_max_ack_backlog, which ss shows as a listener's Send-Q; the procfs tables print 0 there) and
 * whether an IPv6 wildcard listener (`::`) takes IPv4 too (INET_DIAG_SKV6ONLY: ss writes `*:PORT`
 * and `v6only:0`, or `[::]:PORT` and `v6only:1`). Both travel only over netlink sock_diag, which
 * Node cannot open without a native addon, so `ss -Hltune` is run and its rows joined to the
 * table's rows by inode.
 *
 * ss runs only when a listener appears whose facts are not known yet; the facts are kept per
 * inode while the socket is listed, and set on each poll's rows (a new row object where one
 * changes, as the owner cache does). Measured on a 2-core machine under load (load average 4-8,
 * spawning `true` alone took 40-120 ms meanwhile; ss 6.1, Node 20), a run including the spawn:
 * 16-50 ms at 5 listeners, 60-120 ms at 500 (parsing its text ≈ 1.5 ms of that). A poll where no
 * listener is new runs nothing: one pass over the rows, median ≈ 0.5 ms at 10k sockets and ≈ 2 ms
 * at 100k. Without ss, or when it fails or takes longer than `timeoutMs` (1 s), the facts stay
 * unknown (no `dualStack`, `sendQ` as /proc gave it), the reason is kept in `why`, and ss is
 * asked again only after a wait that doubles with each failure (5 s up to 5 min).
 */
import {execFile} from 'node:child_process';
import type {Protocol} from '../../model.js';
import type {Enricher} from './enrich.js';
import type {ProcSocket} from './proc-net.js';

/** What ss said of one listener; null: it did not say. */
export type ListenerFacts = {
  protocol: Protocol;
  /** The configured backlog of a TCP listener (its Send-Q in ss); null for UDP. */
  backlog: number | null;
  /** For an IPv6 socket: false when IPv6 only, true when it takes IPv4 too. */
  dualStack: boolean | null;
};

export type ListenerDetailsOptions = {
  /**
   * Where procfs is mounted. ss answers for this process's own network namespace, which is what
   * `/proc` shows; for any other root (a test's fixture tables) the enricher does nothing.
   */
  procRoot?: string;
  /** The ss to run; default `ss`, looked up in `env.PATH`. */
  command?: string;
  /** The environment ss runs in; default this process's. */
  env?: NodeJS.ProcessEnv;
  /** A run that takes longer is killed and counts as failed; default 1 s. */
  timeoutMs?: number;
  /** The wait after a first failure, doubled with each further one up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** After a run that worked, the least wait before the next (default 2 s): churn is not a run a poll. */
  minIntervalMs?: number;
  now?: () => number;
};

export type ListenerDetails = Enricher & {
  /** Why listener facts are unknown: the last failed run's reason, null once a run worked. */
  readonly why: string | null;
  /** How many times ss has been run. */
  readonly runs: number;
};

const states = new Set(['LISTEN', 'UNCONN']);

function decimal(token: string | undefined): number | null {
  if (token === undefined || !/^\d{1,15}$/.test(token)) return null;
  return Number(token);
}

/**
 * What ss's spelling of a local address says when it printed no `v6only:`: `[::]` (with an
 * optional `%zone` before the port) is written only for an IPv6-only wildcard. `*` says nothing:
 * an ss that read /proc/net because the kernel has no sock_diag writes it for every `::`.
 */
function dualStackOfAddress(local: string): boolean | null {
  const colon = local.lastIndexOf(':');
  if (colon < 0) return null;
  let host = local.slice(0, colon);
  const zone = host.lastIndexOf('%');
  if (zone >= 0 && !host.slice(zone).includes(']')) host = host.slice(0, zone);
  return host === '[::]' ? false : null;
}

/**
 * Reads ss's listener rows (`-H -l -t -u -n -e`): `[netid] state recv-q send-q local peer
 * ino:N sk:… [cgroup:…] [v6only:B] …`, into facts by inode. Lines it cannot read are skipped.
 *
 * Over netlink ss writes `v6only:` for every IPv6 socket. An IPv6 row without it means this ss
 * read /proc/net (or is older than the flag): its Send-Q is then the table's 0, not a backlog,
 * so no row of that run gives one.
 */
export function parseSsListeners(text: string): Map<number, ListenerFacts> {
  const facts = new Map<number, ListenerFacts>();
  let noFlag = false;
  for (const line of text.split('\n')) {
    const tokens = line.trim().split(/\s+/);
    // The netid column is there when more than one protocol is listed; without it the state says.
    const netid = tokens[0] === 'tcp' || tokens[0] === 'udp' ? tokens[0] : undefined;
    const at = netid ? 1 : 0;
    const state = tokens[at];
    if (state === undefined || !states.has(state)) continue;
    const protocol: Protocol = netid ?? (state === 'LISTEN' ? 'tcp' : 'udp');
    const sendQ = decimal(tokens[at + 2]);
    const local = tokens[at + 3];
    if (local === undefined || tokens.length < at + 5) continue;
    let inode: number | null = null;
    let v6only: string | undefined;
    for (let index = at + 5; index < tokens.length; index++) {
      const token = tokens[index]!;
      if (inode === null && token.startsWith('ino:')) inode = decimal(token.slice(4));
      // The last one: ss writes it after the cgroup path, which is the cgroup's own to name.
      else if (token.startsWith('v6only:')) v6only = token.slice(7);
    }
    if (inode === null || inode === 0) continue;
    if (v6only === undefined && (local.startsWith('[') || local.startsWith('*'))) noFlag = true;
    facts.set(inode, {
      protocol,
      backlog: protocol === 'tcp' && state === 'LISTEN' ? sendQ : null,
      dualStack: v6only === '0' ? true : v6only === '1' ? false : dualStackOfAddress(local),
    });
  }
  if (noFlag) for (const each of facts.values()) each.backlog = null;
  return facts;
}

/** A row whose facts ss has: a TCP listener (its backlog) or a UDP one on `::` (dual-stack). */
function wanted(socket: ProcSocket): boolean {
  return socket.protocol === 'tcp'
    ? socket.state === 'LISTEN'
    : socket.state === 'UNCONN' && socket.peerPort === 0 && wildcardV6(socket);
}

function wildcardV6(socket: ProcSocket): boolean {
  return socket.family === 6 && socket.localAddress === '::';
}

type Kept = {facts: ListenerFacts | undefined; seen: number};

type SsResult = {facts: Map<number, ListenerFacts>} | {why: string};

function runSs(command: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<SsResult> {
  return new Promise((resolve) => {
    try {
      execFile(
        command,
        ['-H', '-l', '-t', '-u', '-n', '-e'],
        {env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20, encoding: 'utf8'},
        (error, stdout, stderr) => {
          if (!error) {
            const facts = parseSsListeners(stdout);
            if (facts.size === 0 && stdout.trim() !== '') {
              resolve({why: `${command} printed no listener this can read`});
            } else {
              resolve({facts});
            }
            return;
          }
          const code = (error as NodeJS.ErrnoException).code;
          const said = stderr.trim().split('\n', 1)[0];
          resolve({
            why:
              code === 'ENOENT'
                ? `no ${command} on this machine`
                : error.killed && error.signal === 'SIGKILL'
                  ? `${command} took longer than ${timeoutMs} ms`
                  : said
                    ? `${command}: ${said}`
                    : `${command} failed (${typeof code === 'string' ? code : `exit code ${code ?? error.signal}`})`,
          });
        },
      );
    } catch (error) {
      resolve({why: `${command} could not run: ${(error as Error).message.split('\n', 1)[0]}`});
    }
  });
}

export function createListenerDetails(options: ListenerDetailsOptions = {}): ListenerDetails {
  const command = options.command ?? 'ss';
  const timeoutMs = options.timeoutMs ?? 1000;
  const backoffMs = options.backoffMs ?? 5000;
  const maxBackoffMs = options.maxBackoffMs ?? 5 * 60_000;
  const minIntervalMs = options.minIntervalMs ?? 2000;
  const now = options.now ?? Date.now;
  const active = (options.procRoot ?? '/proc') === '/proc' && process.platform === 'linux';
  /** Inode -> what ss said of it (undefined: it did not list it), while it is listed. */
  const known = new Map<number, Kept>();
  let poll = 0;
  let why: string | null = null;
  let runs = 0;
  let failures = 0;
  let retryAt = -Infinity;

  async function learn(): Promise<void> {
    runs++;
    const result = await runSs(command, options.env ?? process.env, timeoutMs);
    if ('why' in result) {
      why = result.why;
      failures++;
      retryAt = now() + Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(failures - 1, 20));
      return;
    }
    why = null;
    failures = 0;
    // A host that opens and closes listeners all the time runs ss at most this often.
    retryAt = now() + minIntervalMs;
    // Every listener ss listed: one that the tables list only from the next poll on is known then.
    for (const [inode, facts] of result.facts) known.set(inode, {facts, seen: poll});
  }

  let early: Promise<void> | undefined;

  return {
    prefetch() {
      if (active && !early && now() >= retryAt) early = learn();
    },
    get why() {
      return why;
    },
    get runs() {
      return runs;
    },
    async apply(sockets) {
      if (!active) return;
      poll++;
      const listeners: number[] = [];
      let unknown = false;
      for (let index = 0; index < sockets.length; index++) {
        const socket = sockets[index]!;
        if (socket.inode === 0 || !wanted(socket)) continue;
        listeners.push(index);
        if (!known.has(socket.inode)) unknown = true;
      }
      if (early) {
        // Started beside the tables (a one-shot reading): a listener it missed stays unknown.
        await early;
        early = undefined;
      } else if (unknown && now() >= retryAt) {
        await learn();
        // A listener ss did not list (closed meanwhile, or another table's) is not asked again.
        if (why === null) {
          for (const index of listeners) {
            const inode = sockets[index]!.inode;
            if (!known.has(inode)) known.set(inode, {facts: undefined, seen: poll});
          }
        }
      }
      for (const index of listeners) {
        const socket = sockets[index]!;
        const kept = known.get(socket.inode);
        if (!kept) continue;
        kept.seen = poll;
        const facts = kept.facts;
        if (!facts || facts.protocol !== socket.protocol) continue;
        const sendQ =
          socket.protocol === 'tcp' && facts.backlog !== null ? facts.backlog : socket.sendQ;
        const wildcard = wildcardV6(socket);
        // Rows may be last poll's objects, still on screen: a changed fact gets a new object.
        if (
          sendQ !== socket.sendQ ||
          (wildcard && facts.dualStack !== (socket.dualStack ?? null))
        ) {
          sockets[index] = wildcard
            ? {...socket, sendQ, dualStack: facts.dualStack}
            : {...socket, sendQ};
        }
      }
      if (known.size > listeners.length) {
        for (const [inode, kept] of known) if (kept.seen !== poll) known.delete(inode);
      }
    },
  };
}
