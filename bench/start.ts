/**
 * Figures 1 and 4 alone: start-up to the first frame (the single file under Node, and the single
 * executable) beside `node -e 0`, and a whole `porthole --json` run at 10,000 sockets beside
 * `ss -tanp` and the least a Node program does to list sockets with owners. Part of
 * `npm run bench`; alone (about 2 minutes): node --import tsx bench/start.ts [pairs]
 */
import {jsonRun, startUp, type JsonRun, type Spread, type StartUp} from './dashboard.js';
import {startHolders, stopHolders} from './sockets.js';

export type StartFigures = {start: StartUp; json: JsonRun; sockets: number};

export async function startFigures(pairs = 5000, runs = 10): Promise<StartFigures> {
  const start = await startUp(runs);
  const holders = await startHolders(pairs);
  try {
    return {start, json: jsonRun(runs), sockets: pairs * 2};
  } finally {
    await stopHolders(holders);
  }
}

const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;
const times = (ours: number, theirs: number) => `${(ours / theirs).toFixed(2)}x`;
const verdict = (met: boolean) => (met ? 'met' : '**not met**');
const spreadText = (value: Spread) => `${ms(value.median)} median, ${ms(value.p90)} p90`;

/** The table rows of figures 1 and 4: the targets are ratios to a peer timed in the same run. */
export function startRows({start, json, sockets}: StartFigures): string[][] {
  const bare = start.nodeBare.median;
  const floor = json.nodeFloor.median;
  const frameRow = (what: string, value: Spread): string[] => [
    `1 start-up to the first frame, ${what}`,
    spreadText(value),
    `\`node -e 0\`: ${ms(bare)}`,
    times(value.median, bare),
    `≤ 2x: ${verdict(value.median <= 2 * bare)}`,
  ];
  const jsonRow = (what: string, value: Spread): string[] => [
    `4 one-shot \`porthole --json\`, ${sockets.toLocaleString('en-US')} sockets, whole process, ${what}`,
    `${ms(value.median)} median`,
    `a Node program listing sockets and owners: ${ms(floor)}; \`ss -tanp\`: ${ms(json.ss.median)}`,
    `${times(value.median, floor)} (${times(value.median, json.ss.median)} of ss)`,
    `≤ 1.15x the Node floor: ${verdict(value.median <= 1.15 * floor)}`,
  ];
  return [
    ...(start.executable ? [frameRow('the executable', start.executable)] : []),
    frameRow('`node porthole.mjs`, with its code cache', start.firstFrame),
    frameRow('`node porthole.mjs`, its first run (no code cache yet)', start.firstRun),
    ...(json.executable ? [jsonRow('the executable', json.executable)] : []),
    jsonRow('`node porthole.mjs`', json.porthole),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pairs = Number(process.argv[2] ?? 5000);
  const figures = await startFigures(pairs);
  for (const row of startRows(figures)) console.log(`| ${row.join(' | ')} |`);
}
