#!/usr/bin/perl
# README.md may only show what the tests really do.  Every ```psql block
# must appear, line for line, in an output the tests compare against
# (expected/*.out); every ```sql block must appear in a file the tests run
# (sql/, test/, demo/).  Other blocks (shell commands, other languages) are
# not checked here.  A block preceded by a line "<!-- untested: why -->" is
# a documented exception (a tool that cannot run here) and is counted apart.
use strict;
use warnings;

my $readme = shift // 'README.md';
open my $fh, '<', $readme or die "cannot read $readme: $!\n";
my (@blocks, $lang, @lines, $start, $indent, $untested, $previous);
$previous = '';
while (my $line = <$fh>) {
	chomp $line;
	if (!defined $lang && $line =~ /^(\s*)```(\w+)\s*$/) {
		($indent, $lang, $start) = ($1, $2, $.);
		$untested = $previous =~ /^\s*<!-- untested:/;
		@lines = ();
		next;
	}
	if (defined $lang && $line =~ /^\s*```\s*$/) {
		push @blocks, [$lang, $start, join('', map { "$_\n" } @lines), $untested];
		undef $lang;
		next;
	}
	$previous = $line;
	if (defined $lang) {
		$line =~ s/^\Q$indent\E//;
		push @lines, $line;
	}
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
	glob('sql/*.sql'), glob('test/*'), glob('test/tools/*/*'),
	glob('test/tools/*/*/*'), glob('demo/*'), glob('demo/*/*');

my ($checked, $missing, $exempt) = (0, 0, 0);
for my $b (@blocks) {
	my ($kind, $at, $text, $untested) = @$b;
	my $haystack = $kind eq 'psql' ? $outputs : $kind eq 'sql' ? $sources : undef;
	next unless defined $haystack;
	if ($untested) {
		$exempt++;
		next;
	}
	$checked++;
	next if index($haystack, "\n" . $text) >= 0;
	$missing++;
	print "README.md line $at: this $kind block is not one the tests produce or run:\n$text\n";
}
print "$checked README blocks checked, $missing not from the tests, $exempt marked untested\n";
exit(($missing || !$checked) ? 1 : 0);
