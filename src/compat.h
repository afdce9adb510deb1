/*-------------------------------------------------------------------------
 * compat.h
 *	  The few server APIs that differ between PostgreSQL 13 and 17.
 *-------------------------------------------------------------------------
 */
#ifndef HCGUARD_COMPAT_H
#define HCGUARD_COMPAT_H

#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "utils/acl.h"

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

#endif							/* HCGUARD_COMPAT_H */
