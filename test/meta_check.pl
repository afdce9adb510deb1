#!/usr/bin/perl
# test/meta_check.pl [META.json]: checks hcguard's PGXN metadata against the
# PGXN Meta Spec 1.0.0 (https://pgxn.org/spec/) and against the repository.
#
# Debian has no PGXN validator (its one PGXN package, pgxnclient, reads
# META.json's name and provides but validates nothing; PGXN::Meta::Validator
# is only on CPAN), so this is one, with core Perl only, for the rules that
# matter to hcguard's file:
#   - the spec: the required keys (name, version, abstract, maintainer,
#     license, provides, meta-spec) and no unknown key outside x_*; name and
#     every prerequisite and extension name a Term; versions SemVer 2.0.0;
#     license one of the spec's identifiers (or a list of them, or an object
#     of names to URIs); provides: at least one extension, each with a file
#     and a SemVer version, optional abstract, docfile, docpath, and nothing
#     else; meta-spec version 1.0.x and its url the spec's; prereqs: only the
#     phases configure, build, test, runtime, develop, only the relations
#     requires, recommends, suggests, conflicts, and version ranges as
#     values; resources, tags, release_status, no_index as the spec says;
#   - the repository: the version is hcguard.control's default_version plus
#     ".0"; the distribution and its one extension are the Makefile's
#     EXTENSION, at that version; the extension's file is the current
#     version's install script and make installs it (DATA or DATA_built; it
#     exists, or make builds it from tracked parts); the docfile exists; the
#     PostgreSQL minimum is the major version below which the Makefile
#     refuses to build, as N.0.0; license "postgresql" agrees with LICENSE.
#
# Prints "ok - ..." or "not ok - ..." per check and exits 1 if any failed.
# Run from anywhere: paths are the repository's, found from this file.
use strict;
use warnings;
use JSON::PP;
use File::Basename qw(dirname);
use Cwd qw(abs_path);

my $top  = abs_path(dirname(abs_path($0)) . '/..');
my $file = shift // "$top/META.json";

my $failures = 0;
sub ok     { print "ok - $_[0]\n" }
sub not_ok { print "not ok - $_[0]\n"; print "    $_[1]\n" if defined $_[1]; $failures++ }
# check WHAT COND [WHY]: the prototype puts COND in scalar context, so that
# a failed match or an empty grep is false rather than an empty list.
sub check($$;$) { my ($what, $cond, $why) = @_; $cond ? ok($what) : not_ok($what, $why) }

sub slurp {
	my ($path) = @_;
	open(my $fh, '<:raw', $path) or return undef;
	local $/;
	my $text = <$fh>;
	close $fh;
	return $text;
}

my $text = slurp($file) // do { not_ok("$file is readable", "$!"); exit 1 };
my $meta = eval { JSON::PP->new->utf8->relaxed(0)->decode($text) };
if (!defined $meta) {
	not_ok("$file is JSON", $@);
	exit 1;
}
if (ref $meta ne 'HASH') {
	not_ok("$file is a JSON object");
	exit 1;
}
ok("META.json is a JSON object");

# --- The spec's types -------------------------------------------------------

my $semver = qr/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)
	(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?
	(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/x;
# A Term: at least two characters, no slash, backslash, space or control.
sub is_term { my $v = shift; (defined $v && !ref $v && $v =~ /^[^\/\\\s[:cntrl:]]{2,}$/) ? 1 : 0 }
sub is_version { my $v = shift; (defined $v && !ref $v && $v =~ $semver) ? 1 : 0 }
sub is_string { my $v = shift; (defined $v && !ref $v && length $v >= 1) ? 1 : 0 }
sub is_bool_free_string { my $v = shift; (is_string($v) && !JSON::PP::is_bool($v)) ? 1 : 0 }
# A version range: 0, or comma-separated versions each with an optional
# operator (== != < <= > >=).
sub is_range {
	my $v = shift;
	return 0 if !defined $v || ref $v;
	return 1 if $v eq '0';
	for my $part (split /\s*,\s*/, $v, -1) {
		return 0 unless $part =~ /^(?:(?:[=!]=|[<>]=?)\s*)?(.*)$/ && is_version($1);
	}
	return 1;
}
# A path in the distribution: relative, Unix separators, no "..".
sub is_path {
	my $v = shift;
	return (is_string($v) && length $v >= 2 && $v !~ m{^/} && $v !~ /\\/
	  && !grep { $_ eq '..' } split m{/}, $v) ? 1 : 0;
}
sub is_uri { my $v = shift; (is_string($v) && $v =~ m{^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$}) ? 1 : 0 }
sub is_email { my $v = shift; (is_string($v) && $v =~ /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/) ? 1 : 0 }
sub custom_key { $_[0] =~ /^[xX]_./ ? 1 : 0 }
# unknown_keys HASH ALLOWED...: the keys that are neither allowed nor x_*.
sub unknown_keys {
	my ($h, @allowed) = @_;
	my %a = map { $_ => 1 } @allowed;
	return grep { !$a{$_} && !custom_key($_) } sort keys %$h;
}

# The spec's license identifiers.
my %licenses = map { $_ => 1 } qw(agpl_3 apache_1_1 apache_2_0 artistic_1
  artistic_2 bsd freebsd gfdl_1_2 gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0
  mit mozilla_1_0 mozilla_1_1 openssl perl_5 postgresql qpl_1_0 ssleay sun
  zlib open_source restricted unrestricted unknown);

# --- The spec's rules -------------------------------------------------------

my @required = qw(name version abstract maintainer license provides meta-spec);
my @optional = qw(description generated_by tags no_index prereqs release_status resources);
for my $key (@required) {
	check("required key \"$key\" is present", exists $meta->{$key});
}
my @unknown = unknown_keys($meta, @required, @optional);
check("no unknown top-level key (only the spec's and x_*)", !@unknown, "unknown: @unknown");

check("name is a Term", is_term($meta->{name}), "name: " . ($meta->{name} // 'missing'));
check("version is SemVer", is_version($meta->{version}), "version: " . ($meta->{version} // 'missing'));
check("abstract is a non-empty string", is_bool_free_string($meta->{abstract}));
for my $key (qw(description generated_by)) {
	check("$key, if present, is a non-empty string", !exists $meta->{$key} || is_bool_free_string($meta->{$key}));
}

my $m = $meta->{maintainer};
check("maintainer is a non-empty string or a list of unique ones",
	is_string($m) || (ref $m eq 'ARRAY' && @$m && !grep { !is_string($_) } @$m
		&& (keys %{ { map { $_ => 1 } @$m } }) == @$m));

my $l = $meta->{license};
my $license_ok =
	(defined $l && !ref $l && $licenses{$l})
	|| (ref $l eq 'ARRAY' && @$l && !grep { ref $_ || !$licenses{$_} } @$l)
	|| (ref $l eq 'HASH' && %$l && !grep { !is_uri($l->{$_}) } keys %$l);
check("license is one of the spec's identifiers (or a list of them, or names to URIs)",
	$license_ok, "license: " . (defined $l ? encode_json([$l]) : 'missing'));

my $ms = $meta->{'meta-spec'};
if (ref $ms eq 'HASH') {
	check("meta-spec version is 1.0.x", defined $ms->{version} && !ref $ms->{version}
		&& $ms->{version} =~ /^1\.0\.\d+$/, "meta-spec version: " . ($ms->{version} // 'missing'));
	check("meta-spec url, if present, is the spec's",
		!exists $ms->{url} || (defined $ms->{url} && $ms->{url} =~ m{^https?://pgxn\.org/meta/spec\.txt$}));
	my @u = unknown_keys($ms, qw(version url));
	check("meta-spec has no unknown key", !@u, "unknown: @u");
} else {
	not_ok("meta-spec is an object");
}

my $p = $meta->{provides};
if (ref $p eq 'HASH' && %$p) {
	ok("provides names at least one extension");
	for my $ext (sort keys %$p) {
		my $e = $p->{$ext};
		check("provides: \"$ext\" is a Term", is_term($ext));
		if (ref $e ne 'HASH') {
			not_ok("provides: \"$ext\" is an object");
			next;
		}
		check("provides: \"$ext\" has a file, a relative Unix path", is_path($e->{file}));
		check("provides: \"$ext\" has a SemVer version", is_version($e->{version}),
			"version: " . ($e->{version} // 'missing'));
		check("provides: \"$ext\" abstract, if present, is a non-empty string",
			!exists $e->{abstract} || is_string($e->{abstract}));
		check("provides: \"$ext\" docfile, if present, is a relative Unix path",
			!exists $e->{docfile} || is_path($e->{docfile}));
		my @u = unknown_keys($e, qw(file version abstract docfile docpath));
		check("provides: \"$ext\" has no unknown key", !@u, "unknown: @u");
	}
} else {
	not_ok("provides is an object naming at least one extension");
}

my %phases    = map { $_ => 1 } qw(configure build test runtime develop);
my %relations = map { $_ => 1 } qw(requires recommends suggests conflicts);
if (exists $meta->{prereqs}) {
	my $pr = $meta->{prereqs};
	if (ref $pr eq 'HASH' && grep { $phases{$_} } keys %$pr) {
		my @u = unknown_keys($pr, keys %phases);
		check("prereqs: only the phases configure, build, test, runtime, develop", !@u, "unknown: @u");
		for my $phase (grep { $phases{$_} } sort keys %$pr) {
			my $ph = $pr->{$phase};
			if (ref $ph ne 'HASH' || !grep { $relations{$_} } keys %$ph) {
				not_ok("prereqs: $phase is an object with at least one relation");
				next;
			}
			my @ur = unknown_keys($ph, keys %relations);
			check("prereqs: $phase has only the relations requires, recommends, suggests, conflicts",
				!@ur, "unknown: @ur");
			for my $rel (grep { $relations{$_} } sort keys %$ph) {
				my $r = $ph->{$rel};
				if (ref $r ne 'HASH' || !%$r) {
					not_ok("prereqs: $phase $rel is a non-empty object");
					next;
				}
				for my $name (sort keys %$r) {
					check("prereqs: $phase $rel \"$name\" is a Term with a version range",
						is_term($name) && is_range($r->{$name}),
						"\"$name\": " . encode_json([$r->{$name}]));
				}
			}
		}
	} else {
		not_ok("prereqs is an object with at least one phase");
	}
}

if (exists $meta->{resources}) {
	my $r = $meta->{resources};
	if (ref $r eq 'HASH' && grep { exists $r->{$_} } qw(homepage bugtracker repository)) {
		my @u = unknown_keys($r, qw(homepage bugtracker repository));
		check("resources has no unknown key", !@u, "unknown: @u");
		check("resources: homepage, if present, is a URI", !exists $r->{homepage} || is_uri($r->{homepage}));
		if (exists $r->{bugtracker}) {
			my $b = $r->{bugtracker};
			check("resources: bugtracker has web (a URI) or mailto (an email address), nothing else",
				ref $b eq 'HASH' && (exists $b->{web} || exists $b->{mailto})
				&& (!exists $b->{web} || is_uri($b->{web}))
				&& (!exists $b->{mailto} || is_email($b->{mailto}))
				&& !unknown_keys($b, qw(web mailto)));
		}
		if (exists $r->{repository}) {
			my $g = $r->{repository};
			check("resources: repository has url and type, or web, as URIs and a lower-case type",
				ref $g eq 'HASH' && ((exists $g->{url} && exists $g->{type}) || exists $g->{web})
				&& (!exists $g->{url} || is_uri($g->{url}))
				&& (!exists $g->{web} || is_uri($g->{web}))
				&& (!exists $g->{type} || (defined $g->{type} && $g->{type} =~ /^[a-z]+$/))
				&& !unknown_keys($g, qw(url web type)));
		}
	} else {
		not_ok("resources is an object with homepage, bugtracker or repository");
	}
}

if (exists $meta->{tags}) {
	my $t = $meta->{tags};
	check("tags: a list of unique tags, 2 to 255 characters, no slash, backslash or control",
		ref $t eq 'ARRAY' && @$t
		&& !grep({ !defined $_ || ref $_ || length $_ < 2 || length $_ > 255 || /[\/\\[:cntrl:]]/ } @$t)
		&& (keys %{ { map { $_ => 1 } @$t } }) == @$t);
}

if (exists $meta->{no_index}) {
	my $n = $meta->{no_index};
	my $list_ok = sub { my $v = shift; is_path($v) || (ref $v eq 'ARRAY' && @$v && !grep { !is_path($_) } @$v) };
	check("no_index: file and directory lists of relative paths",
		ref $n eq 'HASH' && (exists $n->{file} || exists $n->{directory})
		&& (!exists $n->{file} || $list_ok->($n->{file}))
		&& (!exists $n->{directory} || $list_ok->($n->{directory}))
		&& !unknown_keys($n, qw(file directory)));
}

check("release_status, if present, is stable, testing or unstable",
	!exists $meta->{release_status} || (defined $meta->{release_status}
		&& $meta->{release_status} =~ /^(stable|testing|unstable)$/));

# --- The repository ---------------------------------------------------------

my $control = slurp("$top/hcguard.control") // '';
my ($default_version) = $control =~ /^\s*default_version\s*=\s*'([^']*)'/m;
my $makefile = slurp("$top/Makefile") // '';
# make_var NAME: a variable's value in the Makefile (continuation lines joined).
sub make_var {
	my ($name) = @_;
	(my $mk = $makefile) =~ s/\\\n/ /g;
	my ($v) = $mk =~ /^\Q$name\E\s*[:?]?=\s*(.*)$/m;
	return defined $v ? [split ' ', $v] : [];
}
my ($extension) = @{ make_var('EXTENSION') };

check("hcguard.control has a default_version", defined $default_version);
$default_version //= '';
check("version is hcguard.control's default_version plus \".0\"",
	defined $meta->{version} && $meta->{version} eq "$default_version.0",
	"META.json: " . ($meta->{version} // 'missing') . "; hcguard.control: $default_version");
check("name is the Makefile's EXTENSION", defined $extension && ($meta->{name} // '') eq $extension,
	"META.json: " . ($meta->{name} // 'missing') . "; Makefile: " . ($extension // 'none'));

my $pe = ref $p eq 'HASH' && defined $extension ? $p->{$extension} : undef;
if (ref $pe eq 'HASH') {
	ok("provides the extension \"$extension\"");
	check("provides: \"$extension\" is at the distribution's version",
		($pe->{version} // '') eq ($meta->{version} // ''));
	my $f = $pe->{file} // '';
	check("provides: \"$extension\" file is the current version's install script, $extension--$default_version.sql",
		$f eq "$extension--$default_version.sql", "file: $f");
	my @installed = (@{ make_var('DATA') }, @{ make_var('DATA_built') });
	my $built     = grep { $_ eq $f } @{ make_var('DATA_built') };
	check("provides: \"$extension\" file is one make installs (DATA or DATA_built)",
		grep({ $_ eq $f } @installed), "make installs: @installed");
	check("provides: \"$extension\" file exists, or make builds it (DATA_built, with a rule)",
		-f "$top/$f" || ($built && $makefile =~ /^\Q$f\E\s*:/m), "$f: not found, and no rule builds it");
	check("provides: \"$extension\" docfile exists",
		!exists $pe->{docfile} || (is_path($pe->{docfile}) && -f "$top/$pe->{docfile}"));
} else {
	not_ok("provides the Makefile's EXTENSION (" . ($extension // 'none') . ")");
}

# The Makefile refuses to build below: test '$(MAJORVERSION)' -ge N.
my ($min_major) = $makefile =~ /test\s+'\$\(MAJORVERSION\)'\s+-ge\s+(\d+)/;
check("the Makefile names the oldest PostgreSQL it builds for", defined $min_major);
my $pg_min = eval { $meta->{prereqs}{runtime}{requires}{PostgreSQL} };
check("prereqs: runtime requires PostgreSQL as the Makefile's minimum, N.0.0",
	defined $min_major && defined $pg_min && !ref $pg_min && $pg_min eq "$min_major.0.0",
	"META.json: " . ($pg_min // 'missing') . "; Makefile: " . ($min_major // 'none'));

if (defined $l && !ref $l && $l eq 'postgresql') {
	my $license = slurp("$top/LICENSE") // '';
	check("license postgresql: LICENSE is the PostgreSQL License", $license =~ /\APostgreSQL License\n/);
}

print $failures ? "meta_check: FAILED ($failures checks)\n" : "meta_check: passed\n";
exit($failures ? 1 : 0);
