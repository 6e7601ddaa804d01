/**
 * Requests sent from the Request pane, kept across runs as JSON lines in the XDG state directory.
 * Requests can carry credentials, so the directory is private (0700) and the file 0600.
 */
import {chmod, mkdir, open, readFile, rename, rm} from 'node:fs/promises';
import {homedir} from 'node:os';
import path from 'node:path';

export type HistoryEntry = {
  /** When it was sent, ISO 8601. */
  at: string;
  method: string;
  url: string;
  /** One `Name: value` per line. */
  headers: string;
  body: string;
  /** Every other curl option, as shell words. */
  options?: string;
  insecure?: boolean;
  followRedirects?: boolean;
  status?: number;
  error?: string;
};

export const historyLimit = 200;

/** The same request (what was sent, not when or what came back). */
export function sameRequest(a: HistoryEntry | undefined, b: HistoryEntry): boolean {
  return (
    a !== undefined &&
    a.method === b.method &&
    a.url === b.url &&
    a.headers === b.headers &&
    a.body === b.body &&
    (a.options ?? '') === (b.options ?? '') &&
    (a.insecure ?? false) === (b.insecure ?? false) &&
    (a.followRedirects ?? false) === (b.followRedirects ?? false)
  );
}

/** The entries with one more: a request repeated right after itself replaces its last entry. */
export function withEntry(entries: readonly HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  const kept = sameRequest(entries.at(-1), entry) ? entries.slice(0, -1) : entries;
  return [...kept, entry].slice(-historyLimit);
}

/** `$XDG_STATE_HOME/porthole/history.jsonl`, or under `~/.local/state` when that is unset or relative. */
export function historyFile(env: NodeJS.ProcessEnv = process.env): string {
  const state = env['XDG_STATE_HOME'];
  const base =
    state !== undefined && path.isAbsolute(state)
      ? state
      : path.join(env['HOME'] ?? homedir(), '.local', 'state');
  return path.join(base, 'porthole', 'history.jsonl');
}

/** Entries oldest first; a missing or unreadable file is an empty history, unreadable lines are skipped. */
export async function loadHistory(file: string): Promise<HistoryEntry[]> {
  return (await readHistory(file)).entries;
}

/** As loadHistory, with the reason when the file exists but cannot be read. */
export async function readHistory(
  file: string,
): Promise<{entries: HistoryEntry[]; error: string | undefined}> {
  try {
    return {entries: parseEntries(await readFile(file, 'utf8')), error: undefined};
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return {entries: [], error: undefined};
    return {entries: [], error: `cannot read history ${file}: ${errorMessage(error)}`};
  }
}

function parseEntries(text: string): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = toEntry(JSON.parse(line));
      if (entry !== undefined) entries.push(entry);
    } catch {
      // A torn or hand-edited line costs that entry, not the whole history.
    }
  }
  return entries;
}

function toEntry(value: unknown): HistoryEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const {at, method, url, headers, body, options, insecure, followRedirects, status, error} =
    record;
  if (typeof at !== 'string' || typeof method !== 'string' || typeof url !== 'string') {
    return undefined;
  }
  const entry: HistoryEntry = {
    at,
    method,
    url,
    headers: typeof headers === 'string' ? headers : '',
    body: typeof body === 'string' ? body : '',
  };
  if (typeof options === 'string' && options !== '') entry.options = options;
  if (insecure === true) entry.insecure = true;
  if (followRedirects === true) entry.followRedirects = true;
  if (typeof status === 'number' && Number.isInteger(status)) entry.status = status;
  if (typeof error === 'string') entry.error = error;
  return entry;
}

const pending = new Map<string, Promise<unknown>>();

/**
 * Adds an entry (replacing the last one when it is the same request) and keeps the newest historyLimit. The file is rewritten through a temporary file
 * and a rename, so a reader never sees half a file; appends from one process run one at a time.
 * Returns undefined, or a message saying why the history could not be written.
 */
export async function appendHistory(
  file: string,
  entry: HistoryEntry,
): Promise<string | undefined> {
  const previous = pending.get(file) ?? Promise.resolve();
  const next = previous.then(() => writeWith(file, entry));
  pending.set(file, next);
  try {
    return await next;
  } finally {
    if (pending.get(file) === next) pending.delete(file);
  }
}

async function writeWith(file: string, entry: HistoryEntry): Promise<string | undefined> {
  const directory = path.dirname(file);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(directory, {recursive: true, mode: 0o700});
    await chmod(directory, 0o700);
    const loaded = await readHistory(file);
    // An unreadable history is left as it is rather than replaced by one entry.
    if (loaded.error !== undefined) return loaded.error;
    const entries = withEntry(loaded.entries, entry);
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(entries.map((each) => JSON.stringify(each) + '\n').join(''));
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
    return undefined;
  } catch (error) {
    await rm(temporary, {force: true}).catch(() => undefined);
    return `cannot write history ${file}: ${errorMessage(error)}`;
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String(error.code)
    : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
