#!/usr/bin/env node
/**
 * porthole's entry: parse the command line, then either print (help, version, JSON, a plain
 * snapshot, one request) or build the store and collectors and render the dashboard.
 * Modules only the dashboard needs are imported when it starts, so scripted runs load less.
 */
import os from 'node:os';
import process from 'node:process';
import {helpText, parseCommand, UsageError, type Command} from './source/cli/flags.js';
import {version} from './source/version.js';
import type {FleetPlan, planFleet as PlanFleet} from './source/fleet/targets.js';

function fail(message: string, code: number): never {
  process.stderr.write(`porthole: ${message}\n`);
  process.exit(code);
}

async function printSnapshot(command: Extract<Command, {kind: 'json' | 'plain'}>, note?: string) {
  // `porthole --json | head` closes the pipe early: stop quietly, as Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    fail(`cannot write to stdout: ${error.message}`, 1);
  });
  const [{readSnapshot}, config, {planFleet}] = await Promise.all([
    import('./source/snapshot.js'),
    import('./source/cli/config.js'),
    import('./source/fleet/targets.js'),
  ]);
  const loaded = config.loadConfig();
  process.stderr.write(config.configProblemLines(loaded));
  const plan = fleetPlan(planFleet, command.fleet, loaded.config);
  if (plan.targets.length > 0) return printFleetSnapshot(command, plan, note);
  const {snapshot: snap, ownersHidden} = await readSnapshot({
    procRoot: command.procRoot,
    sysRoot: command.sysRoot,
    source: command.source,
  });
  if (command.kind === 'json') {
    // Indented for a person at a terminal, one line for a program (half the bytes at 10k sockets).
    process.stdout.write(JSON.stringify(snap, null, process.stdout.isTTY ? 2 : undefined) + '\n');
    return;
  }
  const {plainSnapshot} = await import('./source/cli/plain.js');
  if (note) process.stderr.write(`porthole: ${note}\n`);
  process.stdout.write(plainSnapshot(snap, {all: command.all, ownersHidden}));
}

/** The hosts to watch, or the one line that says why the command line names none that can be. */
function fleetPlan(plan: typeof PlanFleet, ...args: Parameters<typeof PlanFleet>): FleetPlan {
  try {
    return plan(...args);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error), 2);
  }
}

/** `--json` / the plain snapshot of several hosts; exits 1 when some host could not be read. */
async function printFleetSnapshot(
  command: Extract<Command, {kind: 'json' | 'plain'}>,
  plan: FleetPlan,
  note: string | undefined,
) {
  // Ended by a signal, the process still runs its exit hooks: they end the ssh processes.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => process.exit(128 + os.constants.signals[signal]));
  }
  const {readFleetSnapshot} = await import('./source/fleet/fleet-snapshot.js');
  const {snapshot: fleet, ownersHidden} = await readFleetSnapshot(plan, {
    procRoot: command.procRoot,
    sysRoot: command.sysRoot,
    source: command.source,
  });
  if (fleet.hosts.some((host) => host.error !== null)) process.exitCode = 1;
  if (command.kind === 'json') {
    process.stdout.write(JSON.stringify(fleet, null, process.stdout.isTTY ? 2 : undefined) + '\n');
    return;
  }
  const [{plainSnapshot}, {sanitizeLine}] = await Promise.all([
    import('./source/cli/plain.js'),
    import('./source/sanitize.js'),
  ]);
  if (note) process.stderr.write(`porthole: ${note}\n`);
  fleet.hosts.forEach((host, index) => {
    const name = sanitizeLine(host.target ?? host.host ?? 'this machine');
    if (index > 0) process.stdout.write('\n');
    if (host.error !== null || host.host === null || host.source === null) {
      process.stdout.write(`== ${name}: ${sanitizeLine(host.error ?? 'no reading')}\n`);
      return;
    }
    process.stdout.write(`== ${name}\n`);
    const snap = {...host, host: host.host, source: host.source};
    process.stdout.write(
      plainSnapshot(snap, {all: command.all, ownersHidden: ownersHidden[index] ?? false}),
    );
  });
}

async function dashboard(command: Extract<Command, {kind: 'dashboard'}>) {
  // Before Ink and chalk load, just below (source/ink/environment.ts says why).
  const {clearInkCiDetection} = await import('./source/ink/environment.js');
  clearInkCiDetection(process.env);
  const {tuneHeapForDashboard} = await import('./source/ui/heap.js');
  tuneHeapForDashboard();
  const [
    {render},
    {App},
    store,
    localFeed,
    fleetModule,
    requestModule,
    config,
    keymap,
    theme,
    terminal,
    input,
  ] = await Promise.all([
    import('ink'),
    import('./source/ui/app.js'),
    import('./source/store/store.js'),
    import('./source/fleet/local-host-feed.js'),
    import('./source/fleet/fleet.js'),
    import('./source/request/controller.js'),
    import('./source/cli/config.js'),
    import('./source/ui/keymap.js'),
    import('./source/ui/theme.js'),
    import('./source/terminal.js'),
    import('./source/cli/terminal-input.js'),
  ]);
  const [actions, {formOfUrlFlag}, {isSuspendRequest}, {planFleet}] = await Promise.all([
    import('./source/ui/request/request-actions.js'),
    import('./source/cli/url-flag.js'),
    import('./source/ui/suspend-request.js'),
    import('./source/fleet/targets.js'),
  ]);
  const loaded = config.loadConfig();
  for (const problem of loaded.problems)
    process.stderr.write(`porthole: ${loaded.file}: ${problem}\n`);
  const plan = fleetPlan(planFleet, command.fleet, loaded.config);
  const stdin = input.keyboard();

  const portholeStore = store.createPortholeStore({
    host: os.hostname(),
    intervalMs: command.intervalMs ?? loaded.config.intervalMs ?? 1000,
    socketsView: {showAll: command.all},
    noLocal: !plan.local,
  });
  // The SSH side loads only when there are hosts to watch.
  const remote =
    plan.targets.length === 0
      ? {feeds: [], via: () => undefined, dispose: () => Promise.resolve()}
      : await (
          await import('./source/fleet/remote-hosts.js')
        ).createRemoteHosts(portholeStore, plan, {intervalMs: portholeStore.getState().intervalMs});
  if (loaded.problems.length > 0) {
    store.notify(portholeStore, `${loaded.file}: ${loaded.problems[0]}`);
  }
  const requests = requestModule.createRequestController(portholeStore, {
    // A request is timed with the polls held back, so no /proc read runs inside its phases.
    quiet: () => fleet.quiet(portholeStore.getState().request.requestHost),
    // A request from another host's side goes through that host's ssh connection.
    via: (host) => remote.via(host),
    // Warmed once the screen is up and idle, so that the first request waits for nothing.
    prewarmAfterMs: 1500,
    // Ink draws at most every 50 ms (maxFps 20 below); the "sending" frame goes out before the clock starts.
    frameSettleMs: 60,
    copy: (text) =>
      process.stdout.write(`\u001B]52;c;${Buffer.from(text).toString('base64')}\u0007`),
    timeoutMs:
      command.timeoutSeconds === undefined
        ? loaded.config.requestTimeoutMs
        : command.timeoutSeconds * 1000,
  });
  if (command.url !== undefined) {
    // A URL or a whole curl command; -X names the method over the command's.
    const {form, notes, problem} = formOfUrlFlag(command.url, command.method);
    actions.openRequest(portholeStore, form.url, form.method);
    actions.fillForm(portholeStore, form, {notes, field: 'url'});
    if (problem !== undefined) {
      actions.updateRequest(portholeStore, {fieldProblem: {field: 'url', text: problem}});
      store.notify(portholeStore, `--url: ${problem}`);
    }
  }
  const localFeeds = !plan.local
    ? []
    : [
        localFeed.createLocalHostFeed({
          sink: fleetModule.hostSink(portholeStore, 'local'),
          intervalMs: portholeStore.getState().intervalMs,
          onStretch: (effectiveIntervalMs) => portholeStore.setState({effectiveIntervalMs}),
          procRoot: command.procRoot,
          sysRoot: command.sysRoot,
          socketSource: command.source,
        }),
      ];
  const fleet = fleetModule.createFleet(portholeStore, [...localFeeds, ...remote.feeds]);

  // The interfaces are read in a millisecond: the first frame shows them. Sockets arrive after.
  const first = fleet.start();
  await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 20))]);
  let unmount = () => {};
  const screen = terminal.enterFullScreen(
    {stdout: process.stdout, stdin},
    () => unmount(),
    (error) => {
      const message = error instanceof Error ? error.message : String(error);
      store.notify(portholeStore, `internal error (kept running): ${message}`);
    },
  );
  const useColor = theme.wantsColor(process.env, command.color, loaded.config.theme ?? 'default');
  const app = (
    <App
      store={portholeStore}
      requests={requests}
      keymap={keymap.createKeymap(loaded.config.keys)}
      theme={theme.createTheme(useColor)}
    />
  );
  void requests.loadHistory();
  // Ctrl-Z ends this drawing of the app; `fg` draws it again from the same store.
  for (;;) {
    const instance = render(app, {stdin, exitOnCtrlC: false, maxFps: 20});
    unmount = () => instance.unmount();
    if (!isSuspendRequest(await instance.waitUntilExit())) break;
    if (!(await screen.suspend())) {
      store.notify(portholeStore, 'Ctrl-Z: no shell with job control to suspend to; q quits');
    }
  }
  await fleet.stop();
  await remote.dispose();
  // Kept connections close with the dashboard, not when the process gets round to it.
  requests.dispose();
  screen.restore();
}

async function main() {
  let command: Command;
  try {
    command = parseCommand(process.argv.slice(2), Boolean(process.stdout.isTTY));
  } catch (error) {
    if (error instanceof UsageError) fail(error.message, 2);
    throw error;
  }
  switch (command.kind) {
    case 'help':
      process.stdout.write(helpText() + '\n');
      return;
    case 'version':
      process.stdout.write(version + '\n');
      return;
    case 'request': {
      const [{runRequestCommand}, {loadConfig}] = await Promise.all([
        import('./source/cli/request-command.js'),
        import('./source/cli/config.js'),
      ]);
      const loaded = loadConfig();
      process.exitCode = await runRequestCommand(command.args, {
        stdout: process.stdout,
        stderr: process.stderr,
        defaults: {
          timeoutMs: loaded.config.requestTimeoutMs,
          problems: loaded.problems.map((problem) => `${loaded.file}: ${problem}`),
        },
      });
      return;
    }
    case 'explain': {
      const {runExplainCommand} = await import('./source/cli/explain-command.js');
      process.exitCode = runExplainCommand(command.words, {
        stdout: process.stdout,
        stderr: process.stderr,
      });
      return;
    }
    case 'completions': {
      const {runCompletionsCommand} = await import('./source/cli/completions.js');
      process.exitCode = runCompletionsCommand(command.words, {
        stdout: process.stdout,
        stderr: process.stderr,
      });
      return;
    }
    case 'json':
    case 'plain':
      return printSnapshot(command);
    case 'dashboard': {
      const {canDrawDashboard} = await import('./source/cli/terminal-input.js');
      const reason = canDrawDashboard(process.env);
      if (reason) return printSnapshot({...command, kind: 'plain'}, reason);
      return dashboard(command);
    }
  }
}

main().catch((error: unknown) => {
  fail(error instanceof Error ? error.message : String(error), 1);
});
