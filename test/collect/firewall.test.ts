/**
 * The packet filter, read for real: rule sets loaded into a network namespace the test makes
 * (`ip netns exec NS nft -f FILE`) and read back through the same prefix, so the test checks the
 * namespace, never this host's own rules. A second namespace, joined by a veth pair, is another
 * host: it connects to listeners behind the rules, so what porthole says is what the kernel does.
 * Both namespaces and every process are removed after, also on failure.
 *
 * The reducers are also tested on `nft -j` and iptables-save output captured from real runs
 * (test/fixtures/firewall: each `.json` beside the `.nft` file that made it; the iptables files
 * from iptables-nft 1.8.9, ufw's loaded from `ufw.rules` by iptables-restore).
 */
import {execFileSync, spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {build} from 'esbuild';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {firewallCollector, createCollectors} from '../../source/collect/collectors.js';
import {judgePort, readFirewall, type FirewallOptions} from '../../source/collect/firewall.js';
import {parseIptablesSave} from '../../source/collect/firewall-iptables.js';
import {reduceNftRuleset} from '../../source/collect/firewall-nft.js';
import type {HostPatch} from '../../source/fleet/types.js';
import type {FirewallChain, FirewallReading} from '../../source/model.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'test/fixtures/firewall');
const fixture = (name: string) => readFileSync(path.join(fixtures, name), 'utf8');

const server = `porthole-fw-${process.pid}`;
const client = `porthole-fwc-${process.pid}`;
const possible =
  process.getuid?.() === 0 &&
  spawnSync('ip', ['netns', 'list'], {stdio: 'ignore'}).status === 0 &&
  spawnSync('nft', ['--version'], {stdio: 'ignore'}).status === 0;

/** Addresses of the two ends, from the benchmarking range, on links only these namespaces see. */
const serverAddress = '198.18.0.2';
const clientAddress = '198.18.0.1';

let scratch = '';
let listeners: ChildProcess | undefined;

const inNamespace: FirewallOptions = {prefix: ['ip', 'netns', 'exec', server]};

function loadRules(rules: string): void {
  const file = path.join(scratch, 'rules.nft');
  writeFileSync(file, `flush ruleset\n${rules}\n`);
  execFileSync('ip', ['netns', 'exec', server, 'nft', '-f', file]);
}

async function readNamespace(): Promise<FirewallReading> {
  return readFirewall({...inNamespace, procRoot: scratch});
}

/** Whether another host's connection to the port gets through: 'open', 'refused' or 'timeout'. */
function connectFromClient(port: number): string {
  const script = `
    const net = require('node:net');
    const socket = net.connect({host: '${serverAddress}', port: ${port}});
    socket.setTimeout(2000, () => { console.log('timeout'); process.exit(0); });
    socket.on('connect', () => { console.log('open'); process.exit(0); });
    socket.on('error', (error) => { console.log(error.code === 'ECONNREFUSED' ? 'refused' : error.code); process.exit(0); });`;
  return execFileSync('ip', ['netns', 'exec', client, process.execPath, '-e', script], {
    encoding: 'utf8',
    timeout: 10_000,
  }).trim();
}

function removeNamespaces(): void {
  for (const name of [server, client]) {
    spawnSync('ip', ['netns', 'delete', name], {stdio: 'ignore'});
  }
}

beforeAll(async () => {
  if (!possible) return;
  scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-fw-'));
  removeNamespaces();
  try {
    execFileSync('ip', ['netns', 'add', server]);
    execFileSync('ip', ['netns', 'add', client]);
    const veth = `pfw${process.pid % 100_000}`;
    execFileSync('ip', ['-n', server, 'link', 'add', veth, 'type', 'veth', 'peer', 'c' + veth]);
    execFileSync('ip', ['-n', server, 'link', 'set', 'c' + veth, 'netns', client]);
    execFileSync('ip', ['-n', server, 'addr', 'add', `${serverAddress}/30`, 'dev', veth]);
    execFileSync('ip', ['-n', client, 'addr', 'add', `${clientAddress}/30`, 'dev', 'c' + veth]);
    for (const [name, link] of [
      [server, veth],
      [client, 'c' + veth],
    ] as const) {
      execFileSync('ip', ['-n', name, 'link', 'set', link, 'up']);
      execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    }
    // Listeners behind the rules: every port the cases below judge.
    const ports = [22, 5432, 8080, 9090];
    const script = `
      const net = require('node:net');
      let left = ${ports.length};
      for (const port of ${JSON.stringify(ports)}) {
        net.createServer((socket) => socket.end()).listen(port, '0.0.0.0', () => {
          if (--left === 0) console.log('ready');
        });
      }`;
    listeners = spawn('ip', ['netns', 'exec', server, process.execPath, '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      listeners!.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      listeners!.once('exit', (code) => reject(new Error(`listeners exited with ${code}`)));
    });
  } catch (error) {
    listeners?.kill('SIGKILL');
    removeNamespaces();
    throw error;
  }
}, 30_000);

afterAll(async () => {
  if (listeners && listeners.exitCode === null) {
    const exited = new Promise((resolve) => listeners!.once('exit', resolve));
    listeners.kill('SIGKILL');
    await exited;
  }
  if (possible) removeNamespaces();
  if (scratch) rmSync(scratch, {recursive: true, force: true});
});

const tcp = (localPort: number) => ({protocol: 'tcp', localPort, family: 4}) as const;

describe.skipIf(!possible)('a rule set in a namespace, read through its prefix', () => {
  test('policy drop, established first, then a set of ports: the set is allowed, the rest filtered', async () => {
    loadRules(`table inet filter {
      chain input {
        type filter hook input priority 0; policy drop;
        ct state established accept
        tcp dport { 22, 8080 } accept
      }
    }`);
    const reading = await readNamespace();
    expect(reading).toMatchObject({checked: true, source: 'nft'});
    expect(judgePort(reading, tcp(8080))).toEqual({
      state: 'allowed',
      rule: 'tcp dport { 22, 8080 } accept',
    });
    expect(judgePort(reading, tcp(22))).toEqual({
      state: 'allowed',
      rule: 'tcp dport { 22, 8080 } accept',
    });
    expect(judgePort(reading, tcp(9090))).toEqual({
      state: 'filtered',
      rule: 'policy drop of input chain inet filter input',
    });
    // The inet chain covers IPv6 as well.
    expect(judgePort(reading, {...tcp(8080), family: 6})).toMatchObject({state: 'allowed'});
    // And the kernel agrees: another host gets through to 8080 and 22, not to 9090.
    expect(connectFromClient(8080)).toBe('open');
    expect(connectFromClient(22)).toBe('open');
    expect(connectFromClient(9090)).toBe('timeout');
  });

  test('policy accept with one port dropped: that port is filtered by its rule, others allowed by the policy', async () => {
    loadRules(`table inet filter {
      chain input {
        type filter hook input priority 0; policy accept;
        tcp dport 9090 drop
      }
    }`);
    const reading = await readNamespace();
    expect(judgePort(reading, tcp(9090))).toEqual({state: 'filtered', rule: 'tcp dport 9090 drop'});
    expect(judgePort(reading, tcp(8080))).toEqual({
      state: 'allowed',
      rule: 'policy accept of input chain inet filter input',
    });
    // The rule is for TCP: a UDP listener on the same port is not touched by it.
    expect(judgePort(reading, {...tcp(9090), protocol: 'udp'})).toMatchObject({state: 'allowed'});
    expect(connectFromClient(9090)).toBe('timeout');
    expect(connectFromClient(8080)).toBe('open');
  });

  test('an accept for some source addresses under policy drop leaves the port undecided', async () => {
    loadRules(`table inet filter {
      chain input {
        type filter hook input priority 0; policy drop;
        ip saddr 198.18.0.0/15 tcp dport 5432 accept
      }
    }`);
    const reading = await readNamespace();
    expect(judgePort(reading, tcp(5432))).toEqual({
      state: 'undecided',
      why: 'a rule on source address comes first: ip saddr 198.18.0.0/15 tcp dport 5432 accept',
    });
    // The rule cannot match another port, nor IPv6 (`ip saddr` is IPv4's): those are filtered.
    expect(judgePort(reading, tcp(8080))).toMatchObject({state: 'filtered'});
    expect(judgePort(reading, {...tcp(5432), family: 6})).toEqual({
      state: 'filtered',
      rule: 'policy drop of input chain inet filter input',
    });
    // The client is in the range, so it gets in; one outside would not: undecided is the truth.
    expect(connectFromClient(5432)).toBe('open');
    expect(connectFromClient(8080)).toBe('timeout');
  });

  test('every chain on the input hook must accept: an IPv6-only table that drops filters IPv6 alone', async () => {
    loadRules(`table inet filter {
      chain input {
        type filter hook input priority 0; policy accept;
        tcp dport 8080 accept
      }
    }
    table ip6 strict {
      chain input {
        type filter hook input priority 10; policy drop;
      }
    }`);
    const reading = await readNamespace();
    expect(judgePort(reading, tcp(8080))).toEqual({
      state: 'allowed',
      rule: 'tcp dport 8080 accept',
    });
    expect(judgePort(reading, {...tcp(8080), family: 6})).toEqual({
      state: 'filtered',
      rule: 'policy drop of input chain ip6 strict input',
    });
    expect(judgePort(reading, {...tcp(8080), family: 6, dualStack: true})).toEqual({
      state: 'undecided',
      why: 'IPv4 allowed by tcp dport 8080 accept; IPv6 filtered by policy drop of input chain ip6 strict input',
    });
  });

  test('jumps are followed: a chain jumped to decides where the jump stood', async () => {
    loadRules(`table inet filter {
      chain allow_tcp {
        tcp dport 8080 accept
      }
      chain from_lan {
        tcp dport 5432 accept
      }
      chain deny {
        reject
      }
      chain input {
        type filter hook input priority 0; policy drop;
        jump allow_tcp
        ip saddr 198.18.0.0/30 jump from_lan
        tcp dport 9090 goto deny
      }
    }`);
    const reading = await readNamespace();
    expect(judgePort(reading, tcp(8080))).toEqual({
      state: 'allowed',
      rule: 'tcp dport 8080 accept (in chain allow_tcp)',
    });
    expect(judgePort(reading, tcp(5432))).toEqual({
      state: 'undecided',
      why: 'a rule on source address comes first: tcp dport 5432 accept (in chain from_lan, after ip saddr 198.18.0.0/30 jump from_lan)',
    });
    // The goto is on 9090 alone: the chain's reject is 9090's, not 22's.
    expect(judgePort(reading, tcp(9090))).toEqual({
      state: 'filtered',
      rule: 'reject (in chain deny)',
    });
    expect(judgePort(reading, tcp(22))).toEqual({
      state: 'filtered',
      rule: 'policy drop of input chain inet filter input',
    });
    expect(connectFromClient(8080)).toBe('open');
    expect(connectFromClient(5432)).toBe('open');
    expect(connectFromClient(9090)).toBe('refused');
    expect(connectFromClient(22)).toBe('timeout');
  });

  test('a namespace with no rule set: read, and nothing filters input', async () => {
    loadRules('');
    const reading = await readNamespace();
    expect(reading).toEqual({checked: true, source: 'nft', chains: []});
    expect(judgePort(reading, tcp(9090))).toEqual({state: 'allowed', rule: 'no input filter'});
    expect(connectFromClient(9090)).toBe('open');
  });

  test('the collector writes a reading once, again only when the rules change', async () => {
    const policy = (verdict: string) => `table inet filter {
      chain input {
        type filter hook input priority 0; policy ${verdict};
      }
    }`;
    loadRules(policy('drop'));
    const patches: HostPatch[] = [];
    const collector = firewallCollector((patch) => patches.push(patch), {
      ...inNamespace,
      procRoot: scratch,
    });
    expect(collector).toMatchObject({name: 'firewall', every: 10});
    (await collector.run())?.();
    expect(await collector.run()).toBeUndefined();
    loadRules(policy('accept'));
    (await collector.run())?.();
    expect(patches.map(({firewall}) => firewall)).toEqual([
      {
        checked: true,
        source: 'nft',
        chains: [{family: 'inet', table: 'filter', name: 'input', policy: 'drop', rules: []}],
      },
      {
        checked: true,
        source: 'nft',
        chains: [{family: 'inet', table: 'filter', name: 'input', policy: 'accept', rules: []}],
      },
    ]);
  });

  test('a tool that hangs or fails is one line of why, and not checked', async () => {
    const hung = await readFirewall({
      prefix: ['sh', '-c', 'exec sleep 5', '--'],
      timeoutMs: 300,
      procRoot: scratch,
    });
    expect(hung).toEqual({checked: false, why: 'nft gave no answer within 0.3 s'});
    const failed = await readFirewall({
      prefix: ['sh', '-c', 'echo "no rules here" >&2; echo more >&2; exit 3', '--'],
      procRoot: scratch,
    });
    expect(failed).toEqual({checked: false, why: 'nft failed: no rules here'});
  });
});

describe.skipIf(!possible)('where the firewall cannot be read', () => {
  test('as an unprivileged user: not checked, needs root', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'porthole-fw-user-'));
    chmodSync(dir, 0o755);
    try {
      const script = path.join(dir, 'read.mts');
      writeFileSync(
        script,
        `import {readFirewall} from ${JSON.stringify(path.join(root, 'source/collect/firewall.ts'))};
         console.log(JSON.stringify(await readFirewall()));`,
      );
      // One bundled file the unprivileged user can read, wherever the checkout lives (a fresh
      // clone in a private temp dir is not readable by nobody, nor are its node_modules).
      const bundled = path.join(dir, 'read.mjs');
      await build({
        entryPoints: [script],
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: bundled,
        logLevel: 'silent',
      });
      chmodSync(bundled, 0o644);
      const output = execFileSync(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bundled],
        {cwd: dir, encoding: 'utf8', timeout: 30_000, env: {...process.env, HOME: dir}},
      );
      expect(JSON.parse(output)).toEqual({checked: false, why: 'needs root'});
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  test('with neither nft nor iptables on the path: not checked', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'porthole-fw-path-'));
    try {
      expect(await readFirewall({path: empty})).toEqual({
        checked: false,
        why: 'no nft or iptables',
      });
      // The root check comes after: as another user the answer is the same.
      expect(await readFirewall({path: empty, uid: 1000})).toMatchObject({checked: false});
    } finally {
      rmSync(empty, {recursive: true, force: true});
    }
  });

  test('without nft, iptables-save and ip6tables-save are read instead', async () => {
    const tools = mkdtempSync(path.join(os.tmpdir(), 'porthole-fw-tools-'));
    try {
      // Stand-ins that print what iptables-nft printed for a real rule set.
      for (const tool of ['iptables-save', 'ip6tables-save']) {
        const output = path.join(fixtures, `${tool}.txt`);
        writeFileSync(path.join(tools, tool), `#!/bin/sh\ncat '${output}'\n`);
        chmodSync(path.join(tools, tool), 0o755);
      }
      const reading = await readFirewall({path: tools, procRoot: tools});
      expect(reading).toMatchObject({checked: true, source: 'iptables'});
      expect(judgePort(reading, tcp(22))).toEqual({
        state: 'allowed',
        rule: '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
      });
      expect(judgePort(reading, {...tcp(25), family: 6})).toEqual({
        state: 'filtered',
        rule: '-A INPUT -p tcp -m tcp --dport 25 -j DROP',
      });
      // Without its IPv6 half, IPv6 ports would look unfiltered: not checked rather than that.
      rmSync(path.join(tools, 'ip6tables-save'));
      expect(await readFirewall({path: tools, procRoot: tools})).toMatchObject({checked: false});
    } finally {
      rmSync(tools, {recursive: true, force: true});
    }
  });
});

describe.skipIf(!possible)('nft beside iptables', () => {
  /** A folder of stand-in tools, each printing a captured output. */
  function tools(outputs: Record<string, string>): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'porthole-fw-tools-'));
    for (const [tool, file] of Object.entries(outputs)) {
      writeFileSync(path.join(dir, tool), `#!/bin/sh\ncat '${path.join(fixtures, file)}'\n`);
      chmodSync(path.join(dir, tool), 0o755);
    }
    return dir;
  }

  test('chains iptables-nft wrote are read through iptables-save, which shows their matches', async () => {
    const dir = tools({
      nft: 'iptables-nft.json',
      'iptables-save': 'iptables-save.txt',
      'ip6tables-save': 'ip6tables-save.txt',
    });
    try {
      const reading = await readFirewall({path: dir, procRoot: dir});
      expect(reading).toMatchObject({checked: true, source: 'nft'});
      // nft alone could not tell: its first rule is `xt match "conntrack"`.
      expect(judgePort(reading, tcp(9090))).toEqual({
        state: 'filtered',
        rule: 'policy drop of input chain ip filter INPUT',
      });
      expect(judgePort(reading, tcp(22))).toEqual({
        state: 'allowed',
        rule: '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
      });
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  test('legacy iptables tables, which nft cannot list: read with iptables-legacy-save, else not checked', async () => {
    const dir = tools({
      nft: 'mixed.json',
      'iptables-legacy-save': 'iptables-save.txt',
      'ip6tables-legacy-save': 'ip6tables-save.txt',
    });
    try {
      const procRoot = mkdtempSync(path.join(dir, 'proc-'));
      mkdirSync(path.join(procRoot, 'net'));
      writeFileSync(path.join(procRoot, 'net/ip_tables_names'), 'nat\nfilter\n');
      const reading = await readFirewall({path: dir, procRoot});
      expect(
        reading.checked && reading.chains.map(({family, name}) => `${family} ${name}`),
      ).toEqual(['inet input', 'ip6 inp', 'ip INPUT', 'ip6 INPUT']);
      // Both filters see the connection: the legacy INPUT's policy drop filters what nft allows.
      expect(judgePort(reading, {protocol: 'udp', localPort: 1500, family: 4})).toEqual({
        state: 'filtered',
        rule: 'policy drop of input chain ip filter INPUT',
      });
      rmSync(path.join(dir, 'iptables-legacy-save'));
      expect(await readFirewall({path: dir, procRoot})).toEqual({
        checked: false,
        why: 'legacy iptables rules, which nft cannot read',
      });
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});

describe('createCollectors', () => {
  test('includes the firewall, read every tenth poll', () => {
    const collectors = createCollectors(() => {}, {firewall: {path: ''}});
    expect(collectors.find(({name}) => name === 'firewall')).toMatchObject({every: 10});
  });
});

describe('nft -j reduced', () => {
  const mixed = reduceNftRuleset(JSON.parse(fixture('mixed.json')));
  const maps = reduceNftRuleset(JSON.parse(fixture('maps.json')));
  const reading = (chains: FirewallChain[]): FirewallReading => ({
    checked: true,
    source: 'nft',
    chains,
  });

  test('only filter chains on the input hook of ip, ip6 and inet, in priority order', () => {
    expect(
      mixed.chains.map(({family, table, name, policy}) => [family, table, name, policy]),
    ).toEqual([
      ['inet', 'filter', 'input', 'drop'],
      ['ip6', 'v6f', 'inp', 'accept'],
    ]);
  });

  test('each rule as protocol, ports, verdict and whether it matches more, with its text', () => {
    const rules = mixed.chains[0]!.rules;
    expect(rules.map(({text}) => text)).toEqual([
      'ct state established,related accept',
      'tcp dport { 22, 8080 } accept',
      'iifname "lo" accept',
      'udp dport 1000-2000 accept',
      'ip saddr 198.18.0.0/15 tcp dport 5432 accept',
      'tcp dport 9000 reject with tcp reset',
      'meta l4proto icmp accept',
      'ip6 nexthdr ipv6-icmp accept',
      'tcp dport 7000 counter drop',
      // `jump extra`, followed: the rules of chain extra stand in its place.
      'tcp dport 6000 accept (in chain extra)',
      'udp dport { 53, 5000-5010 } accept',
      'tcp dport != 23 accept',
      'th dport 4444 accept',
      'meta l4proto { tcp, udp } th dport 3000 accept',
      'log prefix "in: " drop',
    ]);
    const byText = (text: string) => rules.find((rule) => rule.text === text);
    expect(byText('tcp dport { 22, 8080 } accept')).toEqual({
      protocol: 'tcp',
      ports: [22, 8080],
      verdict: 'accept',
      conditional: false,
      text: 'tcp dport { 22, 8080 } accept',
    });
    expect(byText('udp dport { 53, 5000-5010 } accept')).toMatchObject({
      protocol: 'udp',
      ports: [53, [5000, 5010]],
    });
    expect(byText('ip saddr 198.18.0.0/15 tcp dport 5432 accept')).toMatchObject({
      protocol: 'tcp',
      ports: [5432],
      conditional: true,
      family: 4,
    });
    expect(byText('tcp dport 9000 reject with tcp reset')).toMatchObject({verdict: 'reject'});
    expect(byText('tcp dport 6000 accept (in chain extra)')).toMatchObject({
      protocol: 'tcp',
      ports: [6000],
      verdict: 'accept',
      conditional: false,
    });
    expect(byText('tcp dport != 23 accept')).toMatchObject({conditional: true, ports: null});
    // Nothing a new connection from another host can match: ICMP, loopback, established.
    for (const text of [
      'ct state established,related accept',
      'iifname "lo" accept',
      'meta l4proto icmp accept',
      'ip6 nexthdr ipv6-icmp accept',
    ]) {
      expect(byText(text)).toMatchObject({ports: []});
    }
  });

  test('judged on the captured rule set', () => {
    const all = reading(mixed.chains);
    expect(judgePort(all, {protocol: 'udp', localPort: 1500, family: 4})).toEqual({
      state: 'allowed',
      rule: 'udp dport 1000-2000 accept',
    });
    expect(judgePort(all, tcp(9000))).toEqual({
      state: 'filtered',
      rule: 'tcp dport 9000 reject with tcp reset',
    });
    expect(judgePort(all, tcp(7000))).toEqual({
      state: 'filtered',
      rule: 'tcp dport 7000 counter drop',
    });
    expect(judgePort(all, tcp(6000))).toEqual({
      state: 'allowed',
      rule: 'tcp dport 6000 accept (in chain extra)',
    });
    // A rule excluding one port comes before the final drop of everything else.
    expect(judgePort(all, tcp(9090))).toEqual({
      state: 'undecided',
      why: 'a rule that excludes some packets comes first: tcp dport != 23 accept',
    });
    // Dual-stack: IPv4 passes the inet chain, IPv6 the ip6 table's too, which drops 25.
    expect(judgePort(all, {protocol: 'tcp', localPort: 22, family: 6, dualStack: true})).toEqual({
      state: 'allowed',
      rule: 'tcp dport { 22, 8080 } accept',
    });
    expect(judgePort({checked: false, why: 'needs root'}, tcp(22))).toEqual({
      state: 'not-checked',
      why: 'needs root',
    });
  });

  test('verdict maps, comparisons, named sets, limits', () => {
    const all = reading(maps.chains);
    expect(maps.chains[0]!.rules[0]).toEqual({
      protocol: null,
      ports: [],
      verdict: 'other',
      conditional: false,
      text: 'ct state vmap { invalid : drop, established : accept, related : accept }',
    });
    expect(judgePort(all, tcp(22))).toEqual({
      state: 'allowed',
      rule: 'tcp dport vmap { 22 : accept, 8000-8100 : drop }',
    });
    expect(judgePort(all, tcp(8050))).toMatchObject({state: 'filtered'});
    expect(judgePort(all, tcp(61000))).toEqual({
      state: 'allowed',
      rule: 'tcp dport >= 60000 accept',
    });
    expect(judgePort(all, tcp(443))).toEqual({state: 'allowed', rule: 'tcp dport @allowed accept'});
    // IPv4: the rate-limited accept, then `ip protocol tcp accept` — accepted either way.
    expect(judgePort(all, tcp(9090))).toEqual({
      state: 'allowed',
      rule: 'ip protocol tcp accept comment "hello world"',
    });
    // IPv6: past the rate limit only the policy's drop is left: it depends on the rate.
    expect(judgePort(all, {...tcp(9090), family: 6})).toEqual({
      state: 'undecided',
      why: 'a rate limit comes first: limit rate 10/second accept',
    });
    // `meta nfproto ipv4 tcp dport 24 drop`: IPv4's 24 is dropped; for IPv6 the rule is not there.
    expect(maps.chains[0]!.rules.at(-1)).toMatchObject({family: 4, conditional: false});
  });

  test('rules iptables-nft wrote: nft shows their matches by name only, so they stay conditional', () => {
    const fromIptables = reduceNftRuleset(JSON.parse(fixture('iptables-nft.json')));
    expect(fromIptables.fromIptables.map(({family, name}) => `${family} ${name}`)).toEqual([
      'ip INPUT',
    ]);
    const input = fromIptables.chains[0]!;
    expect(input.rules[0]).toMatchObject({
      conditional: true,
      text: 'xt match "conntrack" counter accept',
    });
    // A comment is no condition; an xt REJECT target is a reject.
    expect(input.rules.find((rule) => rule.text.includes('9000'))).toMatchObject({
      conditional: false,
      verdict: 'drop',
    });
    expect(input.rules.find((rule) => rule.text.includes('53'))).toMatchObject({verdict: 'reject'});
    // An accept nft cannot read before the policy's drop: undecided (iptables-save could tell).
    expect(judgePort(reading(fromIptables.chains), tcp(9090))).toEqual({
      state: 'undecided',
      why: 'a rule from iptables that nft cannot show comes first: xt match "conntrack" counter accept',
    });
  });

  test("firewalld's layout: zones by goto, services in chains jumped to", () => {
    const firewalld = reading(reduceNftRuleset(JSON.parse(fixture('firewalld.json'))).chains);
    expect(judgePort(firewalld, tcp(22))).toEqual({
      state: 'allowed',
      rule: 'tcp dport 22 ct state { new, untracked } accept (in chain filter_IN_public_allow)',
    });
    // No service for it: the input chain's last rule rejects it.
    expect(judgePort(firewalld, tcp(8080))).toEqual({
      state: 'filtered',
      rule: 'reject with icmpx admin-prohibited',
    });
    // `ct status dnat accept` first is for connections a NAT rule sent here: it decides nothing.
    expect(firewalld.checked && firewalld.chains[0]!.rules[1]).toMatchObject({
      text: 'ct status dnat accept',
      ports: [],
    });
  });

  test('rule text from outside is one safe, bounded line', () => {
    const json = JSON.parse(fixture('mixed.json')) as {nftables: {rule?: {comment?: string}}[]};
    const rule = json.nftables.find((item) => item.rule)!.rule!;
    rule.comment = `\u001b]0;owned\u0007 \u009b2J\nsecond line ${'x'.repeat(400)}`;
    const text = reduceNftRuleset(json).chains[0]!.rules[0]!.text;
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(text.length).toBeLessThanOrEqual(160);
    expect(text).toMatch(
      /^ct state established,related accept comment ".*owned.*\\x9b2J.*second line x+…$/,
    );
  });

  test('anything but a ruleset is refused', () => {
    expect(() => reduceNftRuleset({rules: []})).toThrow(/ruleset/);
  });
});

describe('iptables-save reduced', () => {
  test('the INPUT chain of the filter table, its policy and its rules', () => {
    const chain = parseIptablesSave(fixture('iptables-save.txt'), 'ip')!;
    expect(chain).toMatchObject({family: 'ip', table: 'filter', name: 'INPUT', policy: 'drop'});
    expect(
      chain.rules.map(({protocol, ports, verdict, conditional}) => [
        protocol,
        ports,
        verdict,
        conditional,
      ]),
    ).toEqual([
      [null, [], 'accept', false], // conntrack RELATED,ESTABLISHED
      [null, [], 'accept', false], // -i lo
      ['tcp', [22], 'accept', false],
      ['tcp', [80, 443, [8000, 8100]], 'accept', false],
      ['tcp', [5432], 'accept', true], // -s 198.18.0.0/15
      ['udp', [53], 'reject', false],
      [null, [], 'accept', false], // icmp
      ['tcp', [9000], 'drop', false], // with a comment
      // the LOG rule decides nothing and is left out; -j extra leads to an empty chain
    ]);
    const reading: FirewallReading = {checked: true, source: 'iptables', chains: [chain]};
    expect(judgePort(reading, tcp(8080))).toEqual({
      state: 'allowed',
      rule: '-A INPUT -p tcp -m multiport --dports 80,443,8000:8100 -j ACCEPT',
    });
    expect(judgePort(reading, tcp(5432))).toEqual({
      state: 'undecided',
      why: 'a rule on source address comes first: -A INPUT -s 198.18.0.0/15 -p tcp -m tcp --dport 5432 -j ACCEPT',
    });
    expect(judgePort(reading, tcp(9999))).toEqual({
      state: 'filtered',
      rule: 'policy drop of input chain ip filter INPUT',
    });
  });

  test("ufw's chains, followed: its user rules decide, what it skips to the policy is filtered", () => {
    const chain = parseIptablesSave(fixture('ufw-iptables-save.txt'), 'ip')!;
    const reading: FirewallReading = {checked: true, source: 'iptables', chains: [chain]};
    expect(judgePort(reading, tcp(22))).toEqual({
      state: 'allowed',
      rule: '-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT',
    });
    expect(judgePort(reading, tcp(8005))).toEqual({
      state: 'allowed',
      rule: '-A ufw-user-input -p tcp -m multiport --dports 8000:8010 -j ACCEPT',
    });
    expect(judgePort(reading, tcp(8080))).toEqual({
      state: 'filtered',
      rule: 'policy drop of input chain ip filter INPUT',
    });
    // Reached through `-p tcp --dport 445 -j ufw-skip-to-policy-input`, whose rule drops all.
    expect(judgePort(reading, tcp(445))).toEqual({
      state: 'filtered',
      rule: '-A ufw-skip-to-policy-input -j DROP',
    });
    expect(judgePort(reading, {protocol: 'udp', localPort: 5353, family: 4})).toMatchObject({
      state: 'undecided',
      why: expect.stringMatching(/^a rule on destination address comes first: /) as unknown,
    });
  });

  test('no filter table: no chain', () => {
    expect(parseIptablesSave('*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n', 'ip')).toBeUndefined();
  });
});
