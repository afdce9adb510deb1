// Needs Contact.Email mapped and synced by Heroku Connect.
exports.up = async (knex) => {
  await knex.raw("SELECT hcguard_required('salesforce', 'contact', 'email')");
  await knex.schema.createTable('contact_email_optouts', (t) => {
    t.increments('id');
    t.string('email', 80).notNullable().unique();
    t.string('reason');
  });
};

exports.down = (knex) => knex.schema.dropTable('contact_email_optouts');
