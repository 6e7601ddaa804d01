/** Plain formatting of figures for the screen; no colours, no I/O. */

const binaryUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/**
 * 1536 -> "1.5 KiB"; whole bytes below 1 KiB; three significant figures at most above it. The
 * figure is rounded first, so 1023.9 B is "1.0 KiB", never "1024 B". Every size and rate on the
 * screen goes through here.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < binaryUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  const rounded = (figure: number) => {
    const tenths = figure.toFixed(1);
    return unit === 0 || Number(tenths) >= 100 ? figure.toFixed(0) : tenths;
  };
  let text = rounded(value);
  if (Number(text) >= 1024 && unit < binaryUnits.length - 1) {
    unit++;
    text = rounded(value / 1024);
  }
  return `${text} ${binaryUnits[unit]}`;
}

/** Bytes per second, or "—" while a rate is not known yet (it needs two samples). */
export function formatRate(bytesPerSecond: number | undefined): string {
  if (bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond) || bytesPerSecond < 0)
    return '—';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** 0.42 -> "0.42 ms", 12.3 -> "12.3 ms", 1520 -> "1.52 s". */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** An interval as a person writes it: 500 -> "500ms", 2000 -> "2s", 1500 -> "1.5s". */
export function formatInterval(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${Number((ms / 1000).toFixed(1))}s`;
}

/** Wall-clock time of day, local, to the second: "09:03:07". */
export function formatClock(at: number): string {
  const date = new Date(at);
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((part) => String(part).padStart(2, '0'))
    .join(':');
}

/** Time since launch, as a timeline shows it: "+4.2s", "+3m07s", "+2h05m". */
export function formatSinceLaunch(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `+${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `+${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `+${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

const sparks = '▁▂▃▄▅▆▇█';

/** The last `width` values as a sparkline scaled to their maximum; blanks where there is no history. */
export function sparkline(values: readonly number[], width: number): string {
  const recent = values.slice(-width);
  const max = Math.max(0, ...recent);
  const line = recent
    .map((value) => {
      if (max === 0) return sparks[0];
      const index = Math.min(sparks.length - 1, Math.floor((value / max) * sparks.length));
      return sparks[Math.max(0, index)];
    })
    .join('');
  return line.padStart(width, ' ');
}

const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;

/** Parses "500ms", "2s", "1.5s", "1m" or a bare number of milliseconds; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = durationPattern.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2] ?? 'ms';
  const ms = unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Pads or cuts plain text to exactly `width` columns (ASCII-width text only, such as figures). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (text.length > width) return width > 1 ? text.slice(0, width - 1) + '…' : text.slice(0, width);
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}
