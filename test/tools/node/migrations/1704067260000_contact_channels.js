// The "contact preferences" feature reads the custom Salesforce field
// Contact.Preferred_Channel__c: Heroku Connect must have mapped and synced it
// in this environment before this ships.
exports.up = (pgm) => {
  pgm.sql("SELECT hcguard_required('salesforce', 'contact', 'preferred_channel__c')");
  pgm.createView({ schema: 'public', name: 'contact_channels' }, {},
    'SELECT sfid, email, preferred_channel__c FROM salesforce.contact');
};

exports.down = (pgm) => {
  pgm.dropView({ schema: 'public', name: 'contact_channels' });
};
