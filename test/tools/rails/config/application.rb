# What `rails new --minimal --skip-bundle` would keep for a database-only
# application: railties and ActiveRecord.
require "rails"
require "active_record/railtie"

module HcguardRailsTest
  class Application < Rails::Application
    config.load_defaults 6.1
    config.root = File.expand_path("..", __dir__)
    config.eager_load = false
    config.active_record.schema_format = :ruby   # db/schema.rb, Rails' default
    config.active_record.dump_schema_after_migration = true
    config.log_level = :warn                      # rake's own output only
    config.logger = Logger.new($stderr)
  end
end
