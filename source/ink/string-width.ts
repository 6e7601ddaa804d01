/**
 * string-width as the bundle hands it to Ink and to porthole (scripts/bundle-options.mjs): the
 * simple answer when there is one (simple-width.ts), string-width itself, loaded on first need,
 * for the rest. CommonJS, so that the bundle can load string-width, and its segmenter and emoji
 * expression, when this first asks rather than when the dashboard starts.
 */
const {simpleWidth} = require('./simple-width.ts');

let full;

module.exports = function stringWidth(text, options) {
  if (options === undefined && typeof text === 'string') {
    const width = simpleWidth(text);
    if (width !== undefined) return width;
  }
  full ??= require('../../node_modules/string-width/index.js').default;
  return full(text, options);
};
