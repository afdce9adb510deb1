#!/usr/bin/perl
# test/differential/compare.pl CALLS_TSV C_OUTPUT SQL_OUTPUT [SHOW]
#
# Compares, call by call, what psql printed (stderr: hcguard's errors and
# warnings in verbose form, the harness's "result:" and "confirmations:"
# notices) for the same barrage against the C extension and against the SQL
# edition.  Prints the first SHOW (default 20) differing calls with both
# outcomes, a summary of the differences by function and outcome, and the
# count; exits 1 if any call differs or an outcome is outside the contract
# (a SQLSTATE the contract does not name for that call), 2 if an output is
# incomplete or the harness does not work (too few calls return a result).
#
# The allow-list (see test/differential.sh's header) is applied here and in
# the barrage's psql settings:
#   * CONTEXT: never printed (\set SHOW_CONTEXT never in barrage.sql);
#   * LOCATION lines (the server's source file and line: C for the C
#     extension, pl_exec.c for the SQL edition) are dropped;
#   * the "psql:FILE:LINE: " prefix psql puts before a message is dropped.
use strict;
use warnings;

my ($calls_file, $c_file, $sql_file, $show) = @ARGV;
die "usage: $0 CALLS_TSV C_OUTPUT SQL_OUTPUT [SHOW]\n" unless defined $sql_file;
$show //= 20;

my (%call, @order);
open my $cf, '<', $calls_file or die "$calls_file: $!";
while (<$cf>) {
    chomp;
    my ($n, $role, $onf, $mode, $fn, $sql) = split /\t/, $_, 6;
    $call{$n} = { role => $role, onf => $onf, mode => $mode, fn => $fn, sql => $sql };
    push @order, $n;
}
close $cf;

# outcomes FILE: call number -> normalized output
sub outcomes {
    my ($file) = @_;
    my (%out, $cur, $ended);
    open my $fh, '<', $file or die "$file: $!";
    while (my $line = <$fh>) {
        if ($line =~ /^\@\@call (\d+)$/) {
            $cur = $1;
            $out{$cur} = '';
            next;
        }
        if ($line =~ /^\@\@end$/) {
            $ended = 1;
            undef $cur;
            next;
        }
        $line =~ s/^psql:.*?:\d+: //;
        next if $line =~ /^LOCATION:  /;
        # the age of Connect's snapshot depends on when each database got
        # to the call: the two run side by side, not in step
        $line =~ s/\b\d+ seconds? ago\b/N seconds ago/g;
        if (defined $cur) {
            $out{$cur} .= $line;
        } elsif ($line =~ /\S/) {
            $out{preamble} .= $line;
        }
    }
    close $fh;
    return (\%out, $ended);
}

my ($c, $c_ended) = outcomes($c_file);
my ($s, $s_ended) = outcomes($sql_file);
my $incomplete = 0;
for ([$c, $c_ended, 'C extension'], [$s, $s_ended, 'SQL edition']) {
    my ($o, $ended, $what) = @$_;
    if (!$ended || keys(%$o) - (exists $o->{preamble} ? 1 : 0) != @order) {
        printf "INCOMPLETE: the %s's output has %d of %d calls%s\n", $what,
            keys(%$o) - (exists $o->{preamble} ? 1 : 0), scalar @order, $ended ? '' : ' and no end marker';
        $incomplete = 1;
    }
    if (exists $o->{preamble}) {
        print "unexpected output of the $what outside any call:\n";
        print map { "    $_\n" } split /\n/, $o->{preamble};
        $incomplete = 1;
    }
}

# a short description of an outcome, for the summary
sub kind {
    my ($o) = @_;
    return 'no output' unless defined $o && length $o;
    my @k;
    push @k, "ERROR $1" while $o =~ /^ERROR:  (\w{5}):/mg;
    push @k, "WARNING $1" while $o =~ /^WARNING:  (\w{5}):/mg;
    push @k, 'result' if $o =~ /^NOTICE:  00000: result: /m;
    return join(' + ', @k) || 'other';
}

# Outside the contract: a SQLSTATE the contract does not name for the call
# (in either edition), or the harness itself failing.  Either makes the
# comparison meaningless or is a bug of its own, and fails the test.
my (@outside, $results);
for my $n (@order) {
    my $fn = $call{$n}{fn};
    for ([$c->{$n}, 'C extension'], [$s->{$n}, 'SQL edition']) {
        my ($o, $what) = @$_;
        next unless defined $o;
        $results++ if $o =~ /^NOTICE:  00000: result: /m && $what eq 'C extension';
        while ($o =~ /^(?:ERROR|WARNING):  (\w{5}):/mg) {
            my $st = $1;
            next if $st =~ /^(22004|22023|3F000|55000|42P01|42703|42501)$/;
            # typed declarations (version 1.2): a declared type that does not
            # exist, a column of another type
            next if $st =~ /^(42704|42804)$/ && $fn =~ /^(required3|requiredv|status|wait)$/;
            next if $st eq '42804' && $fn =~ /^(check_declarations|required_declarations)$/;
            next if $st eq '25000' && $fn eq 'wait' && $call{$n}{mode} eq 'repeatable read';
            next if $st eq '25006' && $fn =~ /^(confirm|revoke|forget|record_connect)$/ && $call{$n}{mode} eq 'read only';
            # Connect's report listing a mapping without a table: recorded,
            # and said in a warning (the contract's "listed problem")
            next if $st eq '01000' && $fn eq 'record_connect' && $o =~ /^WARNING:  01000: Heroku Connect mapping .* has no table$/m;
            next if $fn eq 'connect_event';   # the Connect double's own errors
            push @outside, "call $n ($fn, $what): SQLSTATE $st: " . substr((split /\n/, substr($o, $-[0]))[0], 0, 300);
        }
    }
}
$results //= 0;
if (@outside) {
    printf "OUTSIDE THE CONTRACT: %d outcomes have a SQLSTATE the contract does not name for the call; the first 10:\n", scalar @outside;
    print "    $_\n" for @outside[0 .. ($#outside < 9 ? $#outside : 9)];
}
if ($results < @order / 5) {
    printf "BROKEN: only %d of %d calls returned a result in the C extension; the harness is not working\n",
        $results, scalar @order;
    $incomplete = 1;
}

my ($ndiff, $shown, %summary) = (0, 0);
for my $n (@order) {
    my $co = $c->{$n} // '';
    my $so = $s->{$n} // '';
    next if $co eq $so;
    $ndiff++;
    my $k = $call{$n};
    my $key = sprintf '%-16s C: %s / SQL: %s', $k->{fn}, kind($co), kind($so);
    $summary{$key}++;
    next if $shown >= $show;
    $shown++;
    print "--- call $n: $k->{fn} as $k->{role}, hcguard.on_failure $k->{onf}, $k->{mode}\n";
    (my $sql = $k->{sql}) =~ s/\\([\\tnr])/$1 eq 't' ? "\t" : $1 eq 'n' ? "\n" : $1 eq 'r' ? "\r" : "\\"/ge;
    $sql = substr($sql, 0, 600) . '...' if length $sql > 600;
    print "    $_\n" for split /\n/, $sql;
    for ([$co, 'C extension'], [$so, 'SQL edition']) {
        my ($o, $what) = @$_;
        print "  $what:\n";
        my @lines = split /\n/, $o;
        @lines = ('(nothing)') unless @lines;
        for my $l (@lines) {
            $l = substr($l, 0, 400) . '...' if length $l > 400;
            print "    | $l\n";
        }
    }
}
if ($ndiff) {
    print "differences by function and outcome (calls):\n";
    printf "    %6d  %s\n", $summary{$_}, $_ for sort { $summary{$b} <=> $summary{$a} || $a cmp $b } keys %summary;
}
printf "%d of %d calls differ%s\n", $ndiff, scalar @order, $ndiff > $shown ? " (the first $shown shown)" : '';
printf "%d calls returned a result in the C extension; %d outcomes outside the contract\n", $results, scalar @outside;
exit 2 if $incomplete;
exit($ndiff || @outside ? 1 : 0);
