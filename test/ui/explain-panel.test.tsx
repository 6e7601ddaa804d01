/** The explain key (i): the same in every pane, a panel about what that pane has selected. */
import type {Server} from 'node:http';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {fixtureInterfaces, keys, renderApp, socket} from '../helpers/render-app.js';
import {httpServer, type Loopback} from '../helpers/servers.js';
import {applyHostPatch} from '../../source/store/store.js';
import {helpLines} from '../../source/ui/help-overlay.js';
import {createKeymap} from '../../source/ui/keymap.js';

let server: Loopback<Server>;
beforeAll(async () => {
  server = await httpServer((_request, response) => {
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Made-Up', 'yes');
    response.statusCode = 404;
    response.end('nothing here\n');
  });
});
afterAll(() => server.close());
afterEach(() => cleanup());

const panelOpen = (screen: string) => screen.includes('Explain · Esc closes');

describe('the explain key', () => {
  it('explains the Addresses pane from its top row: each address with its kind and RFC, the interface', async () => {
    const app = await renderApp();
    await app.press('i');
    const panel = await app.waitForScreen(panelOpen, 'the explain panel');
    expect(panel).toContain('eth0 192.168.1.20/24');
    expect(panel).toContain(
      'eth0 (up, default route) 192.168.1.20/24 is private: private network (RFC 1918).',
    );
    expect(panel).toContain('2001:db8::20/64 is reserved: documentation (RFC 3849).');
    expect(panel).toContain('lo (up) 127.0.0.1/8 is loopback');
    expect(panel).toContain('wg0 (down): no address');
    expect(panel).toContain('Who can reach it: machines on the same network');
    await app.press(keys.escape);
    await app.waitForScreen((s) => !panelOpen(s) && s.includes('INTERFACE'), 'the panes back');
  });

  it('starts from the row the Addresses pane is scrolled to', async () => {
    // More addresses than the pane has rows for, so that it scrolls.
    const many = Array.from({length: 30}, (_, index) => ({
      address: `10.0.0.${index + 1}`,
      family: 4 as const,
      prefixLength: 24,
      kind: 'private' as const,
    }));
    const app = await renderApp({
      interfaces: [
        {...fixtureInterfaces[0]!, addresses: many},
        {
          ...fixtureInterfaces[1]!,
          addresses: [{...many[0]!, address: '169.254.7.7', kind: 'link-local'}],
        },
      ],
    });
    await app.press('j', 'j');
    await app.waitForScreen(() => app.store.getState().addressesScroll === 2, 'scrolled two rows');
    await app.press('i');
    const panel = await app.waitForScreen(panelOpen, 'the explain panel');
    expect(panel).toContain('eth0 10.0.0.3/24');
    expect(panel).not.toContain('10.0.0.2/24 is private');
    expect(panel).toContain('10.0.0.4/24 is private');
  });

  it("explains the Sockets pane's selected row: state, reach on the host's addresses, queues", async () => {
    const app = await renderApp({focus: 'sockets'});
    await app.waitForScreen((s) => s.includes('sshd'), 'the sockets');
    await app.press('i');
    const panel = await app.waitForScreen(panelOpen, 'the explain panel');
    expect(panel).toContain('tcp 0.0.0.0:22 LISTEN sshd');
    expect(panel).toContain('reach: LAN 192.168.1.20');
    expect(panel).toContain('Answers on 192.168.1.20 (eth0, private)');
    expect(panel).toContain('queues: 0 waiting of a backlog of 128');
    // i closes it too; the next row is another socket.
    await app.press('i');
    await app.waitForScreen((s) => !panelOpen(s), 'closed with i');
    await app.press('j', 'i');
    const next = await app.waitForScreen(panelOpen, 'the panel on the next row');
    expect(next).toContain('LISTEN');
    expect(next).not.toContain('tcp 0.0.0.0:22 LISTEN sshd');
  });

  it('says when a listener is dual-stack, runs in a container, or has a full accept queue', async () => {
    const app = await renderApp({
      focus: 'sockets',
      sockets: [
        socket({
          family: 6,
          localAddress: '::',
          peerAddress: '::',
          localPort: 8443,
          dualStack: true,
          recvQ: 128,
          sendQ: 128,
          process: 'web',
          container: {engine: 'docker', id: 'ab'.repeat(32), name: 'shop'},
        }),
      ],
    });
    await app.waitForScreen((s) => s.includes('8443'), 'the socket');
    await app.press('i');
    await app.waitForScreen(panelOpen, 'the explain panel');
    const seen: string[] = [app.screen()];
    // Longer than the room: ↓ scrolls to the end.
    for (let step = 0; step < 30; step++) {
      await app.press(keys.down);
      seen.push(app.screen());
    }
    const all = seen.join('\n');
    expect(all).toContain('tcp *:8443 LISTEN');
    expect(all).toContain('queues: 128 waiting of a backlog of 128');
    expect(all).toContain('nearly) full');
    expect(all).toContain('dual-stack');
    expect(all).toContain('container: shop (docker)');
  });

  it("says what this host's firewall does with a listener's port, by which rule or policy", async () => {
    const app = await renderApp({focus: 'sockets'});
    applyHostPatch(app.store, 'local', {
      firewall: {
        checked: true,
        source: 'nft',
        chains: [
          {
            family: 'inet',
            table: 'filter',
            name: 'input',
            policy: 'drop',
            rules: [
              {
                protocol: 'tcp',
                ports: [22],
                verdict: 'accept',
                conditional: false,
                text: 'tcp dport 22 accept',
              },
            ],
          },
        ],
      },
    });
    await app.waitForScreen((s) => s.includes('sshd'), 'the sockets');
    await app.press('i');
    const ssh = await app.waitForScreen(panelOpen, 'the panel on port 22');
    expect(ssh).toContain('firewall: allowed');
    expect(ssh).toContain('tcp dport 22 accept');
    await app.press('i', 'j', 'i');
    await app.waitForScreen(
      (s) => panelOpen(s) && !s.includes('0.0.0.0:22 '),
      'the panel on the next row',
    );
    const next = app.screen();
    expect(next).toContain('firewall: filtered');
    expect(next).toContain('policy drop');
    // A listener on loopback: no other host gets to the filter, so it is not named.
    await app.press('i', 'j', 'i');
    const loopback = await app.waitForScreen(
      (s) => panelOpen(s) && s.includes('127.0.0.1:5432'),
      'the panel on the loopback listener',
    );
    expect(loopback).toContain('reach: this host');
    expect(loopback).not.toContain('firewall:');
  });

  it('says the firewall is not checked before it has been read, never a guess', async () => {
    const app = await renderApp({focus: 'sockets'});
    await app.waitForScreen((s) => s.includes('sshd'), 'the sockets');
    await app.press('i');
    const panel = await app.waitForScreen(panelOpen, 'the panel');
    expect(panel).toContain('Not checked: the firewall has not been read yet.');
    expect(panel).not.toContain('Allowed');
  });

  it('explains the response in the Request pane: status, method, the top header and transcript layer; q closes without quitting', async () => {
    const url = `${server.origin}/missing`;
    const app = await renderApp({focus: 'request', request: {url, caret: url.length}});
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('404 Not Found'), 'the response');
    await app.press('i');
    const panel = await app.waitForScreen(panelOpen, 'the explain panel');
    expect(panel).toContain(`GET ${url} → 404`);
    expect(panel).toContain('RFC 9110 §15.5.5');
    expect(panel).toContain('Safe to send again');
    await app.press('q');
    await app.waitForScreen((s) => !panelOpen(s) && s.includes('404 Not Found'), 'closed with q');
    await app.press('v');
    await app.waitForScreen((s) => s.includes('Cache-Control: no-store'), 'the headers tab');
    await app.press('i');
    const headers = await app.waitForScreen(panelOpen, 'the panel on the headers tab');
    expect(headers).toContain('Cache-Control');
    expect(headers).toContain('RFC 9111 §5.2');
    await app.press(keys.escape);
    await app.waitForScreen((s) => !panelOpen(s), 'closed');
    await app.press('v', 'v', 'v');
    await app.waitForScreen((s) => s.includes('> GET /missing HTTP/1.1'), 'the transcript tab');
    expect(app.screen()).toMatch(/TCP {2}\* Trying 127\.0\.0\.1:\d+/);
    await app.press('i');
    const transcript = await app.waitForScreen(panelOpen, 'the panel on the transcript tab');
    expect(transcript).toContain('TCP (the line at the top)');
    expect(transcript).toContain('* (info)');
  });

  it('is text while a field is edited, and the Request pane edits with e alone', async () => {
    const app = await renderApp({focus: 'request'});
    await app.press('i');
    const panel = await app.waitForScreen(panelOpen, 'the panel, not the editor');
    expect(panel).toContain('no response yet');
    expect(panel).toContain('Safe to send again');
    await app.press(keys.escape);
    await app.waitForScreen((s) => !panelOpen(s), 'closed');
    await app.press('e', 'hi');
    await app.waitForScreen(
      () => app.store.getState().request.url === 'hi',
      'i typed into the URL',
    );
    expect(panelOpen(app.screen())).toBe(false);
  });

  it('fits 80x24: no line wider than the terminal, the frame no taller', async () => {
    const app = await renderApp({focus: 'sockets', columns: 80, rows: 24});
    await app.waitForScreen((s) => s.includes('sshd'), 'the sockets');
    await app.press('i');
    const panel = await app.waitForScreen(panelOpen, 'the explain panel');
    const lines = panel.split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(panel).toContain('↑/↓ scroll');
    expect(lines.at(-1)).toContain('Esc close');
  });

  it('is in the footer hints and the help, and free in every pane', () => {
    const keymap = createKeymap();
    expect(keymap.action('global', 'i')).toBe('explain');
    for (const scope of ['hosts', 'addresses', 'sockets', 'events', 'request'] as const) {
      expect(keymap.action(scope, 'i'), scope).toBeUndefined();
    }
    const help = helpLines(keymap).map((line) => line.text);
    expect(help.some((line) => /^ {2}i +explain the selected/.test(line))).toBe(true);
    expect(help).toContain('Explain panel (after i)');
  });

  it('shows i explain in the footer', async () => {
    const app = await renderApp({columns: 200});
    expect(app.screen().split('\n').at(-1)).toContain('i explain');
  });
});
