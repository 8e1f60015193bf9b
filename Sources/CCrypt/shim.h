// libcrypt (libxcrypt on Debian and Ubuntu, libcrypt-dev): the system's crypt(3), for SHA-512 crypt password hashes.
#ifndef CSE_CCRYPT_SHIM_H
#define CSE_CCRYPT_SHIM_H

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

// Hashes `phrase` with `setting` (e.g. "$6$SALT") into `out` (`out_size` bytes, CRYPT_OUTPUT_SIZE is enough). crypt_r's
// work area is large (tens of KB): it lives on the heap and is wiped before it is freed. Returns 0 on success, -1 when
// the setting is not supported or malformed (crypt_r then returns a string starting with '*').
static inline int cse_crypt(const char *phrase, const char *setting, char *out, size_t out_size) {
    struct crypt_data *data = calloc(1, sizeof *data);
    if (data == NULL) return -1;
    const char *hash = crypt_r(phrase, setting, data);
    int ok = hash != NULL && hash[0] != '*' && strlen(hash) < out_size;
    if (ok) strcpy(out, hash);
    explicit_bzero(data, sizeof *data);
    free(data);
    return ok ? 0 : -1;
}

#endif
