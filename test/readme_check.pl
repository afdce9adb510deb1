#!/usr/bin/perl
# README.md may only show what the tests really do.  Every ```psql block
# must appear, line for line, in an output the tests compare against
# (expected/*.out); every ```sql block must appear in a file the tests run
# (sql/, test/, demo/).  Other blocks (shell commands) are not checked here:
# the test script runs those commands itself.
use strict;
use warnings;

my $readme = shift // 'README.md';
open my $fh, '<', $readme or die "cannot read $readme: $!\n";
my (@blocks, $lang, @lines, $start);
while (my $line = <$fh>) {
	chomp $line;
	if (!defined $lang && $line =~ /^```(\w+)\s*$/) {
		$lang = $1;
		$start = $.;
		@lines = ();
		next;
	}
	if (defined $lang && $line =~ /^```\s*$/) {
		push @blocks, [$lang, $start, join('', map { "$_\n" } @lines)];
		undef $lang;
		next;
	}
	push @lines, $line if defined $lang;
}

sub slurp {
	my $path = shift;
	return '' unless -f $path;
	open my $f, '<', $path or die "cannot read $path: $!\n";
	local $/;
	return "\n" . <$f>;
}

my $outputs = join '', map { slurp($_) } glob('expected/*.out');
my $sources = join '', map { slurp($_) }
	glob('sql/*.sql'), glob('test/*'), glob('demo/*'), glob('demo/*/*');

my ($checked, $missing) = (0, 0);
for my $b (@blocks) {
	my ($kind, $at, $text) = @$b;
	my $haystack = $kind eq 'psql' ? $outputs : $kind eq 'sql' ? $sources : undef;
	next unless defined $haystack;
	$checked++;
	next if index($haystack, "\n" . $text) >= 0;
	$missing++;
	print "README.md line $at: this $kind block is not one the tests produce or run:\n$text\n";
}
print "$checked README blocks checked, $missing not from the tests\n";
exit(($missing || !$checked) ? 1 : 0);
