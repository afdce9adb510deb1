# The application's first migration, SQL edition: the application vendors
# heroku/hcguard.sql as db/hcguard.sql and runs it, as the database's owner,
# in the migration's transaction.
class InstallHcguard < ActiveRecord::Migration[6.1]
  def up
    execute File.read(File.expand_path("../hcguard.sql", __dir__))
  end

  def down
    raise ActiveRecord::IrreversibleMigration, "remove hcguard with hcguard-uninstall.sql"
  end
end
