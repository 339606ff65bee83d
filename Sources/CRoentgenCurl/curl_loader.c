// Loads libcurl with dlopen and forwards typed calls to its variadic easy interface.
// See include/CRoentgenCurl.h for why (no curl.h, no -lcurl) and where the numbers come from.
#include "CRoentgenCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// curl_global_init flags: CURL_GLOBAL_SSL (1<<0) | CURL_GLOBAL_WIN32 (1<<1) = CURL_GLOBAL_ALL.
#define RC_CURL_GLOBAL_ALL 3L

struct roentgen_curl {
    void *handle;
    int (*global_init)(long flags);
    void *(*easy_init)(void);
    int (*easy_setopt)(void *easy, int option, ...);
    int (*easy_perform)(void *easy);
    int (*easy_getinfo)(void *easy, int info, ...);
    void (*easy_cleanup)(void *easy);
    const char *(*easy_strerror)(int code);
    void *(*slist_append)(void *list, const char *line);
    void (*slist_free_all)(void *list);
    char *(*version)(void);
};

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static int resolve(void *handle, const char *name, void **out, char *error, size_t error_size) {
    *out = dlsym(handle, name);
    if (*out == NULL) {
        snprintf(error, error_size, "%s has no %s", "libcurl", name);
        return 0;
    }
    return 1;
}

const roentgen_curl *roentgen_curl_load(const char *soname, char *error, size_t error_size) {
    pthread_mutex_lock(&load_lock);
    void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(error, error_size, "%s", reason ? reason : "dlopen failed");
        pthread_mutex_unlock(&load_lock);
        return NULL;
    }
    roentgen_curl *lib = calloc(1, sizeof *lib);
    if (lib == NULL) {
        snprintf(error, error_size, "out of memory");
        dlclose(handle);
        pthread_mutex_unlock(&load_lock);
        return NULL;
    }
    lib->handle = handle;
    int ok = resolve(handle, "curl_global_init", (void **)&lib->global_init, error, error_size)
        && resolve(handle, "curl_easy_init", (void **)&lib->easy_init, error, error_size)
        && resolve(handle, "curl_easy_setopt", (void **)&lib->easy_setopt, error, error_size)
        && resolve(handle, "curl_easy_perform", (void **)&lib->easy_perform, error, error_size)
        && resolve(handle, "curl_easy_getinfo", (void **)&lib->easy_getinfo, error, error_size)
        && resolve(handle, "curl_easy_cleanup", (void **)&lib->easy_cleanup, error, error_size)
        && resolve(handle, "curl_easy_strerror", (void **)&lib->easy_strerror, error, error_size)
        && resolve(handle, "curl_slist_append", (void **)&lib->slist_append, error, error_size)
        && resolve(handle, "curl_slist_free_all", (void **)&lib->slist_free_all, error, error_size)
        && resolve(handle, "curl_version", (void **)&lib->version, error, error_size);
    // curl_global_init is reference counted and, before libcurl 7.84, not thread-safe: call it
    // once here, under the lock, before any easy handle exists.
    if (ok && lib->global_init(RC_CURL_GLOBAL_ALL) != RC_CURLE_OK) {
        snprintf(error, error_size, "curl_global_init failed");
        ok = 0;
    }
    if (!ok) {
        free(lib);
        dlclose(handle);
        pthread_mutex_unlock(&load_lock);
        return NULL;
    }
    pthread_mutex_unlock(&load_lock);
    return lib;
}

const char *roentgen_curl_version(const roentgen_curl *lib) { return lib->version(); }

void *roentgen_curl_easy_init(const roentgen_curl *lib) { return lib->easy_init(); }

void roentgen_curl_easy_cleanup(const roentgen_curl *lib, void *easy) { lib->easy_cleanup(easy); }

int roentgen_curl_perform(const roentgen_curl *lib, void *easy) { return lib->easy_perform(easy); }

const char *roentgen_curl_strerror(const roentgen_curl *lib, int code) { return lib->easy_strerror(code); }

int roentgen_curl_setopt_long(const roentgen_curl *lib, void *easy, int option, long value) {
    return lib->easy_setopt(easy, option, value);
}

int roentgen_curl_setopt_pointer(const roentgen_curl *lib, void *easy, int option, const void *value) {
    return lib->easy_setopt(easy, option, value);
}

int roentgen_curl_setopt_off_t(const roentgen_curl *lib, void *easy, int option, int64_t value) {
    return lib->easy_setopt(easy, option, value);
}

int roentgen_curl_setopt_write_function(const roentgen_curl *lib, void *easy, int option, roentgen_curl_write_fn fn) {
    return lib->easy_setopt(easy, option, fn);
}

int roentgen_curl_setopt_xferinfo_function(const roentgen_curl *lib, void *easy, roentgen_curl_xferinfo_fn fn) {
    return lib->easy_setopt(easy, RC_CURLOPT_XFERINFOFUNCTION, fn);
}

int roentgen_curl_getinfo_long(const roentgen_curl *lib, void *easy, int info, long *value) {
    return lib->easy_getinfo(easy, info, value);
}

int roentgen_curl_getinfo_string(const roentgen_curl *lib, void *easy, int info, const char **value) {
    return lib->easy_getinfo(easy, info, value);
}

void *roentgen_curl_slist_append(const roentgen_curl *lib, void *list, const char *line) {
    return lib->slist_append(list, line);
}

void roentgen_curl_slist_free_all(const roentgen_curl *lib, void *list) { lib->slist_free_all(list); }
