// zlib, for the simulator's audit: cloud-init reads user data that is gzip+base64, so the audit must read it too.
#ifndef CSE_CZLIB_SHIM_H
#define CSE_CZLIB_SHIM_H

#include <zlib.h>

// inflateInit2 is a macro, which Swift cannot call. windowBits 15 + 32: zlib or gzip headers, detected.
static inline int cse_inflate_init_auto(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}

#endif
