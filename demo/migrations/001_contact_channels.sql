-- 001_contact_channels.sql
--
-- The "contact preferences" feature reads each contact's preferred channel
-- (email, phone, SMS), a custom Salesforce field that Heroku Connect copies
-- into salesforce.contact.  The field has to be mapped, and synced, in this
-- environment's Heroku Connect before the code that reads it ships: if it is
-- not, hcguard_required raises an error, this migration rolls back and the
-- deploy stops.  Every field the view reads is declared: in a development
-- or CI database (hcguard.on_failure = provision) these lines are what
-- creates the columns, and a field read but not declared does not exist.
-- A declared type is checked too: Connect gives Salesforce's email fields
-- character varying(80).
SELECT hcguard_required('salesforce', 'contact', 'email varchar(80)');
SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c');

CREATE VIEW public.contact_channels AS
    SELECT sfid, email, preferred_channel__c
      FROM salesforce.contact;

COMMENT ON VIEW public.contact_channels IS
    'Contacts and the channel they prefer to be reached on (Salesforce Preferred_Channel__c).';
