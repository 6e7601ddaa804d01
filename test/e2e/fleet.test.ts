/**
 * The fleet in a real terminal (tmux), through the built CLI: three hosts made by the test
 * (network namespaces each running sshd, with HTTP listeners on their own 127.0.0.1 and on all
 * their interfaces) and this machine, in one dashboard. Needs `npm run build` and root.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cliPath, hasTmux, openTerminal, type Terminal} from '../helpers/tmux.js';
import {
  canMakeHosts,
  createTestFleet,
  type TestFleet,
  type TestHost,
} from '../helpers/ssh-hosts.js';
import {waitFor} from '../helpers/wait.js';

const ready = hasTmux() && existsSync(cliPath) && canMakeHosts;
let terminal: Terminal | undefined;
let fleet: TestFleet | undefined;

afterEach(() => {
  terminal?.close();
  terminal = undefined;
});

beforeAll(async () => {
  if (ready) fleet = await createTestFleet(3);
}, 60_000);
afterAll(async () => {
  await fleet?.cleanup();
});

/** The ssh processes a process started (its children named ssh). */
function sshChildren(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name === 'ssh' && Number(fields[1]) === parent) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`);

/** The row of a host in the Hosts pane. */
const hostRow = (screen: string, host: TestHost) =>
  screen.split('\n').find((line) => line.includes(host.name)) ?? '';

describe.runIf(ready)('the fleet in a real terminal', () => {
  it('shows each host with its own sockets, requests a loopback-only service through ssh, survives a host going down, and ends every ssh on quit', async () => {
    const hosts = fleet!.hosts as [TestHost, TestHost, TestHost];
    const [a, b] = hosts;
    terminal = openTerminal(120, 40);
    terminal.runCli(
      `--interval 500ms ${hosts.map((host) => `--host ${host.name}`).join(' ')} --ssh-config ${fleet!.sshConfig}`,
    );
    const first = await terminal.waitForScreen(
      (s) => s.includes('4 hosts up'),
      'every host up',
      30_000,
    );
    for (const host of hosts) expect(hostRow(first, host)).toMatch(/\bup\b/);

    // The Hosts pane comes before Addresses: Shift-Tab reaches it, Enter on a row shows that host.
    terminal.keys('BTab');
    await terminal.waitForScreen((s) => s.includes('▶ Hosts'), 'the Hosts pane focused');
    terminal.keys('j');
    terminal.keys('Enter');
    const shown = await terminal.waitForScreen(
      (s) =>
        s.includes(`Sockets — ${a.name}`) &&
        s.includes(`0.0.0.0:${a.allPort}`) &&
        s.includes(`127.0.0.1:${a.loopbackPort}`),
      `${a.name}'s own listeners`,
      15_000,
    );
    expect(shown).toContain(`Addresses — ${a.name}`);
    expect(shown).toContain(`${a.address}/30`);
    // Reach is judged by that host's addresses: its sshd answers on its one address alone.
    const sshdRow = shown.split('\n').find((line) => line.includes(`${a.address}:22 `)) ?? '';
    expect(sshdRow).toContain('ssh');
    expect(sshdRow).toMatch(
      new RegExp(`:22\\s.*\\s[A-Za-z-]+ ${a.address.replaceAll('.', '\\.')}\\s`),
    );
    // Another host's listener is not this host's (unless the two ports happen to match).
    if (![a.allPort, a.loopbackPort].includes(b.allPort)) {
      expect(shown).not.toContain(`0.0.0.0:${b.allPort}`);
    }

    // A listener on the host's own 127.0.0.1, requested from here: through the host's ssh.
    terminal.keys('Tab', 'Tab');
    await terminal.waitForScreen((s) => s.includes(`▶ Sockets — ${a.name}`), 'the Sockets pane');
    terminal.type('/');
    terminal.type(`:${a.loopbackPort}`);
    await terminal.waitForScreen((s) => s.includes('1-1 of 1'), 'the filtered row');
    terminal.keys('Enter');
    await terminal.waitForScreen((s) => s.includes('Enter request'), 'the filter kept');
    terminal.keys('Enter');
    await terminal.waitForScreen(
      (s) => s.includes(`http://127.0.0.1:${a.loopbackPort}/`),
      'the request filled in',
    );
    terminal.keys('Enter');
    const answered = await terminal.waitForScreen(
      (s) => s.includes(`loopback ${a.name}`),
      'the loopback-only listener answering',
      20_000,
    );
    expect(answered).toMatch(new RegExp(`200 OK .* via ssh ${a.name}`));

    // A host going down stays in its row, with why; the others go on; it comes back.
    const pid = await terminal.pid();
    await waitFor(() => sshChildren(pid).length >= 3, 'an ssh master per host');
    await b.stopSshd({sessions: true});
    const down = await terminal.waitForScreen(
      (s) => /down/.test(hostRow(s, b)),
      `${b.name} down`,
      30_000,
    );
    expect(down).toContain('3 hosts up · 1 down');
    expect(hostRow(down, a)).toMatch(/\bup\b/);
    await b.startSshd();
    await terminal.waitForScreen((s) => s.includes('4 hosts up'), `${b.name} back`, 60_000);

    // Quit: the terminal is restored and no ssh process porthole started is left.
    const children = sshChildren(pid);
    expect(children.length).toBeGreaterThanOrEqual(3);
    terminal.keys('q');
    await terminal.waitForScreen((s) => s.includes('EXITED 0'), 'EXITED 0', 15_000);
    expect(terminal.format('#{alternate_on}')).toBe('0');
    await waitFor(() => children.every((child) => !alive(child)), 'every ssh process ended');
  }, 180_000);

  it('ends every ssh process and restores the terminal when its own session drops (SIGHUP)', async () => {
    const hosts = fleet!.hosts;
    terminal = openTerminal(100, 30);
    terminal.runCli(
      `${hosts.map((host) => `--host ${host.name}`).join(' ')} --ssh-config ${fleet!.sshConfig}`,
    );
    await terminal.waitForScreen((s) => s.includes('4 hosts up'), 'every host up', 30_000);
    const pid = await terminal.pid();
    await waitFor(() => sshChildren(pid).length >= 3, 'an ssh master per host');
    const children = sshChildren(pid);
    process.kill(pid, 'SIGHUP');
    await terminal.waitForScreen((s) => s.includes('EXITED 129'), 'EXITED 129', 15_000);
    expect(terminal.format('#{alternate_on}')).toBe('0');
    await waitFor(() => children.every((child) => !alive(child)), 'every ssh process ended');
  }, 90_000);
});
