#!/usr/bin/perl
# test/catalogue_check.pl: both editions speak from the one catalogue.
#
#   perl test/catalogue_check.pl       (from the repository root)
#
# Checks that
#   1. every entry of src/messages.txt is used by both editions: the C
#      sources name it as HC_MSG_<ID>, the SQL edition's sources as '<id>',
#      the PL/pgSQL both install (ddl/) as '<id>'
#      (except the few entries only one edition can say, listed below with
#      their reason);
#   2. no report is written outside the catalogue: no errmsg/errdetail/
#      errhint with a literal text in src/*.c, no RAISE ... MESSAGE = in
#      heroku/src/ (except what the list below allows);
# so that changing a text in the catalogue changes both editions, and a
# report cannot be added to one edition alone.  Prints "N passed, N failed".
use strict;
use warnings;

# entries one edition alone says, and why
my %only_c = (
	store_missing => 'the C extension finds its store by name; the SQL edition creates it on every run',
	provision_needs_update => 'only the C extension\'s library can be newer than its SQL objects',
);
my %only_sql = (
	store_denied => 'in the C extension PostgreSQL itself refuses writes to the store, in these words',
);
# entries looked up by a name built at run time, by prefix: an entry counts
# as used by an edition whose sources build names from that prefix, and why
my %dynamic = (
	connect_state_ => 'the meaning of a state Connect reports, looked up by the state\'s name',
);
# literal reports allowed outside the catalogue, and why
my %allowed_literal = (
	'src/result_set.c' => 'PostgreSQL\'s own wording for a set-returning function called where no set is accepted',
	'heroku/src/00-head.sql' => 'the installer\'s refusals are said before anything, the catalogue included, is created',
);

sub slurp { local $/; open my $f, '<', $_[0] or die "cannot read $_[0]: $!\n"; return <$f>; }

my @ids = slurp('src/messages.txt') =~ /^([a-z][a-z0-9_]*)\b/mg;
my $c = join '', map { slurp($_) } grep { !/messages\.c$/ } glob('src/*.c');
my $sql = join '', map { slurp($_) } glob('heroku/src/*.sql');
# what both editions install (ddl/): said by both
my $shared = join '', map { slurp($_) } glob('ddl/*.sql');
my ($passed, $failed) = (0, 0);
sub check { my ($ok, $what) = @_; if ($ok) { $passed++; } else { $failed++; print "not ok - $what\n"; } }

for my $id (@ids) {
	my ($prefix) = grep { $id =~ /^\Q$_\E./ } keys %dynamic;
	my $in_shared = $shared =~ /'\Q$id\E'/ || (defined $prefix && $shared =~ /'\Q$prefix\E' \|\|/);
	my $in_c = $c =~ /\bHC_MSG_\U$id\E\b/ || $in_shared || (defined $prefix && $c =~ /"\Q$prefix\E%s"/);
	my $in_sql = $sql =~ /'\Q$id\E'/ || $in_shared;
	check($in_c || $only_sql{$id}, "catalogue entry $id is used by the C extension");
	check($in_sql || $only_c{$id}, "catalogue entry $id is used by the SQL edition");
	check(!($in_c && $only_sql{$id}), "$id, listed as the SQL edition's alone, is not used in C");
	check(!($in_sql && $only_c{$id}), "$id, listed as the C extension's alone, is not used in SQL");
}
for my $file (glob('src/*.c')) {
	next if $allowed_literal{$file};
	my $text = slurp($file);
	my @lit = $text =~ /\b(errmsg|errdetail|errhint)(?:_internal|_plural)?\s*\(\s*"(?!%s")/g;
	check(!@lit, "$file writes no report outside the catalogue");
}
for my $file (glob('heroku/src/*.sql'), glob('ddl/*.sql')) {
	next if $allowed_literal{$file};
	my $text = slurp($file);
	my @lit = $text =~ /MESSAGE\s*=\s*'/g;
	check(!@lit, "$file writes no report outside the catalogue");
}
print scalar(@ids), " catalogue entries\n";
print "$passed passed, $failed failed\n";
exit($failed > 0);
