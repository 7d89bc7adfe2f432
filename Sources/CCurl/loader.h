#ifndef FABRIC_CURL_LOADER_H
#define FABRIC_CURL_LOADER_H

// libcurl is opened on first use (loader.c), not at start-up. NULL while it loads fine;
// otherwise why it could not be loaded, for an error message.
const char *fabric_curl_load_error(void);

#endif
