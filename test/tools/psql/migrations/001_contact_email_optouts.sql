-- 001_contact_email_optouts.sql: the e-mail opt-out feature keeps its own
-- table, keyed by the Salesforce id of the contact, and reads Contact.Email.
SELECT hcguard_required('salesforce', 'contact', 'email');

CREATE TABLE public.contact_email_optouts (
    contact_sfid varchar(18) PRIMARY KEY,
    opted_out_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO public.schema_migrations (version) VALUES ('001_contact_email_optouts');
