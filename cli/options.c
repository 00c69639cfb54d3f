/*-------------------------------------------------------------------------
 *
 * options.c
 *	  wfctl's command line: one parser and one help renderer for every
 *	  command, driven by its WfctlCommand descriptor.
 *
 * A command declares its options once (name, argument, target, help);
 * the options every command takes (connection, --help) and those its
 * flags ask for (--json, --wait) are added here.  The same data renders
 * "wfctl COMMAND --help", so help and parser cannot disagree.
 *
 *-------------------------------------------------------------------------
 */
#include <getopt.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "wfctl.h"

/* getopt values: --help, the parser's own options, the command's */
enum
{
	OPT_HELP = 999,
	OPT_OWN = 1000,				/* + the index in own_options */
	OPT_COMMAND = 2000			/* + the index in the command's options */
};

/*
 * The options the parser adds itself, and the member of Wfctl each sets:
 * the connection options (flags 0) for every command, the others for the
 * commands whose descriptor has one of their flags.  In help order.
 */
typedef struct OwnOption
{
	WfctlOption option;
	unsigned	flags;
	size_t		offset;			/* offsetof(Wfctl, ...) */
} OwnOption;

static const OwnOption own_options[] = {
	{{.name = "dbname", .letter = 'd', .type = WFCTL_OPT_TEXT, .arg = "DB",
	.help = "database name, key=value conninfo or URI"}, 0, offsetof(Wfctl, dbname)},
	{{.name = "host", .letter = 'h', .type = WFCTL_OPT_TEXT, .arg = "HOST",
	.help = "server host or socket directory"}, 0, offsetof(Wfctl, host)},
	{{.name = "port", .letter = 'p', .type = WFCTL_OPT_TEXT, .arg = "PORT",
	.help = "server port"}, 0, offsetof(Wfctl, port)},
	{{.name = "username", .letter = 'U', .type = WFCTL_OPT_TEXT, .arg = "USER",
	.help = "user name"}, 0, offsetof(Wfctl, user)},
	{{.name = "password", .letter = 'W', .type = WFCTL_OPT_FLAG,
	.help = "ask for the password before connecting"}, 0, offsetof(Wfctl, ask_password)},
	{{.name = "no-password", .letter = 'w', .type = WFCTL_OPT_FLAG,
	.help = "never ask for a password"}, 0, offsetof(Wfctl, no_password)},
	{{.name = "namespace", .letter = 'N', .type = WFCTL_OPT_TEXT, .arg = "NS",
		.help = "the namespace of the workflows (default: the server's\n"
	"workflow_persist.namespace, normally \"default\"); \"*\"\n"
	"lists, counts and cleans every namespace"}, 0, offsetof(Wfctl, namespace)},
	{{.name = "prefix-match", .type = WFCTL_OPT_FLAG,
		.help = "an ID may be any unique prefix of an id (an exact\n"
	"id wins); without it, IDs are whole ids"},
	WFCTL_F_EXACT, offsetof(Wfctl, prefix_match)},
	/* the help of --yes and --json is the command's */
	{{.name = "yes", .type = WFCTL_OPT_FLAG},
	WFCTL_F_EXACT | WFCTL_F_CONFIRM, offsetof(Wfctl, yes)},
	{{.name = "json", .type = WFCTL_OPT_FLAG}, WFCTL_F_JSON, offsetof(Wfctl, json)},
	{{.name = "wait", .type = WFCTL_OPT_NUMBER, .arg = "SECONDS",
			.min = 0, .max = WFCTL_MAX_WAIT,
			.help = "give up when another transaction holds the run longer\n"
		"(default 10; 0 = wait as long as it takes); exit 4"},
	WFCTL_F_WAIT, offsetof(Wfctl, wait)},
	{{.name = "tsv", .type = WFCTL_OPT_FLAG,
	.help = "tab-separated, cells whole and escaped, no colour"},
	WFCTL_F_TABLE, offsetof(Wfctl, tsv)},
	{{.name = "no-headers", .type = WFCTL_OPT_FLAG,
	.help = "no header line"}, WFCTL_F_TABLE, offsetof(Wfctl, no_headers)},
	{{.name = "no-pager", .type = WFCTL_OPT_FLAG,
		.help = "never page (PSQL_PAGER, PAGER or less page output\n"
	"longer than the terminal)"}, WFCTL_F_PAGER, offsetof(Wfctl, no_pager)},
	{{0}, 0, 0}
};

/* does cmd take own option o? */
static bool
takes_own(const WfctlCommand *cmd, const OwnOption *o)
{
	return o->flags == 0 || (cmd->flags & o->flags) != 0;
}

#define YES_HELP_EXACT \
	"take the id an ID is a unique prefix of without\n" \
	"asking, as if confirmed at the terminal"

void
wfctl_usage_error(Wfctl *w, const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s %s: error: ", w->progname, w->command);
	va_start(ap, fmt);
	wfctl_vline(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try \"%s %s --help\" for more information.\n",
			w->progname, w->command);
	wfctl_disconnect(w);
	exit(WFCTL_EXIT_USAGE);
}

/* ---- help ---- */

/* "-o, --output=FILE" or "--status=S" */
static char *
option_label(const WfctlOption *o)
{
	char		letter[8] = "";

	if (o->letter)
		snprintf(letter, sizeof(letter), "-%c, ", o->letter);
	return xasprintf("%s--%s%s%s", letter, o->name, o->arg ? "=" : "", o->arg ? o->arg : "");
}

static size_t
label_width(const WfctlOption *o)
{
	char	   *label = option_label(o);
	size_t		n = strlen(label);

	free(label);
	return n;
}

/* one option: label, then its help lines in a column at width */
static void
print_option(FILE *out, const WfctlOption *o, const char *help, size_t width)
{
	char	   *label = option_label(o);
	const char *line = help;

	fprintf(out, "  %-*s", (int) width, label);
	free(label);
	while (*line)
	{
		size_t		len = strcspn(line, "\n");

		fprintf(out, "%.*s\n", (int) len, line);
		line += len;
		if (*line == '\n')
		{
			line++;
			fprintf(out, "  %-*s", (int) width, "");
		}
	}
}

const WfctlOption *const *
wfctl_common_options(void)
{
	static const WfctlOption *list[sizeof(own_options) / sizeof(own_options[0])];

	if (list[0] == NULL)
	{
		int			n = 0;

		for (const OwnOption *o = own_options; o->option.name; o++)
			if (o->flags == 0)
				list[n++] = &o->option;
	}
	return list;
}

int
wfctl_command_options(const WfctlCommand *cmd, const WfctlOption **list)
{
	int			n = 0;

	for (const WfctlOption *o = cmd->options; o && o->name; o++)
		if (o->refuse == NULL)
			list[n++] = o;
	for (const OwnOption *o = own_options; o->option.name; o++)
		if (o->flags != 0 && takes_own(cmd, o))
			list[n++] = &o->option;
	return n;
}

/* the help of an option: --json and --yes say what they do in cmd */
static const char *
help_of(const WfctlCommand *cmd, const WfctlOption *o)
{
	if (strcmp(o->name, "json") == 0 && o->help == NULL)
		return cmd->json_help;
	if (strcmp(o->name, "yes") == 0 && o->help == NULL)
		return cmd->yes_help ? cmd->yes_help : YES_HELP_EXACT;
	return o->help;
}

void
wfctl_print_help(const WfctlCommand *cmd)
{
	const WfctlOption *list[WFCTL_MAX_OPTIONS];
	int			n = wfctl_command_options(cmd, list);
	size_t		width = 0;
	const char *line = cmd->usage;

	printf("Usage:\n");
	while (*line)
	{
		size_t		len = strcspn(line, "\n");

		printf("  wfctl %s%s%.*s\n", cmd->name, len ? " " : "", (int) len, line);
		line += len;
		if (*line == '\n')
			line++;
	}
	printf("\n%s", cmd->description);
	for (int i = 0; i < n; i++)
		if (label_width(list[i]) > width)
			width = label_width(list[i]);
	for (const WfctlOption *const *o = wfctl_common_options(); *o; o++)
		if (label_width(*o) > width)
			width = label_width(*o);
	width += 2;
	if (n > 0)
	{
		printf("\nOptions:\n");
		for (int i = 0; i < n; i++)
			print_option(stdout, list[i], help_of(cmd, list[i]), width);
	}
	printf("\nConnection options (libpq's PGHOST, PGPORT, PGUSER, PGDATABASE,\n"
		   "PGPASSWORD and ~/.pgpass apply):\n");
	for (const WfctlOption *const *o = wfctl_common_options(); *o; o++)
		print_option(stdout, *o, (*o)->help, width);
}

void
wfctl_usage(FILE *out)
{
	size_t		width = 0;

	for (const WfctlCommand *const *c = wfctl_commands; *c; c++)
		if (strlen((*c)->name) > width)
			width = strlen((*c)->name);
	fprintf(out,
			"wfctl: operate workflow_persist, the workflow store in PostgreSQL.\n\n"
			"Usage:\n"
			"  wfctl COMMAND [OPTION]... [ARG]...\n\n"
			"Commands:\n");
	for (const WfctlCommand *const *c = wfctl_commands; *c; c++)
		fprintf(out, "  %-*s  %s\n", (int) width, (*c)->name, (*c)->summary);
	fprintf(out, "\nEvery command takes --help (or -?), and the connection options, before\n"
			"or after the command:\n");
	width = 0;
	for (const WfctlOption *const *o = wfctl_common_options(); *o; o++)
		if (label_width(*o) > width)
			width = label_width(*o);
	for (const WfctlOption *const *o = wfctl_common_options(); *o; o++)
		print_option(out, *o, (*o)->help, width + 2);
	fprintf(out,
			"\nOther options:\n"
			"  -?, --help     show this help, then exit\n"
			"  -V, --version  show the version, then exit\n"
			"  help COMMAND   show the help of COMMAND\n\n"
			"Exit status: 0 success, 1 failure, 2 no connection, 3 not found or\n"
			"ambiguous, 4 conflict (version or lease), 64 usage error.  See\n"
			"docs/wfctl.md.\n");
}

/* ---- parsing ---- */

/* does option name (of any command) take an argument? */
static bool
long_takes_argument(const char *name, size_t len)
{
	for (const OwnOption *o = own_options; o->option.name; o++)
		if (strlen(o->option.name) == len && strncmp(o->option.name, name, len) == 0)
			return o->option.type != WFCTL_OPT_FLAG;
	for (const WfctlCommand *const *c = wfctl_commands; *c; c++)
		for (const WfctlOption *o = (*c)->options; o && o->name; o++)
			if (strlen(o->name) == len && strncmp(o->name, name, len) == 0 &&
				o->type != WFCTL_OPT_FLAG)
				return true;
	return false;
}

/* does short option letter (of any command) take an argument? */
static bool
short_takes_argument(char letter)
{
	for (const OwnOption *o = own_options; o->option.name; o++)
		if (o->option.letter == letter)
			return o->option.type != WFCTL_OPT_FLAG;
	for (const WfctlCommand *const *c = wfctl_commands; *c; c++)
		for (const WfctlOption *o = (*c)->options; o && o->name; o++)
			if (o->letter == letter)
				return o->type != WFCTL_OPT_FLAG;
	return false;
}

int
wfctl_find_command(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
	{
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			return i + 1 < argc ? i + 1 : -1;
		if (a[0] != '-' || a[1] == '\0')
			return i;
		if (a[1] == '-')
		{
			if (strchr(a, '=') == NULL && long_takes_argument(a + 2, strlen(a + 2)))
				i++;
		}
		else if (a[2] == '\0' && short_takes_argument(a[1]))
			i++;
	}
	return -1;
}

static long
parse_number(Wfctl *w, const WfctlOption *o, const char *arg)
{
	char	   *end;
	long		n = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || n < o->min || n > o->max)
		wfctl_usage_error(w, "--%s must be a number from %ld to %ld, not \"%s\"",
						  o->name, o->min, o->max, arg);
	return n;
}

/* store the argument of option o in target (a bool, text or long) */
static void
store(Wfctl *w, const WfctlOption *o, const char *arg, void *target)
{
	switch (o->type)
	{
		case WFCTL_OPT_FLAG:
			*(bool *) target = true;
			break;
		case WFCTL_OPT_TEXT:
			*(const char **) target = arg;
			break;
		case WFCTL_OPT_NUMBER:
			*(long *) target = parse_number(w, o, arg);
			break;
		case WFCTL_OPT_CALL:
			o->call(w, arg);
			break;
	}
}

/* one of the command's options: its checks, then its target */
static void
take_option(Wfctl *w, const WfctlOption *o, const char *arg, bool *seen)
{
	if (o->refuse)
		wfctl_usage_error(w, "%s", o->refuse);
	if (o->once && *seen)
		wfctl_usage_error(w, "--%s is given twice", o->name);
	*seen = true;
	if (arg != NULL && arg[0] == '\0' && o->nonempty)
		wfctl_usage_error(w, "--%s must not be empty", o->name);
	store(w, o, arg, o->target);
}

/* append an option of the parser's own */
static void
add_flag(struct option *longopts, int *nlong, const char *name, int has_arg, int val)
{
	longopts[*nlong].name = name;
	longopts[*nlong].has_arg = has_arg;
	longopts[*nlong].flag = NULL;
	longopts[*nlong].val = val;
	(*nlong)++;
}

/* append one option to getopt_long's tables */
static void
add_getopt(struct option *longopts, int *nlong, char *shortopts,
		   const WfctlOption *o, int val)
{
	add_flag(longopts, nlong, o->name,
			 o->type == WFCTL_OPT_FLAG ? no_argument : required_argument, val);
	if (o->letter)
	{
		size_t		len = strlen(shortopts);

		shortopts[len++] = o->letter;
		if (o->type != WFCTL_OPT_FLAG)
			shortopts[len++] = ':';
		shortopts[len] = '\0';
	}
}

/*
 * getopt_long's tables for the command, and which of its options were
 * seen; static, so that they stay reachable when a usage error exits.
 */
static struct option *long_table;
static char *short_table;
static bool *seen_table;

static void
free_tables(void)
{
	free(long_table);
	free(short_table);
	free(seen_table);
	long_table = NULL;
	short_table = NULL;
	seen_table = NULL;
}

/*
 * What getopt_long refused (opt '?' or ':'), in wfctl's own form, the
 * argument escaped: arg is the argv element it stopped at.
 */
static void
bad_option(Wfctl *w, int opt, const char *arg, const struct option *longopts)
{
	bool		is_short = optopt > 0 && optopt < 256 && arg[0] == '-' && arg[1] != '-';
	size_t		len = strcspn(arg, "=");
	int			matches = 0;

	if (is_short && optopt == '?')
	{
		/* -?, psql's other --help */
		wfctl_print_help(w->cmd);
		free_tables();
		exit(WFCTL_EXIT_OK);
	}
	if (opt == ':' && is_short)
		wfctl_usage_error(w, "option requires an argument -- '%c'", optopt);
	if (opt == ':')
		wfctl_usage_error(w, "option '%s' requires an argument", arg);
	if (is_short)
		wfctl_usage_error(w, "invalid option -- '%c'", optopt);
	if (optopt != 0)
		wfctl_usage_error(w, "option '%.*s' doesn't allow an argument", (int) len, arg);
	for (const struct option *o = longopts; o->name; o++)
		if (len > 2 && strncmp(o->name, arg + 2, len - 2) == 0)
			matches++;
	if (matches > 1)
		wfctl_usage_error(w, "option '%.*s' is ambiguous", (int) len, arg);
	wfctl_usage_error(w, "unrecognized option '%s'", arg);
}

/* check the arguments against the command's list of them */
static void
check_arguments(Wfctl *w)
{
	int			i = 0;

	for (const WfctlArg *a = w->cmd->args; a && a->name; a++)
	{
		if (i >= w->nargs)
		{
			if (a->missing)
				wfctl_usage_error(w, "%s", a->missing);
			break;
		}
		do
		{
			if (a->nonempty && w->args[i][0] == '\0')
				wfctl_usage_error(w, "a workflow id must not be empty");
			i++;
		} while (a->repeat && i < w->nargs);
	}
	if (i < w->nargs)
		wfctl_usage_error(w, "unexpected argument \"%s\"", w->args[i]);
}

void
wfctl_parse(Wfctl *w, int argc, char **argv)
{
	const WfctlCommand *cmd = w->cmd;
	int			nopts = 0;
	int			nlong = 0;
	int			opt;

	for (const WfctlOption *o = cmd->options; o && o->name; o++)
		nopts++;
	long_table = xmalloc(sizeof(struct option) * (nopts + 24));
	short_table = xmalloc(2 * nopts + 16);
	seen_table = xmalloc(sizeof(bool) * (nopts + 1));
	memset(seen_table, 0, sizeof(bool) * (nopts + 1));
	strcpy(short_table, ":");		/* ':' for a missing argument */
	add_flag(long_table, &nlong, "help", no_argument, OPT_HELP);
	for (int i = 0; own_options[i].option.name; i++)
		if (takes_own(cmd, &own_options[i]))
			add_getopt(long_table, &nlong, short_table, &own_options[i].option, OPT_OWN + i);
	for (int i = 0; i < nopts; i++)
		add_getopt(long_table, &nlong, short_table, &cmd->options[i], OPT_COMMAND + i);
	memset(&long_table[nlong], 0, sizeof(struct option));

	w->wait = WFCTL_DEFAULT_WAIT;
	opterr = 0;					/* getopt's messages are not escaped */
	while ((opt = getopt_long(argc, argv, short_table, long_table, NULL)) != -1)
	{
		if (opt == OPT_HELP)
		{
			wfctl_print_help(cmd);
			free_tables();
			exit(WFCTL_EXIT_OK);
		}
		if (opt == '?' || opt == ':')
			bad_option(w, opt, argv[optind - 1], long_table);
		/* a short option: its index */
		for (int i = 0; opt < OPT_HELP && own_options[i].option.name; i++)
			if (own_options[i].option.letter == opt)
				opt = OPT_OWN + i;
		for (int i = 0; opt < OPT_HELP && i < nopts; i++)
			if (cmd->options[i].letter == opt)
				opt = OPT_COMMAND + i;
		if (opt >= OPT_COMMAND)
			take_option(w, &cmd->options[opt - OPT_COMMAND], optarg,
						&seen_table[opt - OPT_COMMAND]);
		else if (opt >= OPT_OWN)
			store(w, &own_options[opt - OPT_OWN].option, optarg,
				  (char *) w + own_options[opt - OPT_OWN].offset);
	}
	free_tables();
	w->args = argv + optind;
	w->nargs = argc - optind;
	check_arguments(w);
}
