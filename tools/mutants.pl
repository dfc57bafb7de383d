#!/usr/bin/perl
# mutants.pl - mutation testing: applies each mutant of tests/mutants/mutants.txt, one at a
# time, to a scratch copy of the tree, rebuilds, runs the tests and restores the file. A mutant
# is killed when a test fails (or the run hangs past the limit); it survives when every test
# passes. Mutants name a file and the exact text they replace (never a line number), so they
# outlive reshaping; one whose text is gone is reported as stale and is not a kill.
#   tools/mutants.pl [ID...]      (default: every mutant; MUTANT_TIMEOUT_S bounds one run)
#   tools/mutants.pl --check      only says, for each mutant, whether its text is found once
# MUTANT_BASELINE=0 skips the first, unmutated make check (when it was just run).
# MUTANT_QUICK=1 runs only each mutant's listed tests (a lower bound on the score: a survivor
# there may still be killed by the rest of make check).
# The last line reads "N/M mutants killed".
use strict;
use warnings;
use File::Path qw(make_path remove_tree);
use File::Copy qw(copy);

my $list = 'tests/mutants/mutants.txt';
require Cwd;
my $scratch = Cwd::getcwd() . '/' . ($ENV{BUILD} // 'build') . '/mutants';
my $tree = "$scratch/tree";
my $limit = $ENV{MUTANT_TIMEOUT_S} // 900;

sub parse {
  my ($path) = @_;
  open(my $fh, '<', $path) or die "mutants: cannot read $path: $!\n";
  my (@m, $cur, $sect);
  while (my $l = <$fh>) {
    if ($l =~ /^== (\S+)\s+(.*)$/) {
      push @m, $cur if $cur;
      $cur = {id => $1, title => $2, orig => '', repl => '', tests => ''};
      $sect = undef;
    } elsif ($l =~ /^## /) { # a section heading ends the text before it
      $sect = undef;
    } elsif (!$cur || ($l =~ /^#/ && !$sect)) {
      next;
    } elsif ($l =~ /^--- original\s*$/) {
      $sect = 'orig';
    } elsif ($l =~ /^\+\+\+ replacement\s*$/) {
      $sect = 'repl';
    } elsif (!$sect && $l =~ /^(file|tests|survives):\s*(.*)$/) {
      $cur->{$1} = $2;
    } elsif ($sect) {
      $cur->{$sect} .= $l;
    }
  }
  push @m, $cur if $cur;
  for my $x (@m) {
    $x->{$_} =~ s/\n+\z// for qw(orig repl); # the blank lines between mutants
    die "mutants: $x->{id} lacks file, original or replacement\n"
      unless $x->{file} && length $x->{orig} && defined $x->{repl};
  }
  return @m;
}

sub slurp { my ($p) = @_; open(my $f, '<', $p) or return undef; local $/; my $s = <$f>; return $s; }
sub spew { my ($p, $s) = @_; open(my $f, '>', $p) or die "mutants: cannot write $p: $!\n"; print $f $s; close $f; }

# Runs a shell command in the scratch tree with a time limit; 1 when it succeeded.
sub run_ok {
  my ($cmd, $log) = @_;
  my $rc = system("cd '$tree' && timeout $limit sh -c '$cmd' >'$log' 2>&1");
  return $rc == 0;
}

sub copy_tree {
  remove_tree($tree);
  make_path($tree);
  system("git ls-files -z | xargs -0 cp --parents -t '$tree'") == 0 or die "mutants: copying the tree failed\n";
  my $nm = 'tests/mcp/node_modules';
  symlink(Cwd::abs_path($nm), "$tree/$nm") if -d $nm;
}

my @all = parse($list);
if (@ARGV && $ARGV[0] eq '--check') {
  my $bad = 0;
  for my $m (@all) {
    my $text = slurp($m->{file});
    my $count = defined $text ? () = $text =~ /\Q$m->{orig}\E/g : 0;
    next if $count == 1;
    $bad++;
    print "$m->{id} $m->{file}: ", ($count ? "ambiguous ($count places)" : 'stale'), "\n";
  }
  print scalar(@all) - $bad, "/", scalar(@all), " mutants apply\n";
  exit($bad ? 1 : 0);
}
my %want = map { $_ => 1 } @ARGV;
my @run = %want ? grep { $want{$_->{id}} } @all : @all;
die "mutants: no mutant matches @ARGV\n" unless @run;

copy_tree();
if (($ENV{MUTANT_BASELINE} // 1) ne '0') {
  print "# baseline: building and running make check on an unmutated copy\n";
  run_ok('make -s all >/dev/null && make -s check', "$scratch/baseline.log")
    or die "mutants: the unmutated tree fails make check (see $scratch/baseline.log)\n";
} else {
  run_ok('make -s all', "$scratch/baseline.log") or die "mutants: the unmutated tree does not build\n";
}

my ($killed, $total) = (0, 0);
my @rows;
for my $m (@run) {
  $total++;
  my $path = "$tree/$m->{file}";
  my $text = slurp($path);
  my $count = defined $text ? () = $text =~ /\Q$m->{orig}\E/g : 0;
  my ($verdict, $by) = ('', '');
  if ($count != 1) {
    $verdict = $count ? "ambiguous ($count places)" : 'stale';
  } else {
    (my $mut = $text) =~ s/\Q$m->{orig}\E/$m->{repl}/;
    spew($path, $mut);
    my $log = "$scratch/$m->{id}.log";
    if (!run_ok('make -s all', $log)) {
      $verdict = 'no build'; # a mutant the compiler refuses tests nothing: fix the mutant
    } elsif ($m->{tests} && !run_ok("KKP_FAIL_FAST=1 BUILD=build sh tests/run.sh $m->{tests}", $log)) {
      $verdict = 'killed';
      $by = $m->{tests};
    } elsif (($ENV{MUTANT_QUICK} // '') eq '1') {
      $verdict = 'SURVIVED';
      $by = '(its listed tests only)';
    } elsif (!run_ok('KKP_FAIL_FAST=1 make -s check', $log)) {
      $verdict = 'killed';
      ($by) = (slurp($log) // '') =~ /^# (\S+)\n(?:(?!^# ).*\n)*?\s+not ok/m;
      $by //= 'make check';
    } else {
      $verdict = 'SURVIVED';
    }
    spew($path, $text); # restored with a new mtime, so make rebuilds it
  }
  $killed++ if $verdict eq 'killed';
  my $row = sprintf "%-5s %-9s %-26s %-40s %s", $m->{id}, $verdict, $m->{file}, substr($m->{title}, 0, 40), $by;
  $row .= "\n      survives because: $m->{survives}" if $verdict eq 'SURVIVED' && $m->{survives};
  print "$row\n";
  push @rows, $row;
}
print "\n", join("\n", @rows), "\n" if @run > 1;
print "$killed/$total mutants killed\n";
exit($killed == $total ? 0 : 1);
