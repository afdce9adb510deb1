-- Revert hcguard_sqitch_test:contact_email_optouts from pg

BEGIN;

DROP TABLE public.contact_email_optouts;

COMMIT;
