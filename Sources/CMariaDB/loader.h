#ifndef FABRIC_MARIADB_LOADER_H
#define FABRIC_MARIADB_LOADER_H

// MariaDB Connector/C is opened on first use (loader.c), not at start-up. NULL while it loads
// fine; otherwise why it could not be loaded, for an error message.
const char *fabric_mariadb_load_error(void);

#endif
