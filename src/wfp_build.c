/*-------------------------------------------------------------------------
 *
 * wfp_build.c
 *	  Assemble jsonb documents from pieces of other jsonb documents without
 *	  unpacking them.
 *
 * PostgreSQL's own builder (pushJsonbValue) expands every nested container
 * it is given into an in-memory tree and serializes it again.  Merging two
 * snapshots or assembling one from stored step rows would then cost a full
 * parse-and-rewrite of every step value.  A jsonb container, however, is
 * position independent as long as it starts on a 4-byte boundary: its
 * offsets are relative to its own data area and every aligned item in it
 * is aligned relative to that start.  So this writer lays out only the new
 * outer levels (header, JEntries, keys) and copies nested containers and
 * scalars byte for byte, exactly as convertJsonbObject/convertJsonbArray in
 * jsonb_util.c would have written them.
 *
 * Callers describe a level as a WfpNode: an object (pairs sorted in jsonb
 * key order, unique; wfp_node_sort_unique makes them so) or an array.  Each
 * item is a scalar, a jbvBinary container to copy, or a nested WfpNode.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/numeric.h"

#include "wfp_jsonb.h"

WfpNode *
wfp_node_new(bool is_array, int capacity)
{
	WfpNode    *node = palloc(sizeof(WfpNode));

	node->is_array = is_array;
	node->count = 0;
	node->capacity = Max(capacity, 4);
	node->items = palloc(sizeof(WfpItem) * node->capacity);
	return node;
}

static WfpItem *
next_item(WfpNode *node)
{
	WfpItem    *item;

	if (node->count >= node->capacity)
	{
		node->capacity *= 2;
		node->items = repalloc_huge(node->items,
									sizeof(WfpItem) * node->capacity);
	}
	item = &node->items[node->count];
	item->order = node->count++;
	item->key = NULL;
	item->keylen = 0;
	item->child = NULL;
	return item;
}

/* Add a scalar or jbvBinary value (the value is referenced, not copied). */
void
wfp_node_add(WfpNode *node, const char *key, int keylen, const JsonbValue *value)
{
	WfpItem    *item = next_item(node);

	Assert(node->is_array == (key == NULL));
	Assert(value->type != jbvArray && value->type != jbvObject);
	item->key = key;
	item->keylen = keylen;
	item->value = *value;
}

/* Add a nested level, written in place. */
void
wfp_node_add_node(WfpNode *node, const char *key, int keylen, WfpNode *child)
{
	WfpItem    *item = next_item(node);

	Assert(node->is_array == (key == NULL));
	item->key = key;
	item->keylen = keylen;
	item->child = child;
}

/* jsonb's key order: shorter first, then bytewise */
int
wfp_key_cmp(const char *a, int alen, const char *b, int blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return memcmp(a, b, alen);
}

static int
item_cmp(const void *a, const void *b)
{
	const WfpItem *ia = a;
	const WfpItem *ib = b;
	int			c = wfp_key_cmp(ia->key, ia->keylen, ib->key, ib->keylen);

	if (c != 0)
		return c;
	/* equal keys: the later one first, so that it is the one kept */
	return ia->order > ib->order ? -1 : 1;
}

/*
 * Put an object's pairs in jsonb key order and drop duplicate keys, the
 * last added winning (as jsonb does when it parses duplicate keys).
 */
void
wfp_node_sort_unique(WfpNode *node)
{
	int			kept;

	Assert(!node->is_array);
	if (node->count < 2)
		return;
	qsort(node->items, node->count, sizeof(WfpItem), item_cmp);
	kept = 1;
	for (int i = 1; i < node->count; i++)
	{
		WfpItem    *prev = &node->items[kept - 1];
		WfpItem    *cur = &node->items[i];

		if (cur->keylen == prev->keylen &&
			memcmp(cur->key, prev->key, cur->keylen) == 0)
			continue;
		node->items[kept++] = *cur;
	}
	node->count = kept;
}

/* ----------
 * The writer
 * ----------
 */

/* Reserve len bytes at the end of buf; jsonb's hard limit applies. */
static int
reserve(StringInfo buf, Size len)
{
	int			offset;

	if ((Size) buf->len + len > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("assembled jsonb document would exceed the maximum of %u bytes",
						JENTRY_OFFLENMASK)));
	enlargeStringInfo(buf, (int) len);
	offset = buf->len;
	buf->len += (int) len;
	buf->data[buf->len] = '\0';
	return offset;
}

static void
append(StringInfo buf, const void *data, Size len)
{
	int			offset = reserve(buf, len);

	memcpy(buf->data + offset, data, len);
}

static int
pad_to_int(StringInfo buf)
{
	int			padlen = INTALIGN(buf->len) - buf->len;

	if (padlen > 0)
	{
		int			offset = reserve(buf, padlen);

		memset(buf->data + offset, 0, padlen);
	}
	return padlen;
}

static void write_node(StringInfo buf, JEntry *jentry, const WfpNode *node);

/* Write one value's data; *jentry gets its type bits and length. */
static void
write_value(StringInfo buf, JEntry *jentry, const WfpItem *item)
{
	const JsonbValue *v = &item->value;

	if (item->child)
	{
		write_node(buf, jentry, item->child);
		return;
	}
	switch (v->type)
	{
		case jbvNull:
			*jentry = JENTRY_ISNULL;
			break;
		case jbvBool:
			*jentry = v->val.boolean ? JENTRY_ISBOOL_TRUE : JENTRY_ISBOOL_FALSE;
			break;
		case jbvString:
			append(buf, v->val.string.val, v->val.string.len);
			*jentry = JENTRY_ISSTRING | v->val.string.len;
			break;
		case jbvNumeric:
			{
				int			padlen = pad_to_int(buf);
				Size		numlen = VARSIZE_ANY(v->val.numeric);

				append(buf, v->val.numeric, numlen);
				*jentry = JENTRY_ISNUMERIC | (padlen + numlen);
				break;
			}
		case jbvBinary:
			{
				/* a whole container, copied: it stays valid when aligned */
				int			padlen = pad_to_int(buf);

				append(buf, v->val.binary.data, v->val.binary.len);
				*jentry = JENTRY_ISCONTAINER | (padlen + v->val.binary.len);
				break;
			}
		default:
			elog(ERROR, "unexpected jsonb value type %d in builder",
				 (int) v->type);
	}
}

/*
 * Append one JEntry's worth of data accounting: every JB_OFFSET_STRIDE'th
 * entry stores the end offset instead of the length, as jsonb requires.
 */
static void
store_jentry(StringInfo buf, int jentry_offset, int index, JEntry meta,
			 uint32 *totallen)
{
	*totallen += JBE_OFFLENFLD(meta);
	if (*totallen > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("assembled jsonb document would exceed the maximum of %u bytes",
						JENTRY_OFFLENMASK)));
	if (index % JB_OFFSET_STRIDE == 0)
		meta = (meta & JENTRY_TYPEMASK) | *totallen | JENTRY_HAS_OFF;
	memcpy(buf->data + jentry_offset + index * sizeof(JEntry), &meta,
		   sizeof(JEntry));
}

static void
write_node(StringInfo buf, JEntry *jentry, const WfpNode *node)
{
	int			base_offset = buf->len;
	int			nentries = node->is_array ? node->count : node->count * 2;
	uint32		header;
	int			jentry_offset;
	uint32		totallen = 0;

	check_stack_depth();
#ifdef USE_ASSERT_CHECKING
	if (!node->is_array)
		for (int i = 1; i < node->count; i++)
			Assert(wfp_key_cmp(node->items[i - 1].key, node->items[i - 1].keylen,
							   node->items[i].key, node->items[i].keylen) < 0);
#endif
	pad_to_int(buf);
	header = node->count | (node->is_array ? JB_FARRAY : JB_FOBJECT);
	append(buf, &header, sizeof(uint32));
	jentry_offset = reserve(buf, sizeof(JEntry) * (Size) nentries);

	if (!node->is_array)
	{
		for (int i = 0; i < node->count; i++)
		{
			const WfpItem *item = &node->items[i];

			append(buf, item->key, item->keylen);
			store_jentry(buf, jentry_offset, i,
						 JENTRY_ISSTRING | item->keylen, &totallen);
		}
	}
	for (int i = 0; i < node->count; i++)
	{
		JEntry		meta;

		CHECK_FOR_INTERRUPTS();
		write_value(buf, &meta, &node->items[i]);
		store_jentry(buf, jentry_offset,
					 node->is_array ? i : i + node->count, meta, &totallen);
	}
	*jentry = JENTRY_ISCONTAINER | (buf->len - base_offset);
}

/*
 * Serialize a node as a complete jsonb datum.  Objects must already be in
 * jsonb key order without duplicates (see wfp_node_sort_unique).
 */
Jsonb *
wfp_node_to_jsonb(const WfpNode *node)
{
	StringInfoData buf;
	JEntry		root_entry;

	initStringInfo(&buf);
	reserve(&buf, VARHDRSZ);
	write_node(&buf, &root_entry, node);
	SET_VARSIZE(buf.data, buf.len);
	return (Jsonb *) buf.data;
}

/*
 * A node holding an object's pairs (values referenced, not copied), with
 * room for "extra" more; its items are already in jsonb key order.
 */
WfpNode *
wfp_node_from_object(JsonbContainer *obj, int extra)
{
	WfpNode    *node = wfp_node_new(false, JsonContainerSize(obj) + extra);
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbIteratorToken tok;
	JsonbValue	k,
				v;

	Assert(JsonContainerIsObject(obj));
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		wfp_node_add(node, k.val.string.val, k.val.string.len, &v);
	}
	return node;
}
