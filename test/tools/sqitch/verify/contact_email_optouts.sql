-- Verify hcguard_sqitch_test:contact_email_optouts on pg

SELECT contact_sfid, opted_out_at FROM public.contact_email_optouts WHERE false;
