# The application's first migration, C extension: what the README tells a
# Rails application to write.
class InstallHcguard < ActiveRecord::Migration[6.1]
  def change
    enable_extension "hcguard"
  end
end
