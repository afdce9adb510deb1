// The e-mail opt-out feature keeps its own table, keyed by the Salesforce id
// of the contact, and reads Contact.Email.
exports.up = (pgm) => {
  pgm.sql("SELECT hcguard_required('salesforce', 'contact', 'email')");
  pgm.createTable({ schema: 'public', name: 'contact_email_optouts' }, {
    contact_sfid: { type: 'varchar(18)', primaryKey: true },
    opted_out_at: { type: 'timestamptz', notNull: true, default: pgm.func('now()') },
  });
};

exports.down = (pgm) => {
  pgm.dropTable({ schema: 'public', name: 'contact_email_optouts' });
};
