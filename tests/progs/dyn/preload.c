/* An LD_PRELOAD library: interposes mkdyn_name. */
const char *mkdyn_name(void) { return "preloaded"; }
