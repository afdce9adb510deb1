-- Deploy hcguard_sqitch_test:contact_channels to pg
-- The "contact preferences" feature reads the custom Salesforce field
-- Contact.Preferred_Channel__c: Heroku Connect must have mapped and synced it
-- in this environment before this ships.

BEGIN;

SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c');

CREATE VIEW public.contact_channels AS
    SELECT sfid, email, preferred_channel__c
      FROM salesforce.contact;

COMMIT;
