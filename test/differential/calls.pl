#!/usr/bin/perl
# test/differential/calls.pl SEED CALLS OUTDIR
#
# Writes the differential barrage's calls, deterministically from SEED:
#   OUTDIR/barrage.sql  the psql script both databases run (one harness call
#                       per hcguard call, each preceded by a \warn marker)
#   OUTDIR/calls.tsv    one line per call: number, role, hcguard.on_failure,
#                       transaction, SQL (backslash, tab, CR and newline
#                       escaped), for the report
# Perl's rand() is drand48 on every platform (Perl >= 5.20), so a seed gives
# the same calls everywhere.  See test/differential.sh.
use strict;
use warnings;
use utf8;

my ($seed, $ncalls, $outdir) = @ARGV;
die "usage: $0 SEED CALLS OUTDIR\n" unless defined $outdir && $ncalls =~ /^\d+$/ && $seed =~ /^\d+$/;
srand($seed);

sub pick { return $_[rand @_]; }
sub chance { return rand() < $_[0]; }

# --- names ----------------------------------------------------------------
my @schemas = (
    ('salesforce') x 6, 'Salesforce', 'SALESFORCE', ('Org2') x 3, 'org2', 'ORG2',
    ('sales_eu') x 3, 'SALES_EU', 'Sales_Eu', 'empty_connect', 'plain', 'public',
    'pg_catalog', 'information_schema', 'hcdouble', 'hcdiff_harness', 'nosuch', 'half_connect',
    'odd', 'ODD', 'shadow', ('s"; drop table plain.contact; --') x 2, 'S"; DROP TABLE plain.contact; --',
    'salesforc', 'salesforse', 'sales_force', 'Org3', 'org_2', 'sales_e',
);
my @tables = (
    ('contact') x 4, 'Contact', 'CONTACT', 'lead', 'Lead', ('account') x 2, 'Account',
    'opportunity', 'Opportunity', 'task', 'Task', 'campaign', 'Campaign',
    'MixedCase', 'mixedcase', 'MIXEDCASE', 'Mixedcase', 'notes', 'contact_v',
    '_hcmeta', '_trigger_log', '_trigger_log_archive', '_sf_event_log',
    '_HCMETA', '_Trigger_Log', '_SF_EVENT_LOG',
    ('invoice__c') x 2, 'Invoice__c', 'INVOICE__C', ('case') x 2, 'Case', 'CASE',
    'product2', 'Product2', 'gone__c', 'Gone__c',
    'contacts', 'contac', 'Contatc', 'acount', 'opportunty', 'invoice_c', 'lead__c', 'cases',
    'contact_id_seq', '_trigger_log_id_seq', 'hcu_idx_contact_sfid',
    'hcguard_confirmation_store', 'nosuch', 'contact_mv', 'part__c', 'part__c_1', 'Part__c',
    'scratch__c', 'odd_lastop', 'order', 'Order', 'ORDER',
);
my $long = 'Primary_Account__r__External_Customer_Identifier_Long_Name_Field__c';
my @columns = (
    ('email') x 3, 'Email', 'EMAIL', 'lastname', 'LastName', 'LASTNAME', ('phone') x 2, 'Phone',
    'preferred_channel__c', 'Preferred_Channel__c', $long, lc($long), substr(lc($long), 0, 63),
    substr(lc($long), 0, 62), uc($long),
    'Name', 'name', 'NAME', ('x' x 62) . 'ä', 'x' x 62, ('X' x 62) . 'Ä', 'kontakt_ä', 'KONTAKT_Ä', 'Kontakt_Ä',
    'sfid', 'SFID', 'Id', 'ID', 'id', 'iD', '_hc_lastop', '_HC_LASTOP', '_hc_err', '_Hc_Err',
    'createddate', 'CreatedDate', 'systemmodstamp', 'SystemModstamp', 'isdeleted', 'IsDeleted',
    'company', 'Company', 'status', 'Status', 'industry', 'Industry', 'annualrevenue',
    'old__c', 'Old__c', 'stagename', 'StageName', 'amount', 'closedate', 'CloseDate',
    'subject', 'Subject', 'priority', 'Priority', 'total__c', 'Total__c', 'due_date__c',
    'amount__c', 'note__c', 'flag__c', 'fax__c', 'Fax__c', 'select__c', 'Select__c', 'origin', 'Origin',
    'paid__c', 'Paid__c', 'family', 'type', 'body', 'ctid', 'xmin', 'tableoid',
    'emial', 'emal', 'Emaill', 'lastnme', 'phon', 'preferred_chanel__c', 'preferred_channel_c',
    'totl__c', 'subjet', 'priorty', 'nosuch__c', 'stage_name', 'industy', 'compnay',
);
my @hostile = (
    '', ' ', '  ', "\t", "\n", "\r\n", "\x01", 'contact ', ' contact', '"contact"', '"Contact"',
    'salesforce.contact', '.', ';', 'contact;', 'contact; DROP TABLE plain.contact',
    q{x'); DROP TABLE plain.contact; --}, q{'}, q{''}, '"', '""', '$$', '$x$ DROP $x$',
    '\\', 'back\\slash', '%s%s%n', '%d%x', '{}', '[]', 'null', 'NULL', '*', '%', '_', 'contact%',
    'ä', 'ß', 'ẞ', 'İ', 'ı', 'Σ', 'ς', 'ǅ', 'ﬀ', 'ＣＯＮＴＡＣＴ', "con\x{200B}tact", "\x{FEFF}contact",
    "contact\x{301}", '📇', '🙂🙃', '中文', 'العربية',
    'a' x 63, 'a' x 64, 'A' x 63, 'b' x 200, 'c' x 5000, ('x' x 62) . 'ä', ('ä' x 31) . 'x',
    'ä' x 32, ('🙂' x 15) . 'abc', '🙂' x 16, 'é' x 100, 'preferred_channel__c' . ('_' x 43),
    'EMAIL' x 13, 'Contact' x 10,
);
# case variants of real names, and random valid UTF-8
my @variants;
for (1 .. 120) {
    my $n = pick(@schemas, @tables, @columns);
    push @variants, join('', map { chance(0.5) ? uc($_) : lc($_) } split //, $n);
}
my @random;
for (1 .. 200) {
    my $len = 1 + int(rand() * rand() * 80);
    my $s = '';
    for (1 .. $len) {
        my $r = rand();
        $s .= chr($r < 0.50 ? 32 + int(rand(95))          # printable ASCII
                : $r < 0.56 ? 1 + int(rand(31))           # control
                : $r < 0.72 ? 160 + int(rand(400))        # Latin
                : $r < 0.80 ? 768 + int(rand(112))        # combining
                : $r < 0.88 ? 19968 + int(rand(20000))    # CJK
                : $r < 0.95 ? 127744 + int(rand(1280))    # emoji
                :             57344 + int(rand(6400)));   # private use
    }
    push @random, $s;
}
my @any = (@schemas, @tables, @columns, @hostile, @hostile, @variants, @random);
my @notes = (undef, 'verified in the dashboard', 'empty in Salesforce', '', q{it's "fine"; --},
             'ä 📇', 'n' x 300, @hostile[0 .. 20]);

# a name for a position: mostly a real one, sometimes anything, rarely NULL
sub name_for {
    my ($pool) = @_;
    my $r = rand();
    return undef if $r < 0.03;
    return pick(@$pool) if $r < 0.75;
    return pick(@any);
}

# What the fixture holds: schema -> table -> columns, to make coherent
# calls (a real schema, one of its tables, one of its columns) more often
# than random names would, so that passing guards, successful confirmations
# and revocations are common too.
my %real = (
    salesforce => {
        contact => ['email', 'lastname', 'phone', 'preferred_channel__c', $long, lc($long)],
        lead => ['company', 'status'],
        account => ['name', 'industry', 'annualrevenue', 'old__c'],
        opportunity => ['stagename', 'amount', 'closedate'],
        task => ['subject'],
        campaign => ['name', 'type'],
        MixedCase => ['Name', 'name', ('x' x 62) . 'ä', 'kontakt_ä'],
        notes => ['body'],
        contact_v => ['email'],
        contact_mv => ['email'],
        part__c => ['amount__c'],
        part__c_1 => ['amount__c'],
        scratch__c => ['note__c'],
        _trigger_log => ['state'],
    },
    half_connect => { contact => ['email'] },
    's"; drop table plain.contact; --' => { order => ['status', 'select__c'] },
    odd => { odd_lastop => ['flag__c'], _trigger_log => ['id'] },
    Org2 => {
        invoice__c => ['name', 'total__c', 'due_date__c', 'paid__c'],
        Invoice__c => ['total__c'],
    },
    sales_eu => {
        case => ['subject', 'status', 'priority', 'origin'],
        product2 => ['name', 'family'],
    },
    empty_connect => {},
    plain => { contact => ['email'] },
);
my @standard = ('sfid', 'Id', 'id', 'createddate', 'systemmodstamp', 'isdeleted', '_hc_lastop', '_hc_err');
# a spelling someone might use: as is, Salesforce's API style, upper or
# lower case
sub spell {
    my ($n) = @_;
    my $r = rand();
    return $n if $r < 0.6;
    if ($r < 0.8) {
        (my $api = $n) =~ s/(^|_)([a-z])/$1\u$2/g;
        $api =~ s/__C$/__c/;
        return $api;
    }
    return uc($n) if $r < 0.9;
    return lc($n);
}
sub coherent {
    my @s = sort keys %real;
    my $s = pick(@s);
    my @t = sort keys %{$real{$s}};
    my $t = @t ? pick(@t) : pick(@tables);
    my @c = @t ? (@{$real{$s}{$t} // []}, @standard[0 .. 5]) : @columns;
    my $c = pick(@c);
    return (spell($s), spell($t), spell($c), $s, $t);
}

# SQL literals
sub lit {
    my ($v, $type) = @_;
    return defined $type && chance(0.5) ? "NULL::$type" : 'NULL' unless defined $v;
    (my $s = $v) =~ s/'/''/g;
    return "'$s'";
}
sub tlit { return lit($_[0], 'text'); }

# --- configuration documents ----------------------------------------------
my @objects = ('Contact', 'contact', 'CONTACT', 'Account', 'Lead', 'Opportunity', 'Task',
               'Campaign', 'MixedCase', 'Invoice__c', 'invoice__c', 'Case', 'Product2',
               'Gone__c', 'Contacts', 'Acount', '_hcmeta', '_trigger_log', 'notes', 'contact_v',
               'acme__Shipment__c', 'User');
my @fields = ('Id', 'ID', 'id', 'IsDeleted', 'SystemModstamp', 'CreatedDate', @columns);
sub json_str {
    my ($s) = @_;
    $s =~ s/(["\\])/\\$1/g;
    $s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
    return qq{"$s"};
}
my @bad_docs = ('null', '1', '"x"', '"mappings"', '[]', '{}', '{"mappings": null}', '{"mappings": {}}',
    '{"mappings": "x"}', '{"mappings": [1]}', '{"mappings": [[]]}', '{"mappings": [null]}',
    '{"mappings": [{}]}', '{"mappings": [{"object_name": 1}]}', '{"mappings": [{"object_name": null}]}',
    '{"mappings": [{"object_name": ""}]}', '{"mappings": [{"object_name": "Contact"}]}',
    '{"mappings": [{"object_name": "Contact", "config": []}]}',
    '{"mappings": [{"object_name": "Contact", "config": null}]}',
    '{"mappings": [{"object_name": "Contact", "config": {}}]}',
    '{"mappings": [{"object_name": "Contact", "config": {"fields": []}}]}',
    '{"mappings": [{"object_name": "Contact", "config": {"fields": null}}]}',
    '{"mappings": [{"object_name": "Contact", "config": {"fields": "Email"}}]}',
    '{"mappings": [{"object_name": "Contact", "config": {"fields": {}}}, 7]}',
    '{"mappings": [{"object_name": "Contact", "config": {"fields": {"Email": {}}}}, {"object_name": "Account"}]}',
    '{"mappings": [{"object_name": "", "config": {"fields": {}}}]}',
    '{"mappings": [{"object_name": "Contact", "config": {"fields": {"": {}}}}]}',
    '{"mappings": []}', '{"mappings": [], "version": 1}',
    # valid, but tricky: one column under several spellings, Id and sfid,
    # one object twice, bookkeeping columns, names over 63 bytes, a table
    # that exists in two spellings (Org2's invoice__c and "Invoice__c")
    '{"mappings": [{"object_name": "Contact", "config": {"fields": {"Email": {}, "email": {}, "EMAIL": {}}}}]}',
    '{"mappings": [{"object_name": "Contact", "config": {"fields": {"Id": {}, "sfid": {}, "id": {}, "ID": {}}}}]}',
    '{"mappings": [{"object_name": "Contact", "config": {"fields": {"Phone": {}}}}, {"object_name": "contact", "config": {"fields": {"Email": {}, "Fax__c": {}}}}]}',
    '{"mappings": [{"object_name": "Contact", "config": {"fields": {"_hc_lastop": {}, "_hc_err": {}, "id": {}, "_HC_ERR": {}}}}]}',
    '{"mappings": [{"object_name": "Contact", "config": {"fields": {"Primary_Account__r__External_Customer_Identifier_Long_Name_Field__c": {}, "Preferred_Channel__c": {}}}}]}',
    '{"mappings": [{"object_name": "Primary_Account__r__External_Customer_Identifier_Long_Name_Field__c", "config": {"fields": {}}}]}',
    '{"mappings": [{"object_name": "Invoice__c", "config": {"fields": {"Total__c": {}, "Paid__c": {}}}}, {"object_name": "invoice__c", "config": {"fields": {"Name": {}}}}]}',
    '{"mappings": [{"object_name": "MixedCase", "config": {"fields": {"Name": {}, "name": {}, "NAME": {}, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxä": {}, "Kontakt_Ä": {}}}}]}',
    '{"mappings": [{"object_name": "Case", "config": {"fields": {"Subject": {}, "Status": {}, "Priority": {}}}}, {"object_name": "Product2", "config": {"fields": {"Name": {}, "Family": {}}}}]}',
    '{"mappings": [{"object_name": "Account", "config": {"fields": {"Name": {}, "Industry": {}, "AnnualRevenue": {}, "Old__c": {}}}}, {"object_name": "Lead", "config": {"fields": {"Company": {}, "Status": {}}}}, {"object_name": "Task", "config": {"fields": {"Subject": {}}}}]}',
);
my @file_docs;
for my $f (glob('test/config/*.json')) {
    open my $fh, '<:utf8', $f or die "$f: $!";
    local $/;
    my $d = <$fh>;
    close $fh;
    push @file_docs, $d;
}
sub doc {
    my $r = rand();
    return undef if $r < 0.03;
    return pick(@bad_docs) if $r < 0.28;
    return pick(@file_docs) if $r < 0.35;
    if ($r < 0.40) {
        # more than 20 problems: the detail lists 20 and counts the rest
        my @f = map { json_str(pick('Extra_', 'Missing_', 'email', 'Email', 'EMAIL') . $_ . '__c') . ': {}' } 1 .. 15 + int(rand(20));
        my @m = map { sprintf('{"object_name": %s, "config": {"fields": {"Id": {}, "sfid": {}, "ID": {}}}}',
                              json_str(pick(@objects) . ($_ % 3 ? $_ : ''))) } 1 .. int(rand(25));
        return sprintf('{"mappings": [{"object_name": %s, "config": {"fields": {%s}}}%s]}',
                       json_str(pick(@objects)), join(', ', @f), join('', map { ", $_" } @m));
    }
    my @maps;
    for (1 .. int(rand(4))) {
        my $obj = chance(0.75) ? pick(@objects) : pick(@any);
        my @f;
        my %seen;
        for (1 .. int(rand(7))) {
            my $fld = chance(0.8) ? pick(@fields) : pick(@any);
            next if $seen{$fld}++;
            push @f, json_str($fld) . ': {}';
        }
        push @maps, sprintf('{"object_name": %s, "config": {"access": "%s", "fields": {%s}}}',
                            json_str($obj), pick('read_write', 'read_only'), join(', ', @f));
    }
    return '{"mappings": [' . join(', ', @maps) . ']' . (chance(0.5) ? ', "version": 1' : '') . '}';
}
# Documents that are not hcguard_declarations_json()'s.
my @bad_declaration_docs = ('[]', '{}', '{"mappings": []}', '{"declarations": {}}', '{"declarations": [1]}',
    '{"declarations": [{"schema_name": "salesforce"}]}', '{"declarations": [{"table_name": "contact"}]}',
    '{"declarations": [{"schema_name": "", "table_name": "contact"}]}',
    '{"declarations": [{"schema_name": "salesforce", "table_name": 3}]}',
    '{"declarations": [{"schema_name": "salesforce", "table_name": "contact", "column_name": true}]}',
    '{"declarations": [{"schema_name": "salesforce", "table_name": "contact", "declared_type": []}]}',
    '"declarations"', 'null', '{"declarations": null}', '{"declarations": []}', undef);
# Connect's API reports (hcguard_record_connect_state): the connection's
# and the mappings' states, well formed or not, for the schemas of the
# fixture and others.
my @connection_states = (('IDLE') x 5, 'POLLING_DB_CHANGES', 'POLLING_DB_CHANGES', 'BUSY',
                         'NEED_AUTHENTICATION', 'PAUSED', 'IMPORT_CONFIGURATION', 'idle', 'Weird-State');
my @mapping_states = (('DATA_SYNCED') x 6, 'RESYNC', 'SCHEMA_CHANGED', 'INITIAL', 'RELOAD_TABLE',
                      'SYSTEM_ERROR', 'data_synced', 'ä');
my @bad_connect_docs = ('[]', '{}', 'null', '"x"', '{"schema_name": "salesforce"}',
    '{"schema_name": "salesforce", "state": "IDLE"}',
    '{"schema_name": "salesforce", "state": "IDLE", "mappings": {}}',
    '{"schema_name": "salesforce", "state": 3, "mappings": []}',
    '{"schema_name": "", "state": "IDLE", "mappings": []}',
    '{"schema_name": "salesforce", "state": "IDLE", "mappings": [null]}',
    '{"schema_name": "salesforce", "state": "IDLE", "mappings": [{"object_name": "Contact", "state": "DATA_SYNCED"}]}',
    '{"schema_name": "salesforce", "state": "IDLE", "mappings": [{"object_name": "Contact", "state": "DATA_SYNCED", "config": {"fields": []}}]}',
    '{"schema_name": "salesforce", "state": "IDLE", "mappings": [{"object_name": "Contact", "state": "DATA_SYNCED", "config": {"fields": {}}, "counts": {"db": 1.5}}]}',
    '{"schema_name": "salesforce", "state": "IDLE", "mappings": [{"object_name": "Lead", "state": "DATA_SYNCED", "config": {"fields": {}}}, {"object_name": "LEAD", "state": "RESYNC", "config": {"fields": {}}}]}',
    undef);
# The fixture's mappings as Connect would list them, so that most reports
# speak of columns the calls ask about (empty, never synced, confirmed).
my %fixture_maps = (
    salesforce => { Contact => [qw(Id Email LastName Phone Preferred_Channel__c Fax__c
                                   Primary_Account__r__External_Customer_Identifier_Long_Name_Field__c)],
                    Lead => [qw(Id Company Status)], Account => [qw(Id Name Industry AnnualRevenue Old__c)],
                    Opportunity => [qw(Id StageName Amount CloseDate)], Task => [qw(Id Subject)],
                    Campaign => [qw(Id Name Type)], Gone__c => [qw(Id Name)] },
    Org2 => { Invoice__c => [qw(Id Name Total__c Due_Date__c Paid__c)] },
    sales_eu => { Case => [qw(Id Subject Status Priority Origin)], Product2 => [qw(Id Name Family)] },
);
sub faithful_connect_doc {
    my $schema = pick(('salesforce') x 4, 'Org2', 'sales_eu');
    my @maps;
    for my $obj (sort keys %{$fixture_maps{$schema}}) {
        next if chance(0.15);
        my @f = grep { chance(0.85) } @{$fixture_maps{$schema}{$obj}};
        push @maps, sprintf('{"object_name": %s, "state": %s, "config": {"fields": {%s}}, "counts": {"db": 3, "sf": 3}}',
                            json_str($obj), json_str(chance(0.8) ? 'DATA_SYNCED' : pick(@mapping_states)),
                            join(', ', map { json_str($_) . ': {}' } @f));
    }
    return sprintf('{"schema_name": %s, "state": %s, "mappings": [%s]}', json_str($schema),
                   json_str(chance(0.85) ? pick('IDLE', 'POLLING_DB_CHANGES') : pick(@connection_states)),
                   join(', ', @maps));
}
sub connect_doc {
    return faithful_connect_doc() if chance(0.6);
    return pick(@bad_connect_docs) if chance(0.3);
    my @maps;
    my %seen;
    for (1 .. int(rand(5))) {
        my $obj = chance(0.85) ? pick(@objects) : pick(@any);
        next if $seen{lc $obj}++ && chance(0.9);
        my @f;
        my %fseen;
        for (1 .. int(rand(8))) {
            my $fld = chance(0.85) ? pick(@fields) : pick(@any);
            next if $fseen{$fld}++;
            push @f, json_str($fld) . ': {}';
        }
        my $counts = chance(0.7) ? sprintf(', "counts": {"db": %d, "sf": %d, "pending": 0}', int(rand(5)), int(rand(5)))
                   : chance(0.5) ? ', "counts": null' : '';
        push @maps, sprintf('{"object_name": %s, "state": %s, "state_description": "OK", "config": {"fields": {%s}}%s}',
                            json_str($obj), json_str(pick(@mapping_states)), join(', ', @f), $counts);
    }
    my $schema = chance(0.8) ? pick('salesforce', 'salesforce', 'Org2', 'org2', 'sales_eu', 'Salesforce')
                             : pick(@schemas, @any);
    return sprintf('{"id": "c0ffee", "schema_name": %s, "state": %s, "mappings": [%s]}',
                   json_str($schema), json_str(pick(@connection_states)), join(', ', @maps));
}
sub jlit {
    my ($d) = @_;
    return chance(0.5) ? 'NULL::jsonb' : 'NULL' unless defined $d;
    return lit($d) . '::jsonb';
}

# --- calls ----------------------------------------------------------------
my @fns = (['required3', 12], ['required2', 6], ['requiredv', 9], ['status', 10],
           ['confirm', 9], ['revoke', 7], ['confirmations', 3], ['mappings', 5],
           ['columns', 8], ['wait', 7], ['config_diff', 7], ['required_config', 7],
           # the store grows with every call that returns: a look at all of it
           # costs a verdict per declaration, so these are rare
           ['declarations', 0.04], ['check_declarations', 0.03], ['declarations_json', 0.05],
           ['required_declarations', 2], ['forget', 3],
           ['connect_event', 0.6], ['record_connect', 4], ['connect_state', 0.3]);
# Heroku Connect's events (hcdiff_harness.connect_event)
my @events = qw(add_fax resync_fax drop_fax add_paid resync_paid drop_paid drop_status
                add_status lead_insert lead_push lead_push_fails drop_task map_task
                reload_account);
# search_path: mostly the default; the ones without public need the calls
# qualified
my @paths = (('default') x 14, 'public', 'pg_catalog, public', 'salesforce, public',
             '"Org2", public, pg_catalog', 'hcdouble, public', '', 'pg_catalog', 'salesforce',
             'pg_temp, sales_eu', 'shadow, pg_catalog, public', 'shadow, pg_catalog');
my $total_w = 0;
$total_w += $_->[1] for @fns;
my @roles = (('superuser') x 5, ('hcdiff_owner') x 3, ('hcdiff_member') x 2, ('hcdiff_migrator') x 5,
             ('hcdiff_stranger') x 2, ('hcdiff_dbowner') x 3, 'hcdiff_auditor', 'Hcdiff Odd"Role');
my @timeouts = (("'0'") x 6, "'0 s'", "interval '0'", "'00:00:00'", 'NULL', 'NULL::interval',
                "'-1 s'", "'-1 microsecond'", "'-5 days'");

# Typed declarations: a column argument with the type the code expects
# after it, in the spellings people write, a type that differs, one that
# does not exist, and text that is no type name.
my @types = ('boolean', 'bool', 'text', 'varchar(80)', 'character varying(80)',
             'CHARACTER  VARYING (80)', 'varchar(255)', 'varchar(40)', 'varchar(18)',
             'double precision', 'float8', 'integer', 'int', 'date', 'timestamp',
             'timestamp without time zone', 'timestamptz', 'numeric(18,2)', 'text[]',
             'pg_catalog.text', 'no_such_type', 'integer(5)', 'varchar(0)');
sub typed {
    my ($c) = @_;
    return $c unless defined $c && chance(0.2);
    return $c . pick(' ', "\t", '  ') . pick(@types);
}

sub call_sql {
    my ($fn) = @_;
    my ($s, $t, $c, $rs, $rt);
    if (chance(0.55)) {
        ($s, $t, $c, $rs, $rt) = coherent();
        # now and then one of them wrong
        my $r = rand();
        $s = name_for(\@schemas) if $r < 0.05;
        $t = name_for(\@tables) if $r >= 0.05 && $r < 0.10;
        $c = name_for(\@columns) if $r >= 0.10 && $r < 0.20;
    } else {
        $s = name_for(\@schemas);
        $t = name_for(\@tables);
        $c = name_for(\@columns);
    }
    my @more = defined $rt && $real{$rs}{$rt} ? (@{$real{$rs}{$rt}}, @standard) : @columns;
    if ($fn eq 'required3') {
        return 'SELECT * FROM hcguard_required(' . join(', ', lit($s), lit($t), lit(typed($c), 'text')) . ')';
    } elsif ($fn eq 'required2') {
        return 'SELECT * FROM hcguard_required(' . join(', ', lit($s), lit($t)) . ')';
    } elsif ($fn eq 'requiredv') {
        my $r = rand();
        my @cols = map { typed(chance(0.7) ? spell(pick(@more)) : name_for(\@columns)) } 1 .. int(rand(5));
        if ($r < 0.3 && @cols >= 2) {
            # the spread form: hcguard_required(s, t, 'a', 'b', ...)
            return 'SELECT * FROM hcguard_required(' . join(', ', lit($s), lit($t), map { tlit($_) } @cols) . ')';
        }
        my $arr = $r < 0.36 ? 'NULL::text[]'
                : $r < 0.40 ? q{'{}'::text[]}
                : $r < 0.42 ? q{'{{email,phone},{lastname,name}}'::text[]}
                : $r < 0.70 ? 'ARRAY[' . join(', ', map { lit($_, 'text') } @cols) . ']::text[]'
                :             lit('{' . join(',', map { defined $_ ? do { (my $x = $_) =~ s/(["\\])/\\$1/g; qq{"$x"} } : 'NULL' } @cols) . '}') . '::text[]';
        return 'SELECT * FROM hcguard_required(' . join(', ', lit($s), lit($t)) . ", VARIADIC $arr)";
    } elsif ($fn eq 'status') {
        my $r = rand();
        return 'SELECT * FROM hcguard_status(' . join(', ', lit($s), lit($t)) . ')' if $r < 0.25;
        return 'SELECT * FROM hcguard_status(schema_name => ' . lit($s) . ', table_name => ' . lit($t)
             . ', column_name => ' . lit($c, 'text') . ')' if $r < 0.35;
        return 'SELECT * FROM hcguard_status(' . join(', ', lit($s), lit($t), lit(typed($c), 'text')) . ')';
    } elsif ($fn eq 'confirm') {
        my $r = rand();
        my $note = pick(@notes);
        return 'SELECT * FROM hcguard_confirm_synced(' . join(', ', lit($s), lit($t)) . ')' if $r < 0.15;
        return 'SELECT * FROM hcguard_confirm_synced(' . join(', ', lit($s), lit($t), lit($c, 'text')) . ')' if $r < 0.4;
        return 'SELECT * FROM hcguard_confirm_synced(' . join(', ', lit($s), lit($t)) . ', note => ' . lit($note, 'text') . ')' if $r < 0.5;
        return 'SELECT * FROM hcguard_confirm_synced(' . join(', ', lit($s), lit($t), lit($c, 'text'), lit($note, 'text')) . ')';
    } elsif ($fn eq 'revoke') {
        return 'SELECT * FROM hcguard_revoke_confirmation(' . join(', ', lit($s), lit($t)) . ')' if chance(0.3);
        return 'SELECT * FROM hcguard_revoke_confirmation(' . join(', ', lit($s), lit($t), lit($c, 'text')) . ')';
    } elsif ($fn eq 'confirmations') {
        return pick('SELECT schema_name, table_name, column_name, confirmed_by, note, counts FROM hcguard_confirmations',
                    'SELECT schema_name, table_name, column_name, confirmed_by, note, counts FROM hcguard_confirmations WHERE NOT counts',
                    'SELECT count(*), count(*) FILTER (WHERE counts) FROM hcguard_confirmations',
                    'SELECT schema_name, table_name, column_name, confirmed_at IS NOT NULL FROM hcguard_confirmations WHERE table_name = ' . lit($t));
    } elsif ($fn eq 'mappings') {
        my $r = rand();
        return 'SELECT * FROM hcguard_mappings()' if $r < 0.2;
        return 'SELECT * FROM hcguard_mappings(NULL)' if $r < 0.3;
        return 'SELECT * FROM hcguard_mappings(' . lit($s, 'text') . ')';
    } elsif ($fn eq 'columns') {
        return 'SELECT * FROM hcguard_columns(' . join(', ', lit($s), lit($t)) . ')';
    } elsif ($fn eq 'wait') {
        my $tmo = pick(@timeouts);
        my $r = rand();
        return 'SELECT * FROM hcguard_wait(' . join(', ', lit($s), lit($t)) . ", timeout => $tmo)" if $r < 0.2;
        return 'SELECT * FROM hcguard_wait(' . join(', ', lit($s), lit($t)) . ", NULL, $tmo)" if $r < 0.3;
        return 'SELECT * FROM hcguard_wait(' . join(', ', lit($s), lit($t), lit(typed($c), 'text')) . ", $tmo)";
    } elsif ($fn eq 'config_diff') {
        return 'SELECT * FROM hcguard_config_diff(' . lit($s, 'text') . ', ' . jlit(doc()) . ')';
    } elsif ($fn eq 'required_config') {
        return 'SELECT * FROM hcguard_required_config(' . lit($s, 'text') . ', ' . jlit(doc()) . ')';
    } elsif ($fn eq 'declarations') {
        return pick('SELECT schema_name, table_name, column_name, declared_type, declared_by, ok, problem FROM hcguard_declarations',
                    'SELECT count(*), count(*) FILTER (WHERE NOT ok) FROM hcguard_declarations',
                    'SELECT column_name, problem FROM hcguard_declarations WHERE table_name = ' . lit($t));
    } elsif ($fn eq 'check_declarations') {
        return 'SELECT * FROM hcguard_check_declarations()';
    } elsif ($fn eq 'declarations_json') {
        # when and in which database differ between the two editions' runs
        return q{SELECT jsonb_path_query_array(hcguard_declarations_json(), '$.declarations[*].schema_name'),}
             . q{ jsonb_path_query_array(hcguard_declarations_json(), '$.declarations[*].column_name'),}
             . q{ jsonb_path_query_array(hcguard_declarations_json(), '$.declarations[*].declared_type'),}
             . q{ hcguard_declarations_json() -> 'format', jsonb_array_length(hcguard_declarations_json() -> 'declarations')};
    } elsif ($fn eq 'required_declarations') {
        my $r = rand();
        return 'SELECT * FROM hcguard_required_declarations(hcguard_declarations_json())' if $r < 0.03;
        return 'SELECT * FROM hcguard_required_declarations(' . jlit(pick(@bad_declaration_docs)) . ')' if $r < 0.5;
        my @d = map {
            my ($ds, $dt, $dc) = chance(0.6) ? (coherent())[0 .. 2] : (name_for(\@schemas), name_for(\@tables), name_for(\@columns));
            my $ty = chance(0.2) ? pick(@types) : undef;
            sprintf('{"schema_name": %s, "table_name": %s, "column_name": %s, "declared_type": %s}',
                    json_str($ds // 'salesforce'), json_str($dt // 'contact'),
                    defined $dc && chance(0.8) ? json_str($dc) : 'null', defined $ty ? json_str($ty) : 'null')
        } 1 .. int(rand(6));
        return 'SELECT * FROM hcguard_required_declarations(' . jlit('{"declarations": [' . join(', ', @d) . ']}') . ')';
    } elsif ($fn eq 'forget') {
        return 'SELECT * FROM hcguard_forget_declaration(' . join(', ', lit($s), lit($t)) . ')' if chance(0.3);
        return 'SELECT * FROM hcguard_forget_declaration(' . join(', ', lit($s), lit($t), lit($c, 'text')) . ')';
    } elsif ($fn eq 'record_connect') {
        return 'SELECT * FROM hcguard_record_connect_state(' . jlit(connect_doc()) . ')';
    } elsif ($fn eq 'connect_state') {
        return 'SELECT schema_name, object_name, table_name, connection_state, mapping_state, fields,'
             . ' db_count, sf_count FROM hcguard_connect_state';
    } elsif ($fn eq 'connect_event') {
        return 'SELECT * FROM hcdiff_harness.connect_event(' . lit(pick(@events)) . ')';
    }
    die "unknown function $fn";
}

sub esc_tsv {
    my ($s) = @_;
    $s =~ s/\\/\\\\/g;
    $s =~ s/\t/\\t/g;
    $s =~ s/\n/\\n/g;
    $s =~ s/\r/\\r/g;
    return $s;
}

open my $sql, '>:utf8', "$outdir/barrage.sql" or die "$outdir/barrage.sql: $!";
open my $tsv, '>:utf8', "$outdir/calls.tsv" or die "$outdir/calls.tsv: $!";
print $sql <<'EOT';
\set VERBOSITY verbose
\set SHOW_CONTEXT never
SET statement_timeout = '60s';
-- keep the server log readable (pg_virtualenv prints it when the test fails)
SET log_min_messages = fatal;
SET client_min_messages = notice;
EOT
for my $i (1 .. $ncalls) {
    my $k = rand($total_w);
    my $fn;
    for (@fns) {
        $k -= $_->[1];
        if ($k < 0) { $fn = $_->[0]; last; }
    }
    $fn //= $fns[-1][0];
    my $q = call_sql($fn);
    my $role = pick(@roles);
    my $onf = pick('default', 'error', 'error', 'warning', 'warning', 'warning');
    my $path = pick(@paths);
    my $r = rand();
    my $mode = $r < 0.05 ? 'repeatable read' : $r < 0.10 ? 'read only' : 'autocommit';
    ($role, $onf, $path, $mode) = ('superuser', 'default', 'default', 'autocommit') if $fn eq 'connect_event';
    # without public in the path, name hcguard's functions and view with it,
    # every one the call uses
    $q =~ s/(?<![.\w'"])(hcguard_\w+)/public.$1/g if $path ne 'default' && $path !~ /public/;
    # calls that may write: the store they write is compared after them (a
    # guard that returns records its declarations)
    my $effects = $fn =~ /^(confirm|revoke|connect_event)$/ ? 'confirmations'
                : $fn eq 'record_connect' ? 'connect'
                : $fn =~ /^(required2|required3|requiredv|required_config|wait|forget)$/ ? 'declarations'
                : 'none';
    print $tsv join("\t", $i, $role, $onf, $mode, $fn, esc_tsv($path eq 'default' ? $q : 'SET search_path = ' . ($path eq '' ? "''" : $path) . "; $q")), "\n";
    (my $qq = $q) =~ s/'/''/g;
    (my $pq = $path) =~ s/'/''/g;
    (my $rq = $role) =~ s/'/''/g;
    my $call = "SELECT hcdiff_harness.call('$rq', '$onf', '$pq', '$qq', '$effects');\n";
    print $sql "\\warn \@\@call $i\n";
    if ($mode eq 'autocommit') {
        print $sql $call;
    } else {
        print $sql "BEGIN ISOLATION LEVEL \U$mode\E;\n" if $mode eq 'repeatable read';
        print $sql "BEGIN READ ONLY;\n" if $mode eq 'read only';
        print $sql $call, "COMMIT;\n";
    }
}
print $sql "\\warn \@\@end\n";
close $sql or die;
close $tsv or die;
