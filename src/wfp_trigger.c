/*-------------------------------------------------------------------------
 *
 * wfp_trigger.c
 *	  wf_checkpoint_trigger(): record a step for every row written, in the
 *	  same transaction as the business change.
 *
 *	  CREATE TRIGGER wf_checkpoint AFTER INSERT OR UPDATE ON orders
 *	    FOR EACH ROW EXECUTE FUNCTION
 *	    workflow_persist.wf_checkpoint_trigger('<id column>',
 *	                                          '<step key column>'
 *	                                          [, '<value column>'
 *	                                          [, '<namespace>']]);
 *
 * An empty value column ('') records the whole row; without a namespace
 * the steps go to workflow_persist.namespace as set when the row is
 * written.
 *
 * (wf_attach_checkpoint() writes that statement with every identifier
 * quoted.)  Each row becomes the step {"ok": true, "value": <the value
 * column as jsonb, or the whole row as jsonb>} of workflow <id> under key
 * <step key>, through the same code as wf_save_step (wfp_checkpoint).  A
 * value column that already holds an awaitly StepResult (a JSON object
 * whose "ok" is a boolean) is recorded as it is, so failed steps can be
 * checkpointed too; a whole row never is.  An UPDATE that changes neither the id, the key nor the recorded
 * value records nothing.
 *
 * What a statement needs is looked up once per statement and kept in
 * fn_extra: the column numbers and a to_jsonb call set up for the value's
 * type.  No SQL is built from values; the store's statements are prepared
 * once per backend.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/rel.h"

#include "wfp_settings.h"
#include "wfp_jsonb.h"
#include "wfp_sql.h"

PG_FUNCTION_INFO_V1(wf_checkpoint_trigger);

/* What one trigger needs for every row of a statement. */
typedef struct TriggerPlan
{
	Oid			tgoid;
	int			id_att;
	int			key_att;
	int			value_att;		/* 0: the whole row */
	Oid			value_type;
	FmgrInfo	to_jsonb;		/* to_jsonb() for value_type */
} TriggerPlan;

static int
column_number(TriggerData *td, const char *name, const char *role)
{
	int			att = SPI_fnumber(td->tg_relation->rd_att, name);

	if (att <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" named as the %s column by trigger \"%s\" does not exist in table \"%s\"",
						name, role, td->tg_trigger->tgname,
						RelationGetRelationName(td->tg_relation))));
	return att;
}

static TriggerPlan *
get_plan(FunctionCallInfo fcinfo, TriggerData *td)
{
	TriggerPlan *plan = fcinfo->flinfo->fn_extra;
	Trigger    *tg = td->tg_trigger;
	MemoryContext old;
	FuncExpr   *call;

	if (plan != NULL && plan->tgoid == tg->tgoid)
		return plan;

	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	plan = palloc0(sizeof(TriggerPlan));
	plan->tgoid = tg->tgoid;
	plan->id_att = column_number(td, tg->tgargs[0], "workflow id");
	plan->key_att = column_number(td, tg->tgargs[1], "step key");
	if (tg->tgnargs >= 3 && tg->tgargs[2][0] != '\0')
	{
		plan->value_att = column_number(td, tg->tgargs[2], "value");
		plan->value_type = TupleDescAttr(td->tg_relation->rd_att,
										 plan->value_att - 1)->atttypid;
	}
	else
		plan->value_type = td->tg_relation->rd_rel->reltype;

	/* to_jsonb(anyelement) learns its argument's type from fn_expr */
	fmgr_info_cxt(F_TO_JSONB, &plan->to_jsonb, fcinfo->flinfo->fn_mcxt);
	call = makeFuncExpr(F_TO_JSONB, JSONBOID,
						list_make1(makeNullConst(plan->value_type, -1, InvalidOid)),
						InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	plan->to_jsonb.fn_expr = (Node *) call;
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = plan;
	return plan;
}

/* A column of the row as text (its type's output), raising on NULL. */
static char *
column_text(TriggerData *td, HeapTuple row, int att, const char *role)
{
	char	   *s = SPI_getvalue(row, td->tg_relation->rd_att, att);

	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the %s column \"%s\" is null in a row of table \"%s\"",
						role, SPI_fname(td->tg_relation->rd_att, att),
						RelationGetRelationName(td->tg_relation)),
				 errdetail("Trigger \"%s\" records a step for every row; nothing was recorded.",
						   td->tg_trigger->tgname)));
	return s;
}

/* The recorded value of a row: the value column, or the whole row. */
static Jsonb *
row_value(TriggerPlan *plan, TriggerData *td, HeapTuple row)
{
	Datum		d;
	bool		isnull = false;

	if (plan->value_att > 0)
		d = SPI_getbinval(row, td->tg_relation->rd_att, plan->value_att,
						  &isnull);
	else
		d = heap_copy_tuple_as_datum(row, td->tg_relation->rd_att);
	if (isnull)
	{
		JsonbValue	null;

		null.type = jbvNull;
		return JsonbValueToJsonb(&null);
	}
	return DatumGetJsonbP(FunctionCall1(&plan->to_jsonb, d));
}

/*
 * {"ok": true, "value": v}, unless v (a value column, never a whole row:
 * a table may well have a boolean column "ok") already is a StepResult.
 */
static Jsonb *
step_result(Jsonb *value, bool from_value_column)
{
	JsonbValue	ok;
	WfpNode    *node;
	JsonbValue	v;

	if (from_value_column && JB_ROOT_IS_OBJECT(value) &&
		wfp_get_key(&value->root, "ok", &ok) && ok.type == jbvBool)
		return value;
	node = wfp_node_new(false, 2);
	ok.type = jbvBool;
	ok.val.boolean = true;
	wfp_node_add(node, "ok", 2, &ok);
	wfp_root_value(value, &v);
	wfp_node_add(node, "value", 5, &v);
	return wfp_node_to_jsonb(node);
}

static bool
same_jsonb(Jsonb *a, Jsonb *b)
{
	return VARSIZE(a) == VARSIZE(b) && memcmp(a, b, VARSIZE(a)) == 0;
}

Datum
wf_checkpoint_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	Trigger    *tg;
	const char *table;
	TriggerPlan *plan;
	HeapTuple	row;
	char	   *id;
	char	   *key;
	char	   *ns;
	Jsonb	   *value;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("wf_checkpoint_trigger() can only be called as a trigger")));
	td = (TriggerData *) fcinfo->context;
	tg = td->tg_trigger;
	table = RelationGetRelationName(td->tg_relation);
	if (!TRIGGER_FIRED_AFTER(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on table \"%s\" must be an AFTER trigger",
						tg->tgname, table),
				 errhint("Create it with wf_attach_checkpoint().")));
	if (!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on table \"%s\" must be FOR EACH ROW",
						tg->tgname, table),
				 errhint("Create it with wf_attach_checkpoint().")));
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event) &&
		!TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on table \"%s\" must fire on INSERT or UPDATE only",
						tg->tgname, table)));
	if (tg->tgnargs < 2 || tg->tgnargs > 4)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on table \"%s\" needs 2 to 4 arguments, got %d",
						tg->tgname, table, tg->tgnargs),
				 errdetail("The arguments name the workflow id column, the step key column and, optionally, the value column ('' for the whole row) and the namespace.")));
	ns = wfp_namespace_arg(tg->tgnargs == 4 ? tg->tgargs[3] : NULL, false);

	plan = get_plan(fcinfo, td);
	row = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	id = column_text(td, row, plan->id_att, "workflow id");
	key = column_text(td, row, plan->key_att, "step key");
	value = row_value(plan, td, row);

	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		HeapTuple	old = td->tg_trigtuple;
		char	   *oldid = SPI_getvalue(old, td->tg_relation->rd_att, plan->id_att);
		char	   *oldkey = SPI_getvalue(old, td->tg_relation->rd_att, plan->key_att);

		/* nothing recorded changed: record nothing */
		if (oldid != NULL && oldkey != NULL &&
			strcmp(oldid, id) == 0 && strcmp(oldkey, key) == 0 &&
			same_jsonb(row_value(plan, td, old), value))
			return PointerGetDatum(NULL);
	}

	if (strlen(id) < 1 || strlen(id) > WFP_MAX_ID_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the workflow id column \"%s\" of table \"%s\" holds an id of %zu bytes",
						SPI_fname(td->tg_relation->rd_att, plan->id_att), table,
						strlen(id)),
				 errdetail("Workflow ids are 1 to %d bytes long; trigger \"%s\" recorded nothing.",
						   WFP_MAX_ID_BYTES, tg->tgname)));
	wfp_checkpoint(ns, id, key, strlen(key),
				   step_result(value, plan->value_att > 0), false, 0, NULL, -1,
				   false);
	return PointerGetDatum(NULL);
}
