-- 003_account_tiers.sql: routing by account tier reads fields of two
-- Salesforce objects: Contact.Preferred_Channel__c and Contact.Email, and
-- Account.Tier__c and Account.Name.  One call per object, listing all the
-- fields it needs (a failure names every unmet field of that object).
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

INSERT INTO public.schema_migrations (version) VALUES ('003_account_tiers');
