/* PLACEHOLDER for the read commands: the helper building them deletes this file */
#include "wfctl.h"
int cmd_inspect(Wfctl *w, int argc, char **argv) { (void) w; (void) argc; (void) argv; return 1; }
int cmd_pending(Wfctl *w, int argc, char **argv) { (void) w; (void) argc; (void) argv; return 1; }
int cmd_stats(Wfctl *w, int argc, char **argv) { (void) w; (void) argc; (void) argv; return 1; }
