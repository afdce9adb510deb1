-- Revert hcguard_sqitch_test:contact_channels from pg

BEGIN;

DROP VIEW public.contact_channels;

COMMIT;
