--liquibase formatted sql

--changeset app:contact-email-optouts
--comment: needs Contact.Email mapped and synced by Heroku Connect
SELECT hcguard_required('salesforce', 'contact', 'email');
CREATE TABLE contact_email_optouts (
    id serial PRIMARY KEY,
    email varchar(80) NOT NULL UNIQUE,
    reason varchar(255)
);
--rollback DROP TABLE contact_email_optouts;

--changeset app:contact-channels
--comment: needs Contact.Preferred_Channel__c mapped and synced by Heroku Connect
SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c');
CREATE VIEW contact_channels AS SELECT sfid, email, preferred_channel__c FROM salesforce.contact;
--rollback DROP VIEW contact_channels;
