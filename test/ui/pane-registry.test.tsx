import {useState} from 'react';
import {Text} from 'ink';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {keys, renderApp} from '../helpers/render-app.js';
import {addFleet} from '../helpers/fleet-fixture.js';
import {builtInPanes, type PaneSpec} from '../../source/ui/panes.js';
import {Pane, type PaneProps} from '../../source/ui/pane.js';
import {usePaneInput} from '../../source/ui/use-pane-input.js';
import {drawnRows, layoutPanes, paneHeights} from '../../source/ui/layout.js';
import {createKeymap} from '../../source/ui/keymap.js';
import {helpLines} from '../../source/ui/help-overlay.js';

afterEach(() => cleanup());

const focusedPane = (screen: string) => /▶ (\w+)/.exec(screen)?.[1];

/** A pane that counts the keys it is given: added by one registry entry. */
function NotesPane({width, height, focused}: PaneProps) {
  const [count, setCount] = useState(0);
  usePaneInput('notes', (name) => {
    if (name === 'n') setCount((value) => value + 1);
  });
  return (
    <Pane title="Notes" focused={focused} width={width} height={height}>
      {Array.from({length: height}, (_, index) => (
        <Text key={index}>{`note line ${index} · ${count} notes`}</Text>
      ))}
    </Pane>
  );
}

const notes: PaneSpec = {
  name: 'notes',
  title: 'Notes',
  scopes: [],
  component: NotesPane,
  layout: {kind: 'content', share: 0.3, min: 2, besideGreedy: 0.12},
  wanted: () => 4,
  keys: [{keys: ['n'], help: 'take a note'}],
};

describe('pane registry', () => {
  it('lays out, focuses, routes keys to and lists in the help a pane added by one entry', async () => {
    const app = await renderApp({panes: [...builtInPanes, notes], columns: 200, rows: 60});
    const screen = app.screen();
    const drawn = screen.split('\n');
    const title = drawn.findIndex((line) => line.slice(2).startsWith('Notes'));
    // Below the Request pane, as tall as it wants (title and three lines).
    expect(title).toBeGreaterThan(drawn.findIndex((line) => line.slice(2).startsWith('Request')));
    expect(drawn.filter((line) => line.startsWith('note line'))).toHaveLength(3);
    expect(drawn.length).toBeLessThanOrEqual(59);

    // Tab: Addresses → Sockets → Request → Notes → Addresses (Hosts hidden: one host).
    await app.press(keys.tab, keys.tab, keys.tab);
    await app.waitForScreen((s) => focusedPane(s) === 'Notes', 'Notes focused');
    await app.press('n', 'n');
    await app.waitForScreen((s) => s.includes('2 notes'), 'keys routed to the pane');
    await app.press(keys.tab);
    await app.waitForScreen((s) => focusedPane(s) === 'Addresses', 'round to Addresses');
    await app.press(keys.shiftTab);
    await app.waitForScreen((s) => focusedPane(s) === 'Notes', 'Shift-Tab back to Notes');

    await app.press('?');
    const help = await app.waitForScreen((s) => s.includes('take a note'), 'the help');
    expect(help).toContain('Notes');
    const lines = helpLines(createKeymap(), [...builtInPanes, notes]).map((line) => line.text);
    const heading = lines.indexOf('Notes');
    expect(heading).toBeGreaterThan(lines.indexOf('Request'));
    expect(lines[heading + 1]).toMatch(/^ {2}n\s+take a note$/);
  });

  it('skips the Hosts pane in the focus order while there is one host, and takes it in after', async () => {
    const app = await renderApp();
    await app.press(keys.shiftTab);
    await app.waitForScreen((s) => focusedPane(s) === 'Request', 'Request before Addresses');
    addFleet(app.store);
    await app.press(keys.tab);
    await app.waitForScreen((s) => focusedPane(s) === 'Hosts', 'Hosts after Request');
  });
});

/** The three panes' heights as they were worked out before the registry, kept as the reference. */
function reference(rows: number, focus: 'addresses' | 'sockets' | 'request', wanted: number) {
  const available = Math.max(3, drawnRows(rows) - 2);
  const share = (part: number, min: number) => Math.max(min, Math.floor(available * part));
  const cap = (part: number) => Math.min(wanted, share(part, 2));
  if (focus === 'request') {
    const addresses = cap(0.12);
    const sockets = Math.min(share(0.15, 3), available - addresses - 4);
    return {
      addresses,
      sockets: Math.max(2, sockets),
      request: available - addresses - Math.max(2, sockets),
    };
  }
  if (focus === 'addresses') {
    const sockets = share(0.3, 3);
    const addresses = Math.min(wanted, available - 2 - sockets);
    return {addresses, sockets: available - 2 - addresses, request: 2};
  }
  const addresses = cap(0.3);
  return {addresses, sockets: available - 2 - addresses, request: 2};
}

describe('layout from the registry', () => {
  it('gives the three panes exactly the rows they had before, at every size and focus', () => {
    for (let rows = 10; rows <= 100; rows++) {
      for (const focus of ['addresses', 'sockets', 'request'] as const) {
        for (let wanted = 2; wanted <= 60; wanted++) {
          expect(paneHeights(rows, focus, wanted), `${rows} ${focus} ${wanted}`).toEqual(
            reference(rows, focus, wanted),
          );
        }
      }
    }
  });

  it('with the Hosts pane, fills the rows exactly and never gives a pane less than its title', () => {
    for (let rows = 10; rows <= 80; rows++) {
      for (const focus of ['hosts', 'addresses', 'sockets', 'request']) {
        for (const hosts of [2, 4, 30]) {
          const panes = builtInPanes.map((pane) => ({
            name: pane.name,
            layout: pane.layout,
            wanted: pane.name === 'hosts' ? hosts + 2 : pane.name === 'addresses' ? 6 : undefined,
          }));
          const heights = layoutPanes(rows, focus, panes);
          const sum = Object.values(heights).reduce((a, b) => a + b, 0);
          expect(sum, `${rows} ${focus} ${hosts}`).toBe(drawnRows(rows) - 2);
          for (const pane of panes) expect(heights[pane.name]).toBeGreaterThanOrEqual(1);
          // Every host listed at 24 rows, unless the Request pane has the screen.
          if (rows >= 24 && hosts <= 4 && focus !== 'request') {
            expect(heights.hosts, `${rows} ${focus} ${hosts}`).toBe(hosts + 2);
          }
        }
      }
    }
  });
});

describe('typed key actions', () => {
  it('gives each scope its own actions, which the compiler checks', () => {
    const keymap = createKeymap();
    const action = keymap.action('sockets', 'H');
    expect(action).toBe('all-hosts');
    // @ts-expect-error: a misspelt action does not compile (tsc checks the tests).
    expect(action === 'all-hots').toBe(false);
    // @ts-expect-error: a scope's action is not another scope's (`send` is the Request pane's).
    expect(keymap.action('hosts', 'enter') === 'send').toBe(false);
    expect(keymap.action('hosts', 'enter')).toBe('show-host');
  });
});
