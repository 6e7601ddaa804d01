/**
 * A curl command line read into plain data: what each option asked for, before any file is read.
 * One reader makes it from a paste, from `porthole request`'s arguments and from `--url`.
 */

/** One -d/--data…/--json part, in the order given; parts are joined with `&` (--json: nothing). */
export type DataPart = {
  kind: 'ascii' | 'binary' | 'raw' | 'urlencode' | 'json';
  /** As given: `@file` and `@-` are read when the request is planned (not for raw). */
  value: string;
};

/** One -F/--form part: `name=value`, `name=@file;type=…;filename=…`, `name=<file`. */
export type FormPart = {
  name: string;
  /** The literal value, or the file's path for `@`/`<` parts. */
  value: string;
  /** `@file` uploads a file; `<file` sends its content as a plain field. */
  source: 'text' | 'file' | 'content';
  type?: string;
  filename?: string;
  /** Sent as given with --form-string (no @ or < meaning). */
};

/** Options that shape what `porthole request` prints, as curl's do; the pane ignores them with a note. */
export type OutputOptions = {
  silent: boolean;
  showError: boolean;
  verbose: boolean;
  include: boolean;
  fail: boolean;
  /** -o FILE; '-' is stdout. */
  output?: string;
  /** -O: the file name is the last segment of the URL's path. */
  remoteName: boolean;
  /** -w FORMAT, as given (curl's `%{…}` variables and `\n` escapes are expanded when printed). */
  writeOut?: string;
  /** --fail-with-body: as -f, but the body of an HTTP error is still written. */
  failWithBody?: boolean;
  /** -N: follow a body that keeps coming (a stream) as it arrives, for as long as it lasts. */
  noBuffer?: boolean;
};

export type CurlCommand = {
  /** As given: a missing scheme is filled in (http://) when the request is planned. */
  url: string;
  /** -X, as written. */
  method?: string;
  /** -I */
  head: boolean;
  /** -G: the data goes into the query. */
  get: boolean;
  /** Each -H argument, as written (`Name: value`, `Name;` sends it empty, `Name:` removes it). */
  headers: string[];
  data: DataPart[];
  form: FormPart[];
  /** -T FILE ('-' is stdin). */
  upload?: string;
  /** --url-query, each as given. */
  urlQuery: string[];
  /** -u as given: `name:password`, or `name` alone (the password is asked for). */
  user?: string;
  bearer?: string;
  userAgent?: string;
  referer?: string;
  /** -b: each a cookie string (`a=1; b=2`) or a cookie file's path. */
  cookies: string[];
  /** -c FILE */
  cookieJar?: string;
  range?: string;
  compressed: boolean;
  insecure: boolean;
  location: boolean;
  maxRedirs?: number;
  maxTimeSeconds?: number;
  connectTimeoutSeconds?: number;
  /** --resolve, each as given (`host:port:addr[,addr]`). */
  resolve: string[];
  /** --connect-to, each as given (`host:port:toHost:toPort`). */
  connectTo: string[];
  unixSocket?: string;
  /** --cacert FILE: more certificate authorities to trust (PEM). */
  cacert?: string;
  /** --capath DIR: every PEM certificate in DIR is trusted too. */
  capath?: string;
  /** -E/--cert as given: `FILE` or `FILE:PASSWORD` (a backslash before a colon keeps it in the name). */
  cert?: string;
  /** --cert-type and --key-type as given; only PEM is read. */
  certType?: string;
  keyType?: string;
  /** --key FILE: the client certificate's private key (PEM), when not in --cert's file. */
  key?: string;
  /** --pass: the private key's passphrase. */
  pass?: string;
  /** --pinnedpubkey as given: `sha256//HASH[;sha256//HASH…]` or a public key file (PEM or DER). */
  pinnedPublicKey?: string;
  /** --path-as-is: dot segments (`/../`) are sent as written. */
  pathAsIs?: boolean;
  family?: 4 | 6;
  httpVersion?: '1.0' | '1.1' | '2' | '2-prior-knowledge';
  output: OutputOptions;
  /** Options that were read and mean nothing to a request (`--progress-bar`, `-N`…), as written. */
  ignored: string[];
};
