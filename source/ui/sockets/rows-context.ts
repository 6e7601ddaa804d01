import {createContext, useContext} from 'react';
import {createRowsMemo, fleetInput, rowsInput, type RowsOf} from './sockets-view.js';
import {hostLabel} from '../hosts/hosts-view.js';
import {hostOf, type HostId, type PortholeState} from '../../store/store.js';
import {HostContext} from '../store-context.js';

/** The rows memo of one dashboard: its Sockets pane and that pane's keys read the same rows. */
export const SocketRowsContext = createContext<RowsOf | undefined>(undefined);

export {createRowsMemo};

/** Whether the Sockets pane shows every host's sockets in one table. */
export function showsAllHosts(state: PortholeState): boolean {
  return state.socketsView.allHosts && state.hostOrder.length > 1;
}

/** The shown host's rows (or every host's) for a store state, through the dashboard's memo. */
export function useRowsOf(): (state: PortholeState) => ReturnType<RowsOf> {
  const memo = useContext(SocketRowsContext);
  const given: HostId | undefined = useContext(HostContext);
  if (!memo) throw new Error('porthole: the Sockets pane was rendered outside <App>');
  return (state) =>
    memo(
      given === undefined && showsAllHosts(state)
        ? fleetInput(state, hostLabel)
        : rowsInput(state, hostOf(state, given ?? state.currentHost)),
    );
}
