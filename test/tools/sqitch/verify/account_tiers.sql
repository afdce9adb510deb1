-- Verify hcguard_sqitch_test:account_tiers on pg

SELECT tier, channel FROM public.tier_channel_rules WHERE false;
SELECT sfid, name, tier__c FROM public.account_tiers WHERE false;
