-- 002_contact_channels.sql: the "contact preferences" feature reads each
-- contact's preferred channel, the custom Salesforce field
-- Contact.Preferred_Channel__c.  It must be mapped and synced by Heroku
-- Connect in this environment before this ships.
SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c');

CREATE VIEW public.contact_channels AS
    SELECT sfid, email, preferred_channel__c
      FROM salesforce.contact;

INSERT INTO public.schema_migrations (version) VALUES ('002_contact_channels');
