# Needs Contact.Email mapped and synced by Heroku Connect.
class CreateContactEmailOptouts < ActiveRecord::Migration[6.1]
  def up
    execute "SELECT hcguard_required('salesforce', 'contact', 'email')"
    create_table :contact_email_optouts do |t|
      t.string :email, null: false, index: { unique: true }
      t.string :reason
      t.timestamps
    end
  end

  def down
    drop_table :contact_email_optouts
  end
end
