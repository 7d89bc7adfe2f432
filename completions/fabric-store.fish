function __fabric-store_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fabric-store_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __fabric-store_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fabric-store_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __fabric-store_parse_tokens -S
    set -l unparsed_tokens (__fabric-store_tokens -pc)
    switch $unparsed_tokens[1]
    case 'fabric-store'
        __fabric-store_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'register'
            __fabric-store_parse_subcommand 1 'store=' 'store-password-file=' 'password-file=' 'type=' 'username=' 'url=' 'tenant=' 'from-env' 'default-image=' 'default-flavor=' 'extra=+' 'check' 'version' 'h/help'
        case 'add'
            __fabric-store_parse_subcommand 0 'store=' 'store-password-file=' 'password-file=' 'version' 'h/help'
        case 'list'
            __fabric-store_parse_subcommand 1 'store=' 'store-password-file=' 'p/provider=' 'uuid=' 'group=' 'batch=' 'status=' 'machine=' 'version' 'h/help'
        case 'get'
            __fabric-store_parse_subcommand 2 'store=' 'store-password-file=' 'p/provider=' 'version' 'h/help'
        case 'remove'
            __fabric-store_parse_subcommand -r 2 'store=' 'store-password-file=' 'p/provider=' 'group=' 'batch=' 'version' 'h/help'
        case 'export'
            __fabric-store_parse_subcommand 0 'store=' 'store-password-file=' 'with-secrets' 'version' 'h/help'
        case 'import'
            __fabric-store_parse_subcommand 0 'store=' 'store-password-file=' 'version' 'h/help'
        case 'path'
            __fabric-store_parse_subcommand 0 'store=' 'store-password-file=' 'version' 'h/help'
        case 'check'
            __fabric-store_parse_subcommand 0 'store=' 'store-password-file=' 'version' 'h/help'
        case 'group'
            __fabric-store_parse_subcommand -r 2 'store=' 'store-password-file=' 'p/provider=' 'save' 'print0' 'version' 'h/help'
        case 'protect'
            __fabric-store_parse_subcommand -r 1 'store=' 'store-password-file=' 'p/provider=' 'off' 'version' 'h/help'
        case 'lock'
            __fabric-store_parse_subcommand -r 2 'store=' 'store-password-file=' 'wait=' 'lease=' 'version' 'h/help'
        case 'help'
            __fabric-store_parse_subcommand -r 1 'version'
        end
    end
end

function __fabric-store_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __fabric-store_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __fabric-store_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __fabric-store_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__fabric-store_tokens -p)
    if test -z "$(__fabric-store_tokens -t)"
        set -l index (count (__fabric-store_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'fabric-store' -f
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store" -eq 1' -fa 'register' -d 'Register a provider (spec: provider register) and print its record.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store" -eq 1' -fa 'add' -d 'Record machine, snapshot and provider records read from standard input, and pass them on.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store" -eq 1' -fa 'list' -d 'Print the stored machines, providers or snapshots.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store" -eq 1' -fa 'get' -d 'Print one stored record, or fail if it is not there.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store" -eq 1' -fa 'remove' -d 'Remove records: those read from standard input, or those named.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store" -eq 1' -fa 'export' -d 'Print every row the store holds as JSON lines, to move it with import.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store" -eq 1' -fa 'import' -d 'Store the rows of an export read from standard input, into an empty store.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store" -eq 1' -fa 'path' -d 'Print the path (or mysql:// URL) of the store that would be used.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store" -eq 1' -fa 'check' -d 'Print one record saying whether the store can be used, and for a mysql:// store which host answers.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store" -eq 1' -fa 'group' -d 'Print a named group\'s record, or keep the options it is created with.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store" -eq 1' -fa 'protect' -d 'Protect stored machines from a scale\'s removal (--off: no longer).'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store" -eq 1' -fa 'lock' -d 'Run a command while holding a named lock in the store.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register" password-file' -l 'password-file' -d 'Read a provider\'s password from this file (its first line); /dev/fd/N works. Default: $FABRIC_PASSWORD.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register" type' -l 'type' -d 'OPENSTACK (default), AMAZON or NULLPROVIDER, case-insensitive; aliases openstack, amazon, ec2 and null.' -rfka 'OPENSTACK AMAZON NULLPROVIDER openstack amazon ec2 null'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register" username' -l 'username' -d 'The user to access the provider as.' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register" url' -l 'url' -d 'The provider\'s access point, e.g. http://keystone:5000/v3; - for the type\'s default (AMAZON: the region\'s endpoint).' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register" tenant' -l 'tenant' -d 'The tenant (project) that owns the resources.' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register" from-env' -l 'from-env' -d 'Take the url, user, password, tenant and settings from the variables the cloud\'s own tools use: OS_* of a sourced openrc file (OPENSTACK), the AWS CLI\'s AWS_* (AMAZON). --extra settings given win.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register" default-image' -l 'default-image' -d 'Image name or id used when no --image is given.' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register" default-flavor' -l 'default-flavor' -d 'Flavor name or id used when no --flavor is given.' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register"' -l 'extra' -d 'A provider-type setting, as key=value; may be repeated.' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register" check' -l 'check' -d 'Check the provider and that its id is free; register nothing and print nothing.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store register" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store add" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store add" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store add" password-file' -l 'password-file' -d 'Read a provider\'s password from this file (its first line); /dev/fd/N works. Default: $FABRIC_PASSWORD.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store add" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store list" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store list" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store list" p provider' -s 'p' -l 'provider' -d 'The registered provider to use (see: fabric provider list).' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store list" -eq 1' -fka 'machine machines provider providers snapshot snapshots'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store list" uuid' -l 'uuid' -d 'Machines: only this UUID.' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store list" group' -l 'group' -d 'Machines: only this group.' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store list" batch' -l 'batch' -d 'Machines: only those of this create call (fabric-boot --batch).' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store list" status' -l 'status' -d 'Machines and snapshots: only this status.' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store list" machine' -l 'machine' -d 'Snapshots: only those of this machine.' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store list" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store get" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store get" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store get" p provider' -s 'p' -l 'provider' -d 'The registered provider to use (see: fabric provider list).' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store get" -eq 1' -fka 'machine machines provider providers snapshot snapshots'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store get" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store remove" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store remove" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store remove" p provider' -s 'p' -l 'provider' -d 'The registered provider to use (see: fabric provider list).' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_positional "fabric-store remove" -eq 1' -fka 'machine machines provider providers snapshot snapshots'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store remove" group' -l 'group' -d 'Machines: remove every machine of this group.' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store remove" batch' -l 'batch' -d 'Machines: with --group, only those of this create call (fabric-boot --batch).' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store remove" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store export" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store export" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store export" with-secrets' -l 'with-secrets' -d 'Include providers\' passwords (keep the output private).'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store export" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store import" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store import" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store import" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store path" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store path" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store path" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store path" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store check" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store check" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store check" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store group" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store group" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store group" p provider' -s 'p' -l 'provider' -d 'The registered provider to use (see: fabric provider list).' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store group" save' -l 'save' -d 'Keep the arguments after -- as the group\'s create options.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store group" print0' -l 'print0' -d 'Print the kept options NUL-separated instead of the record.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store group" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store group" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store protect" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store protect" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store protect" p provider' -s 'p' -l 'provider' -d 'The registered provider to use (see: fabric provider list).' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store protect" off' -l 'off' -d 'Clear the protection instead.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store protect" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store protect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store lock" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store lock" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store lock" wait' -l 'wait' -d 'Seconds to wait for a lock another holds (default 0: fail at once).' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store lock" lease' -l 'lease' -d 'Seconds a lease lasts unless renewed; renewed every third of it (default 30).' -rfka ''
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store lock" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store lock" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-store' -n '__fabric-store_should_offer_completions_for_flags_or_options "fabric-store help" version' -l 'version' -d 'Show the version.'

# --- fabric additions: written by completions/regenerate, not by the tool ---

function __fabric_prev_is -d 'true if the previous token is one of the arguments'
    set -l tokens (commandline -opc)
    contains -- $tokens[-1] $argv
end

function __fabric_json_field -a field -d 'the string field of each JSON line on stdin'
    while read -l line
        set -l match (string match -r -- '"'$field'":"((?:[^"\\\\]|\\\\.)*)"' $line)
        set -q match[2]; or continue
        string replace -ra -- '\\\\(.)' '$1' $match[2]
    end
end

function __fabric_tool_providers -d 'registered provider ids, from a store that exists'
    set -l tokens (commandline -opc)
    set -l store
    set -l i (contains -i -- --store $tokens)
    and set -l next (math $i + 1)
    and set -q tokens[$next]
    and set store --store $tokens[$next]
    set -l store_path (fabric-store path $store 2>/dev/null)
    test -f "$store_path"; or return
    fabric-store list providers $store 2>/dev/null | __fabric_json_field provider_id
end
complete -c 'fabric-store' -n '__fabric_prev_is -p --provider' -s p -l provider -x -a '(__fabric_tool_providers)' -d 'provider id'
complete -c 'fabric-store' -n '__fabric_prev_is --store' -l store -r -F
complete -c 'fabric-store' -n '__fabric_prev_is --store-password-file' -l store-password-file -r -F
complete -c 'fabric-store' -n '__fabric_prev_is --password-file' -l password-file -r -F
