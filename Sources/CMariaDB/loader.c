// MariaDB Connector/C, opened on first use, as Sources/CCurl/loader.c opens libcurl. Linking it
// would make every tool load libmariadb.so.3 and what it needs (TLS, zlib) at start-up, paid by
// every tool of every pipeline although only a mysql:// store talks to a server. Each function
// the store calls is defined here under its own name and forwards to the library, dlopen'ed by
// the first call, so Swift code calls mysql_init() and friends as usual. If the library cannot
// be loaded, calls fail the way Connector/C reports failure (NULL, non-zero) and
// fabric_mariadb_load_error() says why. The definitions are hidden: the library's own calls
// never come back through them.
#include <mariadb/mysql.h>
#include <mariadb/errmsg.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include "loader.h"

#define FABRIC_MARIADB_LIBRARY "libmariadb.so.3"

// Every forwarded function: return type, name, parameters, arguments, value when the library is missing.
#define FABRIC_MARIADB_FUNCTIONS(F, V) \
    F(MYSQL *, mysql_init, (MYSQL *mysql), (mysql), NULL) \
    F(int, mysql_options, (MYSQL *mysql, enum mysql_option option, const void *arg), (mysql, option, arg), 1) \
    F(MYSQL *, mysql_real_connect, \
      (MYSQL *mysql, const char *host, const char *user, const char *passwd, const char *db, \
       unsigned int port, const char *unix_socket, unsigned long flags), \
      (mysql, host, user, passwd, db, port, unix_socket, flags), NULL) \
    V(mysql_close, (MYSQL *mysql), (mysql)) \
    F(unsigned int, mysql_errno, (MYSQL *mysql), (mysql), CR_UNKNOWN_ERROR) \
    F(const char *, mysql_error, (MYSQL *mysql), (mysql), load_error) \
    F(int, mysql_real_query, (MYSQL *mysql, const char *query, unsigned long length), (mysql, query, length), 1) \
    F(MYSQL_RES *, mysql_store_result, (MYSQL *mysql), (mysql), NULL) \
    V(mysql_free_result, (MYSQL_RES *result), (result)) \
    F(MYSQL_ROW, mysql_fetch_row, (MYSQL_RES *result), (result), NULL) \
    F(unsigned int, mysql_num_fields, (MYSQL_RES *result), (result), 0) \
    F(MYSQL_FIELD *, mysql_fetch_fields, (MYSQL_RES *result), (result), NULL) \
    F(my_ulonglong, mysql_affected_rows, (MYSQL *mysql), (mysql), (my_ulonglong)-1) \
    F(char *, mysql_get_server_info, (MYSQL *mysql), (mysql), NULL) \
    F(unsigned long, mysql_get_server_version, (MYSQL *mysql), (mysql), 0) \
    F(const char *, mysql_get_ssl_cipher, (MYSQL *mysql), (mysql), NULL) \
    F(unsigned long, mysql_thread_id, (MYSQL *mysql), (mysql), 0) \
    F(const char *, mysql_get_client_info, (void), (), NULL) \
    F(MYSQL_STMT *, mysql_stmt_init, (MYSQL *mysql), (mysql), NULL) \
    F(int, mysql_stmt_prepare, (MYSQL_STMT *stmt, const char *query, unsigned long length), (stmt, query, length), 1) \
    F(int, mysql_stmt_execute, (MYSQL_STMT *stmt), (stmt), 1) \
    F(int, mysql_stmt_fetch, (MYSQL_STMT *stmt), (stmt), 1) \
    F(int, mysql_stmt_fetch_column, (MYSQL_STMT *stmt, MYSQL_BIND *bind, unsigned int column, unsigned long offset), \
      (stmt, bind, column, offset), 1) \
    F(my_bool, mysql_stmt_bind_param, (MYSQL_STMT *stmt, MYSQL_BIND *bind), (stmt, bind), 1) \
    F(my_bool, mysql_stmt_bind_result, (MYSQL_STMT *stmt, MYSQL_BIND *bind), (stmt, bind), 1) \
    F(my_bool, mysql_stmt_close, (MYSQL_STMT *stmt), (stmt), 1) \
    F(my_bool, mysql_stmt_reset, (MYSQL_STMT *stmt), (stmt), 1) \
    F(my_bool, mysql_stmt_free_result, (MYSQL_STMT *stmt), (stmt), 1) \
    F(MYSQL_RES *, mysql_stmt_result_metadata, (MYSQL_STMT *stmt), (stmt), NULL) \
    F(unsigned int, mysql_stmt_errno, (MYSQL_STMT *stmt), (stmt), CR_UNKNOWN_ERROR) \
    F(const char *, mysql_stmt_error, (MYSQL_STMT *stmt), (stmt), load_error) \
    F(unsigned long long, mysql_stmt_affected_rows, (MYSQL_STMT *stmt), (stmt), 0) \
    F(unsigned int, mysql_stmt_field_count, (MYSQL_STMT *stmt), (stmt), 0) \
    F(unsigned long, mysql_stmt_param_count, (MYSQL_STMT *stmt), (stmt), 0)

static struct {
#define FABRIC_MEMBER(ret, name, params, args, failed) __typeof__(name) *name;
#define FABRIC_VOID_MEMBER(name, params, args) __typeof__(name) *name;
    FABRIC_MARIADB_FUNCTIONS(FABRIC_MEMBER, FABRIC_VOID_MEMBER)
} libmariadb;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *load_error = NULL;
static char load_error_text[512];

static void load(void) {
    void *library = dlopen(FABRIC_MARIADB_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    const char *missing = NULL;
    if (library) {
#define FABRIC_RESOLVE(name) \
        if (!(libmariadb.name = (__typeof__(libmariadb.name))dlsym(library, #name)) && !missing) missing = #name;
#define FABRIC_RESOLVE_F(ret, name, params, args, failed) FABRIC_RESOLVE(name)
#define FABRIC_RESOLVE_V(name, params, args) FABRIC_RESOLVE(name)
        FABRIC_MARIADB_FUNCTIONS(FABRIC_RESOLVE_F, FABRIC_RESOLVE_V)
    }
    if (!library) {
        snprintf(load_error_text, sizeof load_error_text,
                 "cannot load MariaDB Connector/C: %s (install libmariadb3)", dlerror());
        load_error = load_error_text;
    } else if (missing) {
        snprintf(load_error_text, sizeof load_error_text, "cannot load MariaDB Connector/C: %s lacks %s (too old?)",
                 FABRIC_MARIADB_LIBRARY, missing);
        load_error = load_error_text;
    }
}

static int loaded(void) {
    pthread_once(&once, load);
    return load_error == NULL;
}

const char *fabric_mariadb_load_error(void) {
    return loaded() ? NULL : load_error;
}

#define FABRIC_FORWARD(ret, name, params, args, failed) \
    __attribute__((visibility("hidden"))) ret STDCALL name params { return loaded() ? libmariadb.name args : (failed); }
#define FABRIC_FORWARD_VOID(name, params, args) \
    __attribute__((visibility("hidden"))) void STDCALL name params { if (loaded()) libmariadb.name args; }
FABRIC_MARIADB_FUNCTIONS(FABRIC_FORWARD, FABRIC_FORWARD_VOID)
