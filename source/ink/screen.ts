/**
 * Rows of the terminal the dashboard leaves to Ink. Ink 6.8 clears the whole terminal before
 * every frame once the last one was as tall as the terminal (vadimdemedes/ink#450), which
 * flickers; a frame one row short of it is redrawn in place.
 */
export const inkReservedRows = 1;
