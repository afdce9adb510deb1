/*-------------------------------------------------------------------------
 * compat.h
 *	  The few server APIs that differ between the PostgreSQL versions
 *	  hcguard supports: every #if on PG_VERSION_NUM is here.
 *-------------------------------------------------------------------------
 */
#ifndef HCGUARD_COMPAT_H
#define HCGUARD_COMPAT_H

#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "utils/acl.h"

/* The Makefile refuses older servers; this says the same to other builds. */
#if PG_VERSION_NUM < 130000
#error "hcguard needs PostgreSQL 13 or later"
#endif

#if PG_VERSION_NUM >= 160000
#define hc_namespace_aclcheck(nspid, roleid, mode) \
	object_aclcheck(NamespaceRelationId, (nspid), (roleid), (mode))
#define hc_table_ownercheck(relid, roleid) \
	object_ownercheck(RelationRelationId, (relid), (roleid))
#else
#define hc_namespace_aclcheck(nspid, roleid, mode) \
	pg_namespace_aclcheck((nspid), (roleid), (mode))
#define hc_table_ownercheck(relid, roleid) \
	pg_class_ownercheck((relid), (roleid))
#endif

/*
 * The size of a relation's main fork last read in this session, where the
 * server keeps it (PostgreSQL 14 and later), else InvalidBlockNumber: see
 * known_blocks (probe.c).
 */
#if PG_VERSION_NUM >= 140000
#define hc_cached_blocks(rel) (RelationGetSmgr(rel)->smgr_cached_nblocks[MAIN_FORKNUM])
#else
#define hc_cached_blocks(rel) InvalidBlockNumber
#endif

/* PostgreSQL 15 renamed it, and made it also refuse later placeholders */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/* PostgreSQL 16 made parseTypeString's last argument a soft-error context */
#if PG_VERSION_NUM >= 160000
#define hc_parse_type(str, type, typmod) parseTypeString((str), (type), (typmod), NULL)
#else
#define hc_parse_type(str, type, typmod) parseTypeString((str), (type), (typmod), false)
#endif

/*
 * Whether the planner knows a relation's row count: PostgreSQL 14 and later
 * store -1 until the table is first vacuumed or analyzed; 13 stores 0 rows
 * in 0 pages, as for an empty table, and its planner takes both for unknown.
 */
#if PG_VERSION_NUM >= 140000
#define hc_reltuples_unknown(form) ((form)->reltuples < 0)
#else
#define hc_reltuples_unknown(form) ((form)->reltuples == 0 && (form)->relpages == 0)
#endif

/*
 * PostgreSQL 18 replaced the suffix pg_attribute_noreturn() by the prefix
 * pg_noreturn: HC_NORETURN(declaration) serves both.
 */
#ifdef pg_noreturn
#define HC_NORETURN(decl) pg_noreturn decl
#else
#define HC_NORETURN(decl) decl pg_attribute_noreturn()
#endif

#endif							/* HCGUARD_COMPAT_H */
