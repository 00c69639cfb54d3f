/* PLACEHOLDER for the lifecycle commands: the helper building them deletes this file */
#include "wfctl.h"
int cmd_approve(Wfctl *w, int argc, char **argv) { (void) w; (void) argc; (void) argv; return 1; }
int cmd_reject(Wfctl *w, int argc, char **argv) { (void) w; (void) argc; (void) argv; return 1; }
int cmd_resume(Wfctl *w, int argc, char **argv) { (void) w; (void) argc; (void) argv; return 1; }
int cmd_cancel(Wfctl *w, int argc, char **argv) { (void) w; (void) argc; (void) argv; return 1; }
int cmd_replay(Wfctl *w, int argc, char **argv) { (void) w; (void) argc; (void) argv; return 1; }
int cmd_delete(Wfctl *w, int argc, char **argv) { (void) w; (void) argc; (void) argv; return 1; }
int cmd_cleanup(Wfctl *w, int argc, char **argv) { (void) w; (void) argc; (void) argv; return 1; }
