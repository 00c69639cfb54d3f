/*-------------------------------------------------------------------------
 *
 * wfp_shard.c
 *	  wf_shard_hash(namespace, id): the stable hash that places a workflow
 *	  on a shard.
 *
 * The router (router/, extension workflow_persist_router) sends every call
 * about one workflow to the PL/Proxy partition "wf_shard_hash(namespace,
 * id) & (partitions - 1)", and wf_shard_prune (sql/workflow_persist.sql)
 * keeps on a shard exactly the rows that hash to it.  Data placement
 * depends on this function, so it is frozen: 32-bit FNV-1a over the bytes
 * of the namespace, one zero byte, and the bytes of the id, read as a
 * signed int4.  It depends on no server version, platform, encoding
 * setting or collation; changing it strands every sharded row
 * (docs/scale-out.md, "The shard hash").
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "wfp_sql.h"

PG_FUNCTION_INFO_V1(wf_shard_hash);

#define WFP_FNV_OFFSET	((uint32) 2166136261U)
#define WFP_FNV_PRIME	((uint32) 16777619U)

static uint32
fnv1a(uint32 h, const unsigned char *p, Size len)
{
	for (Size i = 0; i < len; i++)
	{
		h ^= p[i];
		h *= WFP_FNV_PRIME;
	}
	return h;
}

/*
 * wf_shard_hash(namespace text, id text) returns int4.  The id is checked
 * as every function checks it (22004, 22023); a NULL namespace is 22004.
 */
Datum
wf_shard_hash(PG_FUNCTION_ARGS)
{
	text	   *ns;
	char	   *id;
	uint32		h = WFP_FNV_OFFSET;
	const unsigned char zero = 0;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("namespace must not be null")));
	ns = PG_GETARG_TEXT_PP(0);
	id = wfp_arg_id(fcinfo, 1);
	h = fnv1a(h, (const unsigned char *) VARDATA_ANY(ns), VARSIZE_ANY_EXHDR(ns));
	h = fnv1a(h, &zero, 1);
	h = fnv1a(h, (const unsigned char *) id, strlen(id));
	PG_RETURN_INT32((int32) h);
}
