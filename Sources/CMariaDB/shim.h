// The headers of Debian's libmariadb-dev live in /usr/include/mariadb; mysql.h includes its
// siblings with quotes, so naming the directory here is enough (no -I flag).
#include <mariadb/mysql.h>
#include <mariadb/errmsg.h>
#include <mariadb/mysqld_error.h>

// mysql_options takes a pointer to the option's value: one typed door per kind of value.
static inline int fabric_mysql_set_string(MYSQL *m, enum mysql_option o, const char *v) { return mysql_options(m, o, v); }
static inline int fabric_mysql_set_uint(MYSQL *m, enum mysql_option o, unsigned int v) { return mysql_options(m, o, &v); }
static inline int fabric_mysql_set_bool(MYSQL *m, enum mysql_option o, my_bool v) { return mysql_options(m, o, &v); }
