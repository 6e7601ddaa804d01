import {useEffect, useState} from 'react';

/** The time, refreshed every `periodMs` while `active`: for clocks and things that expire on screen. */
export function useClock(periodMs: number, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs, active]);
  return now;
}

/**
 * Whether something stamped `at` is less than `ms` old: true at once, false from the moment it runs
 * out (one re-render then, not one a second).
 */
export function useFresh(at: number | undefined, ms: number): boolean {
  const [expiredAt, setExpiredAt] = useState<number | undefined>();
  useEffect(() => {
    if (at === undefined) return;
    const timer = setTimeout(() => setExpiredAt(at), Math.max(0, at + ms - Date.now()));
    return () => clearTimeout(timer);
  }, [at, ms]);
  return at !== undefined && expiredAt !== at;
}
