/** Renders the dashboard with ink-testing-library at a chosen size, from a store filled with fixed data. */
import {render} from 'ink-testing-library';
import {App} from '../../source/ui/app.js';
import {
  createPortholeStore,
  type PortholeStore,
  type StoreOptions,
} from '../../source/store/store.js';
import {
  createRequestController,
  type ControllerOptions,
  type RequestController,
} from '../../source/request/controller.js';
import type {NetworkInterface, Socket} from '../../source/model.js';
import {createTheme} from '../../source/ui/theme.js';
import type {Keymap} from '../../source/ui/keymap.js';
import type {PaneRegistry} from '../../source/ui/panes.js';
import {guardInkInput} from '../../source/ink/input.js';
import {waitFor} from './wait.js';

export const keys = {
  tab: '\t',
  shiftTab: '\u001B[Z',
  escape: '\u001B',
  enter: '\r',
  up: '\u001B[A',
  down: '\u001B[B',
  pageDown: '\u001B[6~',
  backspace: '\u007F',
  ctrlC: '\u0003',
  ctrlS: '\u0013',
} as const;

export const fixtureInterfaces: NetworkInterface[] = [
  {
    name: 'eth0',
    up: true,
    mac: '02:00:00:00:00:01',
    mtu: 1500,
    speed: 1000,
    defaultRoute: true,
    addresses: [
      {address: '192.168.1.20', family: 4, prefixLength: 24, kind: 'private'},
      {address: '2001:db8::20', family: 6, prefixLength: 64, kind: 'reserved'},
    ],
  },
  {
    name: 'lo',
    up: true,
    mac: null,
    mtu: 65536,
    speed: null,
    defaultRoute: false,
    addresses: [{address: '127.0.0.1', family: 4, prefixLength: 8, kind: 'loopback'}],
  },
  {name: 'wg0', up: false, mac: null, mtu: 1420, speed: null, defaultRoute: false, addresses: []},
];

export function socket(overrides: Partial<Socket>): Socket {
  return {
    protocol: 'tcp',
    family: 4,
    state: 'LISTEN',
    localAddress: '0.0.0.0',
    localPort: 80,
    peerAddress: '0.0.0.0',
    peerPort: 0,
    recvQ: 0,
    sendQ: 128,
    pid: 100,
    process: 'nginx',
    exposure: 'all-interfaces',
    inode: 1,
    ...overrides,
  };
}

export const fixtureSockets: Socket[] = [
  socket({localPort: 22, process: 'sshd', pid: 10, inode: 2}),
  socket({
    localAddress: '127.0.0.1',
    localPort: 5432,
    process: 'postgres',
    pid: 20,
    exposure: 'loopback',
    inode: 3,
  }),
  socket({
    family: 6,
    localAddress: '::1',
    peerAddress: '::',
    localPort: 6379,
    process: 'redis-server',
    pid: 30,
    exposure: 'loopback',
    inode: 4,
  }),
  socket({
    localAddress: '192.168.1.20',
    localPort: 8080,
    process: 'node',
    pid: 40,
    exposure: 'address',
    inode: 5,
  }),
  socket({
    protocol: 'udp',
    state: 'UNCONN',
    localPort: 53,
    process: 'dnsmasq',
    pid: 50,
    sendQ: 0,
    inode: 6,
  }),
  socket({
    state: 'ESTAB',
    localAddress: '192.168.1.20',
    localPort: 22,
    peerAddress: '192.168.1.7',
    peerPort: 50123,
    process: 'sshd',
    pid: 11,
    sendQ: 0,
    exposure: 'address',
    inode: 7,
  }),
  socket({
    state: 'TIME-WAIT',
    localAddress: '127.0.0.1',
    localPort: 5432,
    peerAddress: '127.0.0.1',
    peerPort: 40000,
    pid: null,
    process: null,
    sendQ: 0,
    exposure: 'loopback',
    inode: 0,
  }),
];

export type Rendered = ReturnType<typeof render> & {
  store: PortholeStore;
  requests: RequestController;
  /** The latest frame. */
  screen(): string;
  waitForScreen(test: (screen: string) => boolean, what: string): Promise<string>;
  press(...inputs: string[]): Promise<void>;
  resize(columns: number, rows: number): void;
};

export async function renderApp(
  options: StoreOptions & {
    columns?: number;
    rows?: number;
    color?: boolean;
    controller?: ControllerOptions;
    keymap?: Keymap;
    panes?: PaneRegistry;
  } = {},
): Promise<Rendered> {
  const {
    columns = 120,
    rows = 40,
    color = false,
    controller,
    keymap,
    panes,
    ...storeOptions
  } = options;
  const store = createPortholeStore({
    host: 'testhost',
    interfaces: fixtureInterfaces,
    sockets: fixtureSockets,
    ...storeOptions,
  });
  const requests = createRequestController(store, {historyPath: null, ...controller});
  const instance = render(
    <App
      store={store}
      requests={requests}
      keymap={keymap}
      theme={createTheme(color)}
      panes={panes}
    />,
  );
  // Keys reach the app as the CLI's keyboard() hands them over.
  guardInkInput(instance.stdin);
  const resize = (c: number, r: number) => {
    Object.defineProperty(instance.stdout, 'columns', {value: c, configurable: true});
    Object.defineProperty(instance.stdout, 'rows', {value: r, configurable: true});
    instance.stdout.emit('resize');
  };
  resize(columns, rows);
  const screen = () => instance.lastFrame() ?? '';
  const rendered: Rendered = {
    ...instance,
    store,
    requests,
    screen,
    async waitForScreen(test, what) {
      try {
        await waitFor(() => test(screen()), what, 3000);
      } catch (error) {
        throw new Error(`${(error as Error).message}; the screen was:\n${screen()}`);
      }
      return screen();
    },
    async press(...inputs) {
      for (const input of inputs) {
        instance.stdin.write(input);
        // A lone Esc is held back briefly by Ink in case a sequence follows.
        await new Promise((resolve) => setTimeout(resolve, input === keys.escape ? 30 : 5));
      }
    },
    resize,
  };
  // Ink subscribes to input in an effect: give it a tick before the first key.
  await rendered.waitForScreen((s) => s.includes('porthole'), 'the first frame');
  return rendered;
}
