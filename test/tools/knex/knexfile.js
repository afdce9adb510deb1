// The project's knexfile (test/migrate_knex.sh): the database's name comes
// from HC_KNEX_DB; pg takes the server, role and password from libpq's
// variables (PGHOST, PGPORT, PGUSER, PGPASSWORD).
module.exports = {
  client: 'pg',
  connection: { database: process.env.HC_KNEX_DB },
  migrations: { directory: './migrations' },
};
