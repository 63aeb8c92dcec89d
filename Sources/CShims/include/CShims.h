#ifndef SCALEGUARD_CSHIMS_H
#define SCALEGUARD_CSHIMS_H

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <time.h>

/* OpenSSL macros and constants that Swift cannot call or see, wrapped as functions. */

/* TLS 1.2 and 1.3 only, no compression, no renegotiation, server cipher preference,
   and a peer that closes without close_notify read as end of file. */
int sg_ssl_ctx_harden_server(SSL_CTX *ctx);
/* TLS 1.2 and later for a client. */
int sg_ssl_ctx_harden_client(SSL_CTX *ctx);
/* Selects ALPN "http/1.1" when the client offers it; carries on without ALPN otherwise. */
void sg_ssl_ctx_select_http11(SSL_CTX *ctx);
/* Offers ALPN "http/1.1" as a client. */
int sg_ssl_set_alpn_http11(SSL *ssl);
/* Server name indication for a client connection. */
int sg_ssl_set_sni(SSL *ssl, const char *host);
/* The names of the client certificate of a connection, if it presented one that verified: the subject's CN on
   the first line (empty if none), then each DNS, URI and email subjectAltName on a line of its own. Writes at most
   cap - 1 bytes and a NUL; returns the length, or -1 without a verified client certificate. */
int sg_ssl_verified_peer_names(SSL *ssl, char *out, size_t cap);
/* Seconds since the epoch at which the context's certificate expires, or -1. */
int64_t sg_ssl_ctx_cert_not_after(SSL_CTX *ctx);

#endif
