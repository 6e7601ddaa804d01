/**
 * Colours. Every label is also a word, so with NO_COLOR (or --no-color, or theme "mono") nothing is
 * lost; colour only helps the eye.
 */
import {createContext, useContext} from 'react';
import type {AddressKind} from '../net/classify.js';
import type {Exposure, Reach, SocketState} from '../model.js';
import type {StatusClass} from '../request/types.js';

export type ThemeName = 'default' | 'mono';
export const themeNames: readonly ThemeName[] = ['default', 'mono'];

export type Theme = {
  color: boolean;
  accent: string | undefined;
  warning: string | undefined;
  error: string | undefined;
  ok: string | undefined;
  muted: string | undefined;
  kind(kind: AddressKind): string | undefined;
  exposure(exposure: Exposure): string | undefined;
  /** Who can reach a listener: the internet loudest, a network a warning, this host calm. */
  reach(reach: Reach): string | undefined;
  state(state: SocketState): string | undefined;
  status(statusClass: StatusClass): string | undefined;
};

const kindColors: Record<AddressKind, string> = {
  loopback: 'gray',
  private: 'green',
  'link-local': 'cyan',
  cgnat: 'blue',
  multicast: 'magenta',
  unspecified: 'gray',
  reserved: 'yellow',
  public: 'red',
};

const exposureColors: Record<Exposure, string> = {
  'all-interfaces': 'yellow',
  loopback: 'green',
  address: 'cyan',
};

/** The internet is also bold where it is drawn (the table's REACH), so it stands out without colour. */
const reachColors: Record<Reach, string> = {
  internet: 'red',
  network: 'yellow',
  'this host': 'green',
};

const statusColors: Record<StatusClass, string> = {
  informational: 'cyan',
  success: 'green',
  redirection: 'yellow',
  'client error': 'red',
  'server error': 'red',
  unknown: 'magenta',
};

export function createTheme(color: boolean): Theme {
  const pick = (value: string) => (color ? value : undefined);
  return {
    color,
    accent: pick('cyan'),
    warning: pick('yellow'),
    error: pick('red'),
    ok: pick('green'),
    muted: pick('gray'),
    kind: (kind) => pick(kindColors[kind]),
    exposure: (exposure) => pick(exposureColors[exposure]),
    reach: (reach) => pick(reachColors[reach]),
    state: (state) =>
      state === 'LISTEN' || state === 'UNCONN'
        ? pick('green')
        : state === 'ESTAB'
          ? undefined
          : pick('gray'),
    status: (statusClass) => pick(statusColors[statusClass]),
  };
}

/** Colour is on unless NO_COLOR is set to anything, --no-color was given, or the theme is mono. */
export function wantsColor(env: NodeJS.ProcessEnv, flag: boolean, theme: ThemeName): boolean {
  return flag && theme !== 'mono' && !env.NO_COLOR && env.TERM !== 'dumb';
}

export const ThemeContext = createContext<Theme>(createTheme(true));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
