import {createContext, useContext} from 'react';
import {createRowsMemo, rowsInput, type RowsOf} from './sockets-view.js';
import {hostOf, type HostId, type PortholeState} from '../../store/store.js';
import {HostContext} from '../store-context.js';

/** The rows memo of one dashboard: its Sockets pane and that pane's keys read the same rows. */
export const SocketRowsContext = createContext<RowsOf | undefined>(undefined);

export {createRowsMemo};

/** The shown host's rows for a store state, through the dashboard's memo. */
export function useRowsOf(): (state: PortholeState) => ReturnType<RowsOf> {
  const memo = useContext(SocketRowsContext);
  const given: HostId | undefined = useContext(HostContext);
  if (!memo) throw new Error('porthole: the Sockets pane was rendered outside <App>');
  return (state) => memo(rowsInput(state, hostOf(state, given ?? state.currentHost)));
}
