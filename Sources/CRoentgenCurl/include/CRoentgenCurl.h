// CRoentgenCurl: the libcurl "easy" interface, loaded at run time with dlopen.
//
// libcurl.so.4 is already on every Linux machine that runs Swift: FoundationNetworking (URLSession)
// links against it. Its development headers are not needed: this module loads the library with
// dlopen("libcurl.so.4") on first use, looks up the few easy-interface functions with dlsym, and
// exposes typed (non-variadic) wrappers Swift can call. Nothing links against -lcurl.
// When the library cannot be loaded, roentgen_curl_load returns NULL and the caller falls back
// to URLSession.
//
// The option, info and error numbers below are libcurl's stable ABI. They are the values of
// curl/curl.h (libcurl 7.x and 8.x), where
//   CURLOPTTYPE_LONG = 0, CURLOPTTYPE_OBJECTPOINT = 10000, CURLOPTTYPE_FUNCTIONPOINT = 20000,
//   CURLOPTTYPE_OFF_T = 30000 and an option is TYPE + NUMBER (`CURLOPT(name, type, number)`);
//   CURLINFO_STRING = 0x100000, CURLINFO_LONG = 0x200000, CURLINFO_OFF_T = 0x600000 and an info
//   id is TYPE + NUMBER;
//   CURLcode values are the positions in curl.h's `CURLcode` enum (CURLE_OK = 0).
// libcurl never renumbers an option (its ABI promise, docs/libcurl/ABI.md); each line names the
// curl.h entry it copies.
#ifndef CROENTGEN_CURL_H
#define CROENTGEN_CURL_H

#include <stddef.h>
#include <stdint.h>

// MARK: CURLoption values (curl.h `CURLOPT(name, type, number)`)
enum {
    RC_CURLOPT_URL = 10000 + 2,              // CURLOPT(CURLOPT_URL, STRINGPOINT, 2)
    RC_CURLOPT_ERRORBUFFER = 10000 + 10,     // CURLOPT(CURLOPT_ERRORBUFFER, OBJECTPOINT, 10)
    RC_CURLOPT_WRITEFUNCTION = 20000 + 11,   // CURLOPT(CURLOPT_WRITEFUNCTION, FUNCTIONPOINT, 11)
    RC_CURLOPT_USERAGENT = 10000 + 18,       // CURLOPT(CURLOPT_USERAGENT, STRINGPOINT, 18)
    RC_CURLOPT_HTTPHEADER = 10000 + 23,      // CURLOPT(CURLOPT_HTTPHEADER, SLISTPOINT, 23)
    RC_CURLOPT_WRITEDATA = 10000 + 1,        // CURLOPT(CURLOPT_WRITEDATA, CBPOINT, 1)
    RC_CURLOPT_HEADERDATA = 10000 + 29,      // CURLOPT(CURLOPT_HEADERDATA, CBPOINT, 29)
    RC_CURLOPT_NOPROGRESS = 43,              // CURLOPT(CURLOPT_NOPROGRESS, LONG, 43)
    RC_CURLOPT_FOLLOWLOCATION = 52,          // CURLOPT(CURLOPT_FOLLOWLOCATION, LONG, 52)
    RC_CURLOPT_XFERINFODATA = 10000 + 57,    // CURLOPT(CURLOPT_XFERINFODATA, CBPOINT, 57)
    RC_CURLOPT_CAINFO = 10000 + 65,          // CURLOPT(CURLOPT_CAINFO, STRINGPOINT, 65)
    RC_CURLOPT_MAXREDIRS = 68,               // CURLOPT(CURLOPT_MAXREDIRS, LONG, 68)
    RC_CURLOPT_HEADERFUNCTION = 20000 + 79,  // CURLOPT(CURLOPT_HEADERFUNCTION, FUNCTIONPOINT, 79)
    RC_CURLOPT_HTTPGET = 80,                 // CURLOPT(CURLOPT_HTTPGET, LONG, 80)
    RC_CURLOPT_BUFFERSIZE = 98,              // CURLOPT(CURLOPT_BUFFERSIZE, LONG, 98)
    RC_CURLOPT_NOSIGNAL = 99,                // CURLOPT(CURLOPT_NOSIGNAL, LONG, 99)
    RC_CURLOPT_CONNECTTIMEOUT_MS = 156,      // CURLOPT(CURLOPT_CONNECTTIMEOUT_MS, LONG, 156)
    RC_CURLOPT_PROTOCOLS = 181,              // CURLOPT(CURLOPT_PROTOCOLS, LONG, 181)
    RC_CURLOPT_REDIR_PROTOCOLS = 182,        // CURLOPT(CURLOPT_REDIR_PROTOCOLS, LONG, 182)
    RC_CURLOPT_XFERINFOFUNCTION = 20000 + 219, // CURLOPT(CURLOPT_XFERINFOFUNCTION, FUNCTIONPOINT, 219)
};

// CURLPROTO_HTTP (1<<0) | CURLPROTO_HTTPS (1<<1), for RC_CURLOPT_PROTOCOLS / _REDIR_PROTOCOLS.
#define RC_CURLPROTO_HTTP_HTTPS 3L
// CURL_ERROR_SIZE: the size an RC_CURLOPT_ERRORBUFFER must have.
#define RC_CURL_ERROR_SIZE 256

// MARK: CURLINFO values (curl.h `CURLINFO_x = CURLINFO_type + n`)
enum {
    RC_CURLINFO_EFFECTIVE_URL = 0x100000 + 1,  // CURLINFO_EFFECTIVE_URL = CURLINFO_STRING + 1
    RC_CURLINFO_RESPONSE_CODE = 0x200000 + 2,  // CURLINFO_RESPONSE_CODE = CURLINFO_LONG + 2
};

// MARK: CURLcode values (positions in curl.h's CURLcode enum)
enum {
    RC_CURLE_OK = 0,
    RC_CURLE_UNSUPPORTED_PROTOCOL = 1,
    RC_CURLE_COULDNT_RESOLVE_PROXY = 5,
    RC_CURLE_COULDNT_RESOLVE_HOST = 6,
    RC_CURLE_COULDNT_CONNECT = 7,
    RC_CURLE_PARTIAL_FILE = 18,
    RC_CURLE_WRITE_ERROR = 23,
    RC_CURLE_OPERATION_TIMEDOUT = 28,
    RC_CURLE_ABORTED_BY_CALLBACK = 42,
    RC_CURLE_TOO_MANY_REDIRECTS = 47,
    RC_CURLE_GOT_NOTHING = 52,
    RC_CURLE_RECV_ERROR = 56,
    RC_CURLE_PEER_FAILED_VERIFICATION = 60,
};

/// The body and header callbacks: fwrite-shaped; must return `size * nitems` to go on
/// (anything else aborts the transfer with CURLE_WRITE_ERROR).
typedef size_t (*roentgen_curl_write_fn)(char *data, size_t size, size_t nitems, void *user);
/// The transfer-info callback (curl_xferinfo_callback; curl_off_t is int64_t on LP64 Linux):
/// return non-zero to abort with CURLE_ABORTED_BY_CALLBACK.
typedef int (*roentgen_curl_xferinfo_fn)(void *user, int64_t dltotal, int64_t dlnow, int64_t ultotal, int64_t ulnow);

/// A loaded libcurl: an opaque table of the resolved functions.
typedef struct roentgen_curl roentgen_curl;

/// Loads `soname` (e.g. "libcurl.so.4") with dlopen(RTLD_NOW | RTLD_LOCAL), resolves the
/// functions and runs curl_global_init once. Returns NULL (with the reason in `error`, at most
/// `error_size` bytes) when the library or a function is missing. The table is never freed.
const roentgen_curl *roentgen_curl_load(const char *soname, char *error, size_t error_size);

/// curl_version(): e.g. "libcurl/7.88.1 OpenSSL/3.0.17 zlib/1.2.13 …".
const char *roentgen_curl_version(const roentgen_curl *lib);

void *roentgen_curl_easy_init(const roentgen_curl *lib);
void roentgen_curl_easy_cleanup(const roentgen_curl *lib, void *easy);
int roentgen_curl_perform(const roentgen_curl *lib, void *easy);
const char *roentgen_curl_strerror(const roentgen_curl *lib, int code);

int roentgen_curl_setopt_long(const roentgen_curl *lib, void *easy, int option, long value);
/// For string (copied by libcurl), slist and user-data options.
int roentgen_curl_setopt_pointer(const roentgen_curl *lib, void *easy, int option, const void *value);
int roentgen_curl_setopt_off_t(const roentgen_curl *lib, void *easy, int option, int64_t value);
int roentgen_curl_setopt_write_function(const roentgen_curl *lib, void *easy, int option, roentgen_curl_write_fn fn);
int roentgen_curl_setopt_xferinfo_function(const roentgen_curl *lib, void *easy, roentgen_curl_xferinfo_fn fn);

int roentgen_curl_getinfo_long(const roentgen_curl *lib, void *easy, int info, long *value);
/// The string stays owned by the easy handle (valid until cleanup).
int roentgen_curl_getinfo_string(const roentgen_curl *lib, void *easy, int info, const char **value);

/// curl_slist_append / curl_slist_free_all (NULL list = a new one).
void *roentgen_curl_slist_append(const roentgen_curl *lib, void *list, const char *line);
void roentgen_curl_slist_free_all(const roentgen_curl *lib, void *list);

#endif
