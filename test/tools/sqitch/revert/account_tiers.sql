-- Revert hcguard_sqitch_test:account_tiers from pg

BEGIN;

DROP VIEW public.account_tiers;
DROP TABLE public.tier_channel_rules;

COMMIT;
