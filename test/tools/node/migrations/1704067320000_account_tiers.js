// Routing by account tier reads fields of two Salesforce objects; one call
// per object lists every field it needs.
exports.up = (pgm) => {
  pgm.sql("SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c', 'email')");
  pgm.sql("SELECT hcguard_required('salesforce', 'account', 'tier__c', 'name')");
  pgm.createTable({ schema: 'public', name: 'tier_channel_rules' }, {
    tier: { type: 'varchar(255)', notNull: true, primaryKey: true },
    channel: { type: 'varchar(255)', notNull: true, primaryKey: true },
  });
  pgm.createView({ schema: 'public', name: 'account_tiers' }, {},
    'SELECT sfid, name, tier__c FROM salesforce.account');
};

exports.down = (pgm) => {
  pgm.dropView({ schema: 'public', name: 'account_tiers' });
  pgm.dropTable({ schema: 'public', name: 'tier_channel_rules' });
};
