/**
 * The one curl reader: a paste, `porthole request`'s arguments and `--url` all go through it, and
 * "copy as curl" comes out of it.
 */
export type {CurlCommand, DataPart, FormPart, OutputOptions} from './types.js';
export {curlOptionHelp, readCurlArgs, readCurlText} from './read.js';
export {planRequest, urlProblem, withScheme, type PlanIo, type PlannedRequest} from './plan.js';
export {commandOfForm, emptyForm, formOfCommand, toCurl, type CurlForm} from './form.js';
export {cookieJarText} from './cookies.js';
