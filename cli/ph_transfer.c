/* PLACEHOLDER for the transfer commands: the helper building them deletes this file */
#include "wfctl.h"
int cmd_export(Wfctl *w, int argc, char **argv) { (void) w; (void) argc; (void) argv; return 1; }
int cmd_import(Wfctl *w, int argc, char **argv) { (void) w; (void) argc; (void) argv; return 1; }
int cmd_validate(Wfctl *w, int argc, char **argv) { (void) w; (void) argc; (void) argv; return 1; }
