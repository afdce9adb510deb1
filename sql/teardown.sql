--
-- Teardown: roles are cluster-wide, so the suite removes its own.
--
DROP OWNED BY regress_hc_owner, regress_hc_owner_member, regress_hc_migrator, regress_hc_stranger;
DROP ROLE regress_hc_owner, regress_hc_owner_member, regress_hc_migrator, regress_hc_stranger;
