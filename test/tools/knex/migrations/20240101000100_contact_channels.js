// Needs Contact.Preferred_Channel__c mapped and synced by Heroku Connect.
exports.up = async (knex) => {
  await knex.raw("SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')");
  await knex.raw('CREATE VIEW contact_channels AS SELECT sfid, email, preferred_channel__c FROM salesforce.contact');
};

exports.down = (knex) => knex.raw('DROP VIEW contact_channels');
