-- Deploy hcguard_sqitch_test:account_tiers to pg
-- Routing by account tier reads fields of two Salesforce objects; one call
-- per object lists every field it needs.

BEGIN;

SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c', 'email');
SELECT hcguard_required('salesforce', 'account', 'tier__c', 'name');

CREATE TABLE public.tier_channel_rules (
    tier    varchar(255) NOT NULL,
    channel varchar(255) NOT NULL,
    PRIMARY KEY (tier, channel)
);

CREATE VIEW public.account_tiers AS
    SELECT sfid, name, tier__c
      FROM salesforce.account;

COMMIT;
