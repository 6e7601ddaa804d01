/** porthole's version, as sent in the User-Agent header and shown by --version. */
export const version = '0.1.0';
