// libcurl, opened on first use. Linking libcurl made every tool load it and the ~30 libraries it
// needs (TLS, Kerberos, LDAP, SSH, IDN, ...) at start-up: about 5 ms of a 8 ms `--version` on
// the benchmark machine (Tests/Benchmarks/run), paid by every tool of every pipeline although
// only the OpenStack provider speaks HTTP. Here each libcurl function the core may call is
// defined under its own name and forwards to libcurl, which is dlopen'ed by the first call, so
// Swift code calls curl_easy_init() and friends as usual. If libcurl cannot be loaded, calls fail
// the way libcurl reports failure (NULL, CURLE_FAILED_INIT, ...) and fabric_curl_load_error()
// says why. The definitions are hidden: libcurl's own calls never come back through them.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include "loader.h"

#define FABRIC_CURL_LIBRARY "libcurl.so.4"

// Every forwarded function: return type, name, parameters, arguments, value when libcurl is missing.
#define FABRIC_CURL_FUNCTIONS(F, V) \
    F(CURLcode, curl_global_init, (long flags), (flags), CURLE_FAILED_INIT) \
    V(curl_global_cleanup, (void), ()) \
    F(char *, curl_version, (void), (), NULL) \
    F(curl_version_info_data *, curl_version_info, (CURLversion age), (age), NULL) \
    F(CURL *, curl_easy_init, (void), (), NULL) \
    V(curl_easy_cleanup, (CURL *handle), (handle)) \
    V(curl_easy_reset, (CURL *handle), (handle)) \
    F(CURL *, curl_easy_duphandle, (CURL *handle), (handle), NULL) \
    F(const char *, curl_easy_strerror, (CURLcode code), (code), load_error) \
    F(CURLcode, curl_easy_perform, (CURL *handle), (handle), CURLE_FAILED_INIT) \
    F(CURLcode, curl_easy_pause, (CURL *handle, int mask), (handle, mask), CURLE_FAILED_INIT) \
    F(char *, curl_easy_escape, (CURL *handle, const char *text, int length), (handle, text, length), NULL) \
    F(char *, curl_easy_unescape, (CURL *handle, const char *text, int length, int *out), \
      (handle, text, length, out), NULL) \
    V(curl_free, (void *pointer), (pointer)) \
    F(struct curl_slist *, curl_slist_append, (struct curl_slist *list, const char *text), (list, text), NULL) \
    V(curl_slist_free_all, (struct curl_slist *list), (list)) \
    F(CURLHcode, curl_easy_header, \
      (CURL *handle, const char *name, size_t index, unsigned int origin, int request, struct curl_header **out), \
      (handle, name, index, origin, request, out), CURLHE_NOT_BUILT_IN) \
    F(struct curl_header *, curl_easy_nextheader, \
      (CURL *handle, unsigned int origin, int request, struct curl_header *previous), \
      (handle, origin, request, previous), NULL) \
    F(time_t, curl_getdate, (const char *text, const time_t *unused), (text, unused), -1) \
    F(CURLM *, curl_multi_init, (void), (), NULL) \
    F(CURLMcode, curl_multi_cleanup, (CURLM *multi), (multi), CURLM_INTERNAL_ERROR) \
    F(CURLMcode, curl_multi_add_handle, (CURLM *multi, CURL *handle), (multi, handle), CURLM_INTERNAL_ERROR) \
    F(CURLMcode, curl_multi_remove_handle, (CURLM *multi, CURL *handle), (multi, handle), CURLM_INTERNAL_ERROR) \
    F(CURLMcode, curl_multi_perform, (CURLM *multi, int *running), (multi, running), CURLM_INTERNAL_ERROR) \
    F(CURLMcode, curl_multi_poll, \
      (CURLM *multi, struct curl_waitfd extra[], unsigned int count, int timeout, int *ready), \
      (multi, extra, count, timeout, ready), CURLM_INTERNAL_ERROR) \
    F(CURLMcode, curl_multi_wait, \
      (CURLM *multi, struct curl_waitfd extra[], unsigned int count, int timeout, int *ready), \
      (multi, extra, count, timeout, ready), CURLM_INTERNAL_ERROR) \
    F(CURLMcode, curl_multi_wakeup, (CURLM *multi), (multi), CURLM_INTERNAL_ERROR) \
    F(CURLMcode, curl_multi_timeout, (CURLM *multi, long *milliseconds), (multi, milliseconds), CURLM_INTERNAL_ERROR) \
    F(CURLMcode, curl_multi_fdset, (CURLM *multi, fd_set *read, fd_set *write, fd_set *error, int *highest), \
      (multi, read, write, error, highest), CURLM_INTERNAL_ERROR) \
    F(CURLMsg *, curl_multi_info_read, (CURLM *multi, int *left), (multi, left), NULL) \
    F(const char *, curl_multi_strerror, (CURLMcode code), (code), load_error) \
    F(CURLSH *, curl_share_init, (void), (), NULL) \
    F(CURLSHcode, curl_share_cleanup, (CURLSH *share), (share), CURLSHE_NOT_BUILT_IN) \
    F(const char *, curl_share_strerror, (CURLSHcode code), (code), load_error) \
    F(CURLU *, curl_url, (void), (), NULL) \
    V(curl_url_cleanup, (CURLU *url), (url)) \
    F(CURLU *, curl_url_dup, (CURLU *url), (url), NULL) \
    F(CURLUcode, curl_url_get, (CURLU *url, CURLUPart part, char **out, unsigned int flags), \
      (url, part, out, flags), CURLUE_OUT_OF_MEMORY) \
    F(CURLUcode, curl_url_set, (CURLU *url, CURLUPart part, const char *text, unsigned int flags), \
      (url, part, text, flags), CURLUE_OUT_OF_MEMORY) \
    F(const char *, curl_url_strerror, (CURLUcode code), (code), load_error)

// The variadic ones, forwarded by hand below.
#define FABRIC_CURL_VARIADIC(X) \
    X(curl_easy_setopt) X(curl_easy_getinfo) X(curl_multi_setopt) X(curl_share_setopt)

static struct {
#define FABRIC_MEMBER(ret, name, params, args, failed) __typeof__(name) *name;
#define FABRIC_VOID_MEMBER(name, params, args) __typeof__(name) *name;
#define FABRIC_VARIADIC_MEMBER(name) __typeof__(name) *name;
    FABRIC_CURL_FUNCTIONS(FABRIC_MEMBER, FABRIC_VOID_MEMBER)
    FABRIC_CURL_VARIADIC(FABRIC_VARIADIC_MEMBER)
} libcurl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *load_error = NULL;
static char load_error_text[512];

static void load(void) {
    void *library = dlopen(FABRIC_CURL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    const char *missing = NULL;
    if (library) {
#define FABRIC_RESOLVE(name) \
        if (!(libcurl.name = (__typeof__(libcurl.name))dlsym(library, #name)) && !missing) missing = #name;
#define FABRIC_RESOLVE_F(ret, name, params, args, failed) FABRIC_RESOLVE(name)
#define FABRIC_RESOLVE_V(name, params, args) FABRIC_RESOLVE(name)
        FABRIC_CURL_FUNCTIONS(FABRIC_RESOLVE_F, FABRIC_RESOLVE_V)
        FABRIC_CURL_VARIADIC(FABRIC_RESOLVE)
    }
    if (!library) {
        snprintf(load_error_text, sizeof load_error_text, "cannot load libcurl: %s", dlerror());
        load_error = load_error_text;
    } else if (missing) {
        snprintf(load_error_text, sizeof load_error_text, "cannot load libcurl: %s lacks %s (too old?)",
                 FABRIC_CURL_LIBRARY, missing);
        load_error = load_error_text;
    }
}

static int loaded(void) {
    pthread_once(&once, load);
    return load_error == NULL;
}

const char *fabric_curl_load_error(void) {
    return loaded() ? NULL : load_error;
}

#define FABRIC_FORWARD(ret, name, params, args, failed) \
    __attribute__((visibility("hidden"))) ret name params { return loaded() ? libcurl.name args : (failed); }
#define FABRIC_FORWARD_VOID(name, params, args) \
    __attribute__((visibility("hidden"))) void name params { if (loaded()) libcurl.name args; }
FABRIC_CURL_FUNCTIONS(FABRIC_FORWARD, FABRIC_FORWARD_VOID)

// setopt takes one argument whose type the option number encodes, as libcurl itself reads it:
// long, object pointer, function pointer, curl_off_t or blob pointer.
#define FABRIC_FORWARD_OPTION(function, handle, option, failed)                         \
    do {                                                                                  \
        if (!loaded()) return (failed);                                                   \
        va_list arguments;                                                                \
        va_start(arguments, option);                                                      \
        __typeof__(libcurl.function(handle, option, 0L)) result;                          \
        if ((long)(option) < CURLOPTTYPE_OBJECTPOINT) {                                   \
            long value = va_arg(arguments, long);                                         \
            result = libcurl.function(handle, option, value);                             \
        } else if ((long)(option) >= CURLOPTTYPE_FUNCTIONPOINT && (long)(option) < CURLOPTTYPE_OFF_T) { \
            void (*value)(void) = va_arg(arguments, void (*)(void));                      \
            result = libcurl.function(handle, option, value);                             \
        } else if ((long)(option) >= CURLOPTTYPE_OFF_T && (long)(option) < CURLOPTTYPE_BLOB) { \
            curl_off_t value = va_arg(arguments, curl_off_t);                             \
            result = libcurl.function(handle, option, value);                             \
        } else {                                                                          \
            void *value = va_arg(arguments, void *);                                      \
            result = libcurl.function(handle, option, value);                             \
        }                                                                                 \
        va_end(arguments);                                                                \
        return result;                                                                    \
    } while (0)

__attribute__((visibility("hidden"))) CURLcode curl_easy_setopt(CURL *handle, CURLoption option, ...) {
    FABRIC_FORWARD_OPTION(curl_easy_setopt, handle, option, CURLE_FAILED_INIT);
}

__attribute__((visibility("hidden"))) CURLMcode curl_multi_setopt(CURLM *multi, CURLMoption option, ...) {
    FABRIC_FORWARD_OPTION(curl_multi_setopt, multi, option, CURLM_INTERNAL_ERROR);
}

__attribute__((visibility("hidden"))) CURLSHcode curl_share_setopt(CURLSH *share, CURLSHoption option, ...) {
    // Share options take a long (CURLSHOPT_SHARE, UNSHARE) or a pointer (callbacks, user data).
    if (!loaded()) return CURLSHE_NOT_BUILT_IN;
    va_list arguments;
    va_start(arguments, option);
    CURLSHcode result;
    if (option == CURLSHOPT_SHARE || option == CURLSHOPT_UNSHARE) {
        result = libcurl.curl_share_setopt(share, option, va_arg(arguments, long));
    } else {
        result = libcurl.curl_share_setopt(share, option, va_arg(arguments, void *));
    }
    va_end(arguments);
    return result;
}

// getinfo always takes a pointer to where the answer goes.
__attribute__((visibility("hidden"))) CURLcode curl_easy_getinfo(CURL *handle, CURLINFO info, ...) {
    if (!loaded()) return CURLE_FAILED_INIT;
    va_list arguments;
    va_start(arguments, info);
    CURLcode result = libcurl.curl_easy_getinfo(handle, info, va_arg(arguments, void *));
    va_end(arguments);
    return result;
}
