#include <jansson.h>

// json_object_foreach and json_typeof are macros; these give Swift the same walk.
static inline const char *fabric_json_iter_key(void *iter) { return json_object_iter_key(iter); }
static inline json_type fabric_json_type(const json_t *json) { return json_typeof(json); }
