#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro Swift cannot import: bind copies of our buffers.
static inline sqlite3_destructor_type fabric_sqlite_transient(void) { return SQLITE_TRANSIENT; }
