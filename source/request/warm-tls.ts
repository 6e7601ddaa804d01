/**
 * A certificate for the engine's warming server: the in-process TLS handshake on loopback that
 * runs before the first real request, so that TLS's first use (OpenSSL's and Node's TLS code
 * paths) is not timed as the first request's. The key is a throwaway made for this alone: it
 * protects nothing, the warming client skips verification, and it never leaves the process.
 */
export const warmingKey = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGkEltLr5tQ0gBCST
icSr0ATYtkHAAwyRuD3+ReyJVnihRANCAAQsIrKedwE1EkKcQKmGKMAUou6tJj/T
wZwgCTSZQIQysvxUf5p58e2OTV6aDIwd5Fizmy1oot8n7b8ZNg0Nko1k
-----END PRIVATE KEY-----
`;

export const warmingCertificate = `-----BEGIN CERTIFICATE-----
MIIBljCCAT2gAwIBAgIUdJAAc0lQrVdUNUxbtVaZPIsRtCgwCgYIKoZIzj0EAwIw
IDEeMBwGA1UEAwwVcG9ydGhvbGUtd2FybS5pbnZhbGlkMCAXDTI2MTIwMTIzMTUz
N1oYDzIxMjYxMTA3MjMxNTM3WjAgMR4wHAYDVQQDDBVwb3J0aG9sZS13YXJtLmlu
dmFsaWQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQsIrKedwE1EkKcQKmGKMAU
ou6tJj/TwZwgCTSZQIQysvxUf5p58e2OTV6aDIwd5Fizmy1oot8n7b8ZNg0Nko1k
o1MwUTAdBgNVHQ4EFgQUYGZWgni8JN8Qc+cVwNnpmW/aqzwwHwYDVR0jBBgwFoAU
YGZWgni8JN8Qc+cVwNnpmW/aqzwwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD
AgNHADBEAiAYq7opqSduIRJ+mTILq+twRqkwAq/MhfDi1qEElyEtWgIgAfJUZ/y9
nIPxD83cx3g/gz1fCFX0Gk89aAtiUOrZPvE=
-----END CERTIFICATE-----
`;
