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
