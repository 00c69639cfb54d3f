/*-------------------------------------------------------------------------
 *
 * wfp_notify.c
 *	  Change notifications: NOTIFY workflow_persist, '{"token": "..."}' for
 *	  every workflow a committed transaction wrote, and wf_notification(),
 *	  which turns a token back into its id, version, status, event and
 *	  namespace for a role allowed to see that workflow.
 *
 * With workflow_persist.notify on, writers record which workflows they
 * touched (and the last event) in a backend-local table.  Just before
 * commit (XACT_EVENT_PRE_COMMIT, which runs before PostgreSQL queues its
 * own notifications) each touched header is read back: if this
 * transaction wrote it (its xmin is one of ours), one notification
 * carries its final version and status; if it is gone and the last event
 * was a delete, one says so.  So notifications are
 *   - sent only on commit (PostgreSQL delivers NOTIFY at commit),
 *   - coalesced: one per workflow per transaction, with the final state,
 *   - never sent for work a savepoint rolled back (its xid is not ours),
 *     and named after the last write that survived (each workflow keeps
 *     one event per subtransaction level, dropped if that one aborts),
 *   - not sent for a workflow created and deleted in the same transaction.
 *
 * Every role that may connect may LISTEN, so the payload must tell a
 * listener nothing it may not see.  It is an opaque token: the id,
 * namespace, version, status, event and the writing role, encrypted and
 * authenticated with a per-database key (the table wf_notify_key, which
 * only the extension's owner can read).  Keystream blocks are
 * HMAC-SHA-256(K_enc, nonce || counter), the tag HMAC-SHA-256(K_mac,
 * nonce || ciphertext) cut to 16 bytes, both keys derived from the stored
 * one; the nonce is 16 random bytes.  wf_notification() verifies and
 * decrypts a token and returns its content only to a role that can see
 * the workflow through wf_live now (table privileges and row-level
 * security apply).  docs/notifications.md, "Who can read a notification".
 *
 * A commit must never fail because of a notification: the header and the
 * key are read straight through the primary key (no privilege check: only
 * rows this transaction wrote are reported, whoever the current role is
 * at commit), and when a notification cannot be built (no key, no random
 * bytes, the server's notification queue more than half full) the commit
 * goes on with a WARNING and without it (so does one whose extension
 * was dropped after its writes).  Every token is TOKEN_HEX
 * characters (the plaintext is padded to the longest id and namespace, so the length
 * tells nothing either), far below NOTIFY's 8000-byte limit.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "common/hmac.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

#include "wfp_settings.h"
#include "wfp_notify.h"

#define CHANNEL "workflow_persist"

/*
 * A touched workflow: the events written to it, one frame per
 * (sub)transaction level that wrote it, newest last.  A subtransaction
 * that commits folds its frame into its parent's; one that aborts drops
 * it.  So at commit the newest frame names the last write that survived.
 */
#define MAX_FRAMES 16

typedef struct Frame
{
	SubTransactionId subid;
	char		event[16];
	bool		created;		/* this write created the workflow */
	Oid			writer;			/* the role current at the last write */
} Frame;

/* "<namespace>:<id>": a namespace holds no ':', so the first one splits */
#define TOUCHED_KEY_BYTES (WFP_MAX_NAMESPACE_BYTES + 1 + WFP_MAX_ID_BYTES + 1)

typedef struct Touched
{
	char		key[TOUCHED_KEY_BYTES];	/* hash key */
	int			nframes;
	Frame		frames[MAX_FRAMES];
} Touched;

static HTAB *touched = NULL;

void
wfp_notify_track(const char *ns, const char *id, const char *event,
				 bool created)
{
	char		key[TOUCHED_KEY_BYTES];
	Touched    *entry;
	bool		found;
	SubTransactionId subid = GetCurrentSubTransactionId();
	Frame	   *top;

	if (!wfp_notify)
		return;
	if (touched == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = TOUCHED_KEY_BYTES;
		ctl.entrysize = sizeof(Touched);
		ctl.hcxt = TopMemoryContext;
		touched = hash_create("workflow_persist touched workflows", 16, &ctl,
							  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	snprintf(key, sizeof(key), "%s:%s", ns, id);
	entry = hash_search(touched, key, HASH_ENTER, &found);
	if (!found)
		entry->nframes = 0;
	top = entry->nframes > 0 ? &entry->frames[entry->nframes - 1] : NULL;
	if (top == NULL || top->subid != subid)
	{
		if (entry->nframes == MAX_FRAMES)
		{
			/* deeper than any real nesting: merge the two oldest */
			memmove(&entry->frames[1], &entry->frames[2],
					sizeof(Frame) * (MAX_FRAMES - 2));
			entry->nframes--;
		}
		top = &entry->frames[entry->nframes++];
		top->subid = subid;
		top->created = created;
	}
	else
		top->created = top->created || created;
	strlcpy(top->event, event, sizeof(top->event));
	top->writer = GetUserId();
}

/* A subtransaction ended: fold its frames into the parent, or drop them. */
static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	HASH_SEQ_STATUS seq;
	Touched    *entry;

	if (touched == NULL ||
		(event != SUBXACT_EVENT_COMMIT_SUB && event != SUBXACT_EVENT_ABORT_SUB))
		return;
	hash_seq_init(&seq, touched);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		Frame	   *top;

		if (entry->nframes == 0 ||
			entry->frames[entry->nframes - 1].subid != mySubid)
			continue;
		top = &entry->frames[entry->nframes - 1];
		if (event == SUBXACT_EVENT_ABORT_SUB)
			entry->nframes--;
		else if (entry->nframes > 1 &&
				 entry->frames[entry->nframes - 2].subid == parentSubid)
		{
			Frame	   *parent = &entry->frames[entry->nframes - 2];

			strlcpy(parent->event, top->event, sizeof(parent->event));
			parent->created = parent->created || top->created;
			parent->writer = top->writer;
			entry->nframes--;
		}
		else
			top->subid = parentSubid;
		if (entry->nframes == 0)
			hash_search(touched, entry->key, HASH_REMOVE, NULL);
	}
}

static void
forget_all(void)
{
	if (touched != NULL)
	{
		hash_destroy(touched);
		touched = NULL;
	}
}

/* ----------
 * Tokens
 * ----------
 */

#define KEY_BYTES		32
#define NONCE_BYTES		16
#define TAG_BYTES		16
#define BLOCK_BYTES		32		/* one HMAC-SHA-256 output */
#define TOKEN_FORMAT	2
#define TOKEN_DELETED	0x01
/* format, flags, writer, version, status, event, id and namespace lengths */
#define FIXED_BYTES		(1 + 1 + 4 + 8 + 1 + 1 + 2 + 1)
/* every plaintext is padded to this size: a token's length says nothing */
#define PLAIN_BYTES		(FIXED_BYTES + 15 + 15 + WFP_MAX_ID_BYTES + WFP_MAX_NAMESPACE_BYTES)
#define TOKEN_BYTES		(NONCE_BYTES + PLAIN_BYTES + TAG_BYTES)
#define TOKEN_HEX		(2 * TOKEN_BYTES)

typedef struct TokenKeys
{
	uint8		enc[BLOCK_BYTES];
	uint8		mac[BLOCK_BYTES];
} TokenKeys;

/* The decrypted content of a token. */
typedef struct TokenContent
{
	bool		deleted;
	Oid			writer;
	int64		version;
	char		status[16];
	char		event[16];
	char		id[WFP_MAX_ID_BYTES + 1];
	char		ns[WFP_MAX_NAMESPACE_BYTES + 1];
} TokenContent;

/* HMAC-SHA-256 of the concatenation of two byte strings; false on failure */
static bool
hmac2(const uint8 *key, size_t keylen, const uint8 *a, size_t alen,
	  const uint8 *b, size_t blen, uint8 *out)
{
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);
	bool		ok;

	if (ctx == NULL)
		return false;
	ok = pg_hmac_init(ctx, key, keylen) == 0 &&
		pg_hmac_update(ctx, a, alen) == 0 &&
		(blen == 0 || pg_hmac_update(ctx, b, blen) == 0) &&
		pg_hmac_final(ctx, out, BLOCK_BYTES) == 0;
	pg_hmac_free(ctx);
	return ok;
}

static Oid
extension_relation(const char *name)
{
	Oid			nsp = get_namespace_oid("workflow_persist", false);
	Oid			oid = get_relname_relid(name, nsp);

	if (!OidIsValid(oid))
		elog(ERROR, "relation workflow_persist.%s is missing", name);
	return oid;
}

/*
 * The database's token keys, derived from wf_notify_key's row, read
 * without a privilege check (only the owner can read the table; this
 * code reads it for whoever sends or opens a token).  false when there
 * is no usable key.
 */
static bool
token_keys(TokenKeys *keys)
{
	Relation	rel = table_open(extension_relation("wf_notify_key"),
								 AccessShareLock);
	SysScanDesc scan;
	HeapTuple	tup;
	bool		ok = false;

	scan = systable_beginscan(rel, InvalidOid, false, GetActiveSnapshot(),
							  0, NULL);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		AttrNumber	att = get_attnum(RelationGetRelid(rel), "key");
		bool		isnull = true;
		Datum		d = (Datum) 0;

		if (att != InvalidAttrNumber)
			d = heap_getattr(tup, att, RelationGetDescr(rel), &isnull);
		if (!isnull)
		{
			bytea	   *key = DatumGetByteaPP(d);
			const uint8 *k = (const uint8 *) VARDATA_ANY(key);
			size_t		klen = VARSIZE_ANY_EXHDR(key);

			ok = klen >= 16 &&
				hmac2(k, klen, (const uint8 *) "workflow_persist token enc", 26,
					  NULL, 0, keys->enc) &&
				hmac2(k, klen, (const uint8 *) "workflow_persist token mac", 26,
					  NULL, 0, keys->mac);
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return ok;
}

/* XOR buf with the keystream of nonce; false on failure */
static bool
keystream_xor(const TokenKeys *keys, const uint8 *nonce, uint8 *buf, size_t len)
{
	for (size_t off = 0; off < len; off += BLOCK_BYTES)
	{
		uint8		block[BLOCK_BYTES];
		uint8		counter[4];
		uint32		n = (uint32) (off / BLOCK_BYTES);

		counter[0] = (uint8) (n >> 24);
		counter[1] = (uint8) (n >> 16);
		counter[2] = (uint8) (n >> 8);
		counter[3] = (uint8) n;
		if (!hmac2(keys->enc, BLOCK_BYTES, nonce, NONCE_BYTES, counter, 4, block))
			return false;
		for (size_t i = 0; i < BLOCK_BYTES && off + i < len; i++)
			buf[off + i] ^= block[i];
	}
	return true;
}

/*
 * Seal a notification into hex text (palloc'd); NULL when it cannot be
 * built (the caller warns).
 */
static char *
token_seal(const TokenKeys *keys, const TokenContent *c)
{
	uint8		raw[TOKEN_BYTES];
	uint8	   *plain = raw + NONCE_BYTES;
	uint8		tag[BLOCK_BYTES];
	size_t		slen = strlen(c->status),
				elen = strlen(c->event),
				ilen = strlen(c->id),
				nlen = strlen(c->ns),
				len;
	uint64		v = (uint64) c->version;
	char	   *hex;

	StaticAssertStmt(sizeof(c->status) == 16 && sizeof(c->event) == 16,
					 "status and event hold at most 15 bytes");

	Assert(slen < sizeof(c->status) && elen < sizeof(c->event) &&
		   ilen <= WFP_MAX_ID_BYTES && nlen <= WFP_MAX_NAMESPACE_BYTES);
	if (!pg_strong_random(raw, NONCE_BYTES))
		return NULL;
	plain[0] = TOKEN_FORMAT;
	plain[1] = c->deleted ? TOKEN_DELETED : 0;
	for (int i = 0; i < 4; i++)
		plain[2 + i] = (uint8) (c->writer >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		plain[6 + i] = (uint8) (v >> (56 - 8 * i));
	plain[14] = (uint8) slen;
	plain[15] = (uint8) elen;
	plain[16] = (uint8) (ilen >> 8);
	plain[17] = (uint8) ilen;
	plain[18] = (uint8) nlen;
	len = FIXED_BYTES;
	memcpy(plain + len, c->status, slen);
	len += slen;
	memcpy(plain + len, c->event, elen);
	len += elen;
	memcpy(plain + len, c->id, ilen);
	len += ilen;
	memcpy(plain + len, c->ns, nlen);
	len += nlen;
	memset(plain + len, 0, PLAIN_BYTES - len);
	len = PLAIN_BYTES;
	if (!keystream_xor(keys, raw, plain, len) ||
		!hmac2(keys->mac, BLOCK_BYTES, raw, NONCE_BYTES + len, NULL, 0, tag))
		return NULL;
	memcpy(plain + len, tag, TAG_BYTES);
	len += NONCE_BYTES + TAG_BYTES;
	hex = palloc(2 * len + 1);
	hex[hex_encode((const char *) raw, len, hex)] = '\0';
	return hex;
}

static void
bad_token(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid notification token"),
			 errdetail("%s", why),
			 errhint("Pass the \"token\" member of a workflow_persist notification of this database.")));
}

/* Verify and open a token; raises 22023 when it is not one of ours. */
static void
token_open(const TokenKeys *keys, const text *token, TokenContent *c)
{
	const char *hex = VARDATA_ANY(token);
	size_t		hexlen = VARSIZE_ANY_EXHDR(token);
	uint8		raw[TOKEN_BYTES];
	uint8	   *plain = raw + NONCE_BYTES;
	uint8		tag[BLOCK_BYTES];
	size_t		len,
				slen,
				elen,
				ilen,
				nlen;
	uint8		diff = 0;
	uint64		v = 0;

	if (hexlen != TOKEN_HEX)
		bad_token(psprintf("A token is %d hexadecimal digits.", TOKEN_HEX));
	hex_decode(hex, hexlen, (char *) raw);	/* 22023 on a bad digit */
	len = PLAIN_BYTES;
	if (!hmac2(keys->mac, BLOCK_BYTES, raw, NONCE_BYTES + len, NULL, 0, tag))
		elog(ERROR, "could not compute an HMAC");
	for (int i = 0; i < TAG_BYTES; i++)
		diff |= tag[i] ^ plain[len + i];
	if (diff != 0)
		bad_token("Its authentication tag does not match: it was altered, or not made by this database.");
	if (!keystream_xor(keys, raw, plain, len))
		elog(ERROR, "could not compute an HMAC");
	slen = plain[14];
	elen = plain[15];
	ilen = ((size_t) plain[16] << 8) | plain[17];
	nlen = plain[18];
	if (plain[0] != TOKEN_FORMAT || slen >= sizeof(c->status) ||
		elen >= sizeof(c->event) || ilen < 1 || ilen > WFP_MAX_ID_BYTES ||
		nlen < 1 || nlen > WFP_MAX_NAMESPACE_BYTES)
		bad_token("Its format is not known.");
	c->deleted = (plain[1] & TOKEN_DELETED) != 0;
	c->writer = 0;
	for (int i = 0; i < 4; i++)
		c->writer = (c->writer << 8) | plain[2 + i];
	for (int i = 0; i < 8; i++)
		v = (v << 8) | plain[6 + i];
	c->version = (int64) v;
	memcpy(c->status, plain + FIXED_BYTES, slen);
	c->status[slen] = '\0';
	memcpy(c->event, plain + FIXED_BYTES + slen, elen);
	c->event[elen] = '\0';
	memcpy(c->id, plain + FIXED_BYTES + slen + elen, ilen);
	c->id[ilen] = '\0';
	memcpy(c->ns, plain + FIXED_BYTES + slen + elen + ilen, nlen);
	c->ns[nlen] = '\0';
}

/* ----------
 * Sending, at commit
 * ----------
 */

/*
 * The header of id as this transaction sees it, through the primary key
 * and without a privilege check: false when there is none.
 */
static bool
read_header(Relation rel, Oid pkey, const char *ns, const char *id,
			int64 *version, char *status, size_t statuslen,
			TransactionId *xmin)
{
	TupleDesc	desc = RelationGetDescr(rel);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	ScanKeyEntryInitialize(&key[0], 0,
						   get_attnum(RelationGetRelid(rel), "namespace"),
						   BTEqualStrategyNumber, InvalidOid, C_COLLATION_OID,
						   F_TEXTEQ, CStringGetTextDatum(ns));
	ScanKeyEntryInitialize(&key[1], 0, get_attnum(RelationGetRelid(rel), "id"),
						   BTEqualStrategyNumber, InvalidOid, C_COLLATION_OID,
						   F_TEXTEQ, CStringGetTextDatum(id));
	scan = systable_beginscan(rel, pkey, true, GetActiveSnapshot(), 2, key);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		d;

		found = true;
		*xmin = HeapTupleHeaderGetXmin(tup->t_data);
		d = heap_getattr(tup, get_attnum(RelationGetRelid(rel), "version"),
						 desc, &isnull);
		*version = isnull ? 0 : DatumGetInt64(d);
		d = heap_getattr(tup, get_attnum(RelationGetRelid(rel), "status"),
						 desc, &isnull);
		if (isnull)
			status[0] = '\0';
		else
			text_to_cstring_buffer(DatumGetTextPP(d), status, statuslen);
	}
	systable_endscan(scan);
	return found;
}

/* The notification of one touched workflow, if it is due: NULL if not. */
static char *
notify_payload(const TokenKeys *keys, Relation rel, Oid pkey,
			   const Touched *entry, bool *failed)
{
	TokenContent c;
	const Frame *last;
	bool		created_here = false;
	TransactionId xmin;
	char	   *token;
	char	   *payload;

	if (entry->nframes == 0)
		return NULL;
	last = &entry->frames[entry->nframes - 1];
	for (int i = 0; i < entry->nframes; i++)
		created_here = created_here || entry->frames[i].created;

	memset(&c, 0, sizeof(c));
	/* the key is "<namespace>:<id>" */
	strlcpy(c.ns, entry->key, Min(sizeof(c.ns), strcspn(entry->key, ":") + 1));
	strlcpy(c.id, entry->key + strlen(c.ns) + 1, sizeof(c.id));
	if (read_header(rel, pkey, c.ns, c.id, &c.version, c.status,
					sizeof(c.status), &xmin))
	{
		if (!TransactionIdIsCurrentTransactionId(xmin))
			return NULL;		/* our changes were rolled back */
	}
	else if (strcmp(last->event, "delete") == 0 && !created_here)
		c.deleted = true;
	else
		return NULL;			/* never committed: nothing to say */
	c.writer = last->writer;
	strlcpy(c.event, last->event, sizeof(c.event));
	token = token_seal(keys, &c);
	if (token == NULL)
	{
		*failed = true;
		return NULL;
	}
	payload = psprintf("{\"token\": \"%s\"}", token);
	pfree(token);
	return payload;
}

/* The server's notification queue usage, 0 to 1 */
static double
queue_usage(void)
{
	LOCAL_FCINFO(fcinfo, 0);

	InitFunctionCallInfoData(*fcinfo, NULL, 0, InvalidOid, NULL, NULL);
	return DatumGetFloat8(pg_notification_queue_usage(fcinfo));
}

static void
notify_all(void)
{
	HASH_SEQ_STATUS seq;
	Touched    *entry;
	TokenKeys	keys;
	Relation	rel;
	Oid			nsp;
	Oid			workflow;
	Oid			pkey;
	int			failed = 0;

	if (queue_usage() > 0.5)
	{
		ereport(WARNING,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("workflow_persist sends no notifications for this transaction"),
				 errdetail("The server's notification queue is more than half full."),
				 errhint("A session that listens stays in a long transaction.")));
		return;
	}
	/* the extension may have been dropped since the writes */
	nsp = get_namespace_oid("workflow_persist", true);
	if (!OidIsValid(nsp) ||
		!OidIsValid(get_relname_relid("wf_notify_key", nsp)) ||
		!OidIsValid(workflow = get_relname_relid("wf_workflow", nsp)) ||
		!OidIsValid(pkey = get_relname_relid("wf_workflow_pkey", nsp)))
	{
		ereport(WARNING,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("workflow_persist sends no notifications for this transaction"),
				 errdetail("The extension's tables are gone.")));
		return;
	}
	if (!token_keys(&keys))
	{
		ereport(WARNING,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("workflow_persist sends no notifications for this transaction"),
				 errdetail("The table workflow_persist.wf_notify_key holds no key.")));
		return;
	}
	rel = table_open(workflow, AccessShareLock);
	hash_seq_init(&seq, touched);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		bool		fail = false;
		char	   *payload = notify_payload(&keys, rel, pkey, entry, &fail);

		if (payload != NULL)
		{
			Async_Notify(CHANNEL, payload);
			pfree(payload);
		}
		failed += fail;
	}
	table_close(rel, AccessShareLock);
	if (failed > 0)
		ereport(WARNING,
				(errmsg("workflow_persist could not build %d notifications of this transaction", failed),
				 errdetail("No random bytes or no HMAC were available.")));
}

static void
xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			if (touched != NULL)
			{
				PushActiveSnapshot(GetTransactionSnapshot());
				notify_all();
				PopActiveSnapshot();
				forget_all();
			}
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (touched != NULL)
			{
				ereport(WARNING,
						(errmsg("workflow_persist does not send notifications for prepared transactions")));
				forget_all();
			}
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			forget_all();
			break;
		default:
			break;
	}
}

/* ----------
 * Opening, for a listener
 * ----------
 */

/*
 * May the current role see what the token says?  A workflow that exists
 * must be live and visible to it now (SELECT on wf_live, so privileges
 * and row-level security apply).  A delete leaves no row to test: it
 * needs SELECT on wf_workflow, and when row-level security applies to the
 * role, the privileges of the role that deleted.
 */
static bool
may_see(const TokenContent *c)
{
	Oid			workflow = extension_relation("wf_workflow");
	AclResult	acl;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	bool		seen;

	if (c->deleted)
	{
		acl = pg_class_aclcheck(workflow, GetUserId(), ACL_SELECT);
		if (acl != ACLCHECK_OK)
			aclcheck_error(acl, OBJECT_TABLE, get_rel_name(workflow));
		if (check_enable_rls(workflow, InvalidOid, false) != RLS_ENABLED)
			return true;
		return has_privs_of_role(GetUserId(), c->writer);
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = CStringGetTextDatum(c->ns);
	args[1] = CStringGetTextDatum(c->id);
	if (SPI_execute_with_args("SELECT FROM workflow_persist.wf_live AS w "
							  "WHERE w.namespace OPERATOR(pg_catalog.=) $1 "
							  "AND w.id OPERATOR(pg_catalog.=) $2",
							  2, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read workflow \"%s\"", c->id);
	seen = SPI_processed == 1;
	SPI_finish();
	return seen;
}

PG_FUNCTION_INFO_V1(wf_notification);

/*
 * wf_notification(token) -> (id, version, status, event, namespace): what a
 * notification says, for a role that may see it; no row otherwise.
 */
Datum
wf_notification(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TokenKeys	keys;
	TokenContent c;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("token must not be null")));
	InitMaterializedSRF(fcinfo, 0);
	if (!token_keys(&keys))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("workflow_persist has no notification key"),
				 errdetail("The table workflow_persist.wf_notify_key holds no key.")));
	token_open(&keys, PG_GETARG_TEXT_PP(0), &c);
	if (!may_see(&c))
		PG_RETURN_NULL();
	values[0] = CStringGetTextDatum(c.id);
	values[1] = Int64GetDatum(c.version);
	values[2] = CStringGetTextDatum(c.status);
	values[3] = CStringGetTextDatum(c.event);
	values[4] = CStringGetTextDatum(c.ns);
	nulls[1] = nulls[2] = c.deleted;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	PG_RETURN_NULL();
}

void
wfp_notify_init(void)
{
	RegisterXactCallback(xact_callback, NULL);
	RegisterSubXactCallback(subxact_callback, NULL);
}
