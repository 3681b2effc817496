"""The one TLS trust store every outgoing client in the process shares.

Loading a CA bundle costs about 20 ms (OpenSSL parses every certificate in it), and each
httpx client loads its own: on a Lambda cold start whose request reads the settings secret
and the table, that was two loads on the request's path. One context, made on first use,
serves every pool; an SSLContext is safe to share between connections and event loops.
`SSL_CERT_FILE` and `SSL_CERT_DIR` are honoured as httpx honours them.

It may outlive a SnapStart snapshot: it holds trusted certificates and no session state
(a client-side context caches no sessions unless one is passed in by hand), and the restore
hook reseeds OpenSSL's generator.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def trust_store() -> ssl.SSLContext:
    return httpx.create_ssl_context()
