-- Verify hcguard_sqitch_test:contact_channels on pg

SELECT sfid, email, preferred_channel__c FROM public.contact_channels WHERE false;
