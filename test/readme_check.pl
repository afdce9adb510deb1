#!/usr/bin/perl
# The documentation may only show what the tests really do, and must hold
# together.  Given README.md (as scripts/test calls it), this checks
# README.md and every docs/*.md next to it; given any other .md file, that
# file alone.
#
# - Every ```psql block must appear, line for line, in an output the tests
#   compare against (expected/*.out); every ```sql block must appear in a
#   file the tests run (sql/, test/, demo/).  Other blocks (shell commands,
#   other languages) are not checked here.  A block preceded by a line
#   "<!-- untested: why -->" is a documented exception (a tool that cannot
#   run here) and is counted apart.
# - Every relative Markdown link resolves: the file (or directory) exists,
#   and an #anchor names a heading of the target .md file (or of the same
#   file), by GitHub's rules: the heading's text in lower case, spaces to
#   hyphens, punctuation dropped, "-1", "-2", ... for repeated headings.
#   A link to a file in %pending below passes while that file does not
#   exist (it is being written on another branch); once it exists it is
#   checked like any other.
# - README.md has at most 250 lines: it is read in five minutes, the rest
#   is in docs/.
use strict;
use warnings;
use File::Basename qw(dirname basename);
use File::Spec;

my $max_readme_lines = 250;

# Files that documentation may link to before they reach this branch.
my %pending = (
	'docs/release-phase.md' => 'the release-phase recipe, written on another branch (issue 17)',
);

my $first = shift // 'README.md';
my $whole = basename($first) eq 'README.md';
my @files = ($first);
if ($whole) {
	# The repository's top: expected/, sql/, test/ and docs/ are read from there.
	chdir dirname($first) or die "cannot change to the directory of $first: $!\n";
	@files = ('README.md', sort glob('docs/*.md'));
}

my $problems = 0;
sub problem {
	$problems++;
	print @_, "\n";
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

# Read a Markdown file: its fenced blocks, its lines outside them (with
# their numbers), and its line count.
sub parse {
	my $path = shift;
	open my $fh, '<', $path or die "cannot read $path: $!\n";
	my (@blocks, @prose, $fence, $lang, @lines, $start, $indent, $untested);
	my $previous = '';
	my $count = 0;
	while (my $line = <$fh>) {
		chomp $line;
		$count++;
		if (!defined $fence && $line =~ /^(\s*)(```+|~~~+)\s*([\w-]*)\s*$/) {
			($indent, $fence, $lang, $start) = ($1, $2, $3, $.);
			$untested = $previous =~ /^\s*<!-- untested:/;
			@lines = ();
			next;
		}
		if (defined $fence && $line =~ /^\s*\Q$fence\E\s*$/) {
			push @blocks, [$lang, $start, join('', map { "$_\n" } @lines), $untested];
			undef $fence;
			next;
		}
		$previous = $line;
		if (defined $fence) {
			$line =~ s/^\Q$indent\E//;
			push @lines, $line;
		} else {
			push @prose, [$., $line];
		}
	}
	close $fh;
	die "$path: a code block opened at line $start is never closed\n" if defined $fence;
	return { blocks => \@blocks, prose => \@prose, lines => $count };
}

# GitHub's anchor for a heading's text.
sub slug {
	my $text = shift;
	$text =~ s/!?\[([^\]]*)\]\([^)]*\)/$1/g;	# a link: its text
	$text =~ s/<[^>]+>//g;				# HTML tags
	$text = lc $text;
	$text =~ s/[^\p{L}\p{M}\p{N}\p{Pc} -]//g;	# punctuation
	$text =~ s/ /-/g;
	return $text;
}

my %anchors;	# path => { anchor => 1 }
sub anchors_of {
	my $path = File::Spec->canonpath(shift);
	return $anchors{$path} if $anchors{$path};
	my %seen;
	my %set;
	for my $p (@{ parse($path)->{prose} }) {
		my $line = $p->[1];
		if ($line =~ /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/) {
			my $s = slug($1);
			my $n = $seen{$s}++;
			$set{$n ? "$s-$n" : $s} = 1;
		}
		$set{$1} = 1 while $line =~ /<a\s+(?:name|id)="([^"]+)"/g;
	}
	return $anchors{$path} = \%set;
}

my ($checked, $missing, $exempt, $links) = (0, 0, 0, 0);
for my $file (@files) {
	my $doc = parse($file);

	if (basename($file) eq 'README.md' && $doc->{lines} > $max_readme_lines) {
		problem("$file has $doc->{lines} lines, more than $max_readme_lines: move the detail into docs/");
	}

	for my $b (@{ $doc->{blocks} }) {
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
		problem("$file line $at: this $kind block is not one the tests produce or run:\n$text");
	}

	# Links, paragraph by paragraph (a code span may run over a line
	# break), outside code blocks and code spans.
	my $dir = dirname($file);
	my @paragraphs;
	my $last = -1;
	for my $p (@{ $doc->{prose} }) {
		my ($at, $line) = @$p;
		if ($line =~ /^\s*$/ || $at != $last + 1 || !@paragraphs) {
			push @paragraphs, [$at, ''];
		}
		$paragraphs[-1][1] .= "$line\n";
		$last = $at;
	}
	for my $para (@paragraphs) {
		my ($first_line, $text) = @$para;
		# Code spans are not links: blank them out, keeping the line breaks.
		$text =~ s/(`+)(.+?)\1/my ($f, $c) = ($1, $2); $c =~ tr!\n!x!c; "$f$c$f"/gse;
		my @targets;
		while ($text =~ /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g) {
			push @targets, [$1, pos($text)];
		}
		while ($text =~ /^[ \t]*\[[^\]]+\]:[ \t]*<?(\S+?)>?(?:[ \t]+"[^"]*")?[ \t]*$/mg) {
			push @targets, [$1, pos($text)];
		}
		for my $t (@targets) {
			my ($target, $pos) = @$t;
			my $at = $first_line + (substr($text, 0, $pos) =~ tr/\n//);
			next if $target =~ m{^[a-z][a-z0-9+.-]*:}i;	# http:, mailto: ...
			$links++;
			my ($path, $anchor) = $target =~ /^([^#]*)(?:#(.*))?$/;
			my $resolved = $path eq '' ? $file : File::Spec->canonpath(File::Spec->catfile($dir, $path));
			1 while $resolved =~ s{(^|/)(?!\.\./)[^/]+/\.\./}{$1};	# a/../b is b
			if (!-e $resolved) {
				next if exists $pending{$resolved};
				problem("$file line $at: link to $target: no file $resolved");
				next;
			}
			next unless defined $anchor && $anchor ne '';
			if ($resolved !~ /\.md$/ || -d $resolved) {
				problem("$file line $at: link to $target: $resolved is not Markdown, it has no anchors");
				next;
			}
			next if anchors_of($resolved)->{$anchor};
			problem("$file line $at: link to $target: $resolved has no heading with the anchor #$anchor");
		}
	}
}
print scalar(@files), " files: $checked blocks checked, $missing not from the tests, $exempt marked untested; $links relative links checked; $problems problems\n";
for my $p (sort keys %pending) {
	print "pending: $p ($pending{$p})\n" unless -e $p;
}
# Checking README.md and docs/ and finding no block at all means the
# parser is broken, not that all is well.
exit(($problems || ($whole && !$checked)) ? 1 : 0);
