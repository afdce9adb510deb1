// migrate.js: `node migrate.js` instead of `knex migrate:latest`, so that a
// failure shows PostgreSQL's DETAIL and HINT, which the knex CLI does not
// print (README, "Knex").
const knex = require('knex')(require('./knexfile'));

knex.migrate.latest()
  .then(async ([batch, names]) => {
    console.log(names.length ? `Batch ${batch} run: ${names.length} migrations` : 'Already up to date');
    await knex.destroy();
  })
  .catch(async (err) => {
    console.error(`ERROR:  ${err.message}`);
    if (err.detail) console.error(`DETAIL:  ${err.detail}`);
    if (err.hint) console.error(`HINT:  ${err.hint}`);
    await knex.destroy();
    process.exit(1);
  });
