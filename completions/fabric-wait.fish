function __fabric-wait_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fabric-wait_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __fabric-wait_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fabric-wait_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __fabric-wait_parse_tokens -S
    set -l unparsed_tokens (__fabric-wait_tokens -pc)
    switch $unparsed_tokens[1]
    case 'fabric-wait'
        __fabric-wait_parse_subcommand 0 'p/provider=' 'store=' 'store-password-file=' 'timeout=' 'interval=' 'max-interval=' 'until=' 'address=' 'mysql-user=' 'mysql-password-file=' 'mysql-tls' 'fail-pattern=+' 'stage-timeout=+' 'connect-timeout=' 'on-ready=' 'hook-timeout=' 'events=' 'no-progress' 'check' 'again' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __fabric-wait_parse_subcommand -r 1 'version'
        end
    end
end

function __fabric-wait_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __fabric-wait_parse_subcommand -S -a positional_count
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

function __fabric-wait_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __fabric-wait_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__fabric-wait_tokens -p)
    if test -z "$(__fabric-wait_tokens -t)"
        set -l index (count (__fabric-wait_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'fabric-wait' -f
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" p provider' -s 'p' -l 'provider' -d 'The registered provider to use (see: fabric provider list).' -rfka ''
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" timeout' -l 'timeout' -d 'Give up after this many seconds (default 600).' -rfka ''
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" interval' -l 'interval' -d 'First pause between rounds, in seconds; it grows by half each round (default 0.1).' -rfka ''
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" max-interval' -l 'max-interval' -d 'Longest pause between rounds (default 1).' -rfka ''
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" until' -l 'until' -d 'What ready means for a machine: stages, in this order, each waited for after the one before: active (the cloud\'s state), address (the public address asked for), port:N (a TCP connection), cloud-init (its final line in the boot log), mysql[:PORT] (the MySQL handshake; with --mysql-user a login and SELECT 1). Default: the provider\'s ready setting, else active.' -rfka ''
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" address' -l 'address' -d 'Which address port and mysql connect to: auto (the public one when there is one, else the private one), public or private.' -rfka 'auto public private'
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" mysql-user' -l 'mysql-user' -d 'Log in to each machine\'s MySQL as this user; the password from --mysql-password-file or $FABRIC_MYSQL_PASSWORD, never the command line.' -rfka ''
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" mysql-password-file' -l 'mysql-password-file' -d 'The MySQL password: this file\'s first line (/dev/fd/N works).' -rF
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" mysql-tls' -l 'mysql-tls' -d 'Refuse a MySQL login without TLS.'
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait"' -l 'fail-pattern' -d 'A line of the boot log matching this extended regular expression fails the cloud-init stage at once; may be repeated.' -rfka ''
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait"' -l 'stage-timeout' -d 'The longest a machine may spend in one stage (cloud-init, mysql:3306, or port for every port); may be repeated.' -rfka ''
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" connect-timeout' -l 'connect-timeout' -d 'Seconds a round gives a connection to a machine (default 2).' -rfka ''
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" on-ready' -l 'on-ready' -d 'Run this command for each machine once its own stages pass (up to mysql), before replica or synced and before it counts; its record on stdin, FABRIC_* in its environment. A bare NAME is a recipe (mariadb-replica). A failure fails the machine.' -rfka ''
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" hook-timeout' -l 'hook-timeout' -d 'The longest a hook may run, in seconds (default 600); past it, it is ended and fails the machine.' -rfka ''
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" events' -l 'events' -d 'Append one JSON line per transition to this file (- for standard error): stage, hook_started, hook_ended, role, ready, failed.' -rF
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" no-progress' -l 'no-progress' -d 'No progress line on standard error, even on a terminal.'
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" check' -l 'check' -d 'Check the options and exit: read no input, contact no cloud. With -p and no --until, the provider\'s ready setting is checked too.'
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" again' -l 'again' -d 'Wait again for machines whose records say a step failed them (stopped_at.failed), as fabric machine wait does.'
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_positional "fabric-wait" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'fabric-wait' -n '__fabric-wait_should_offer_completions_for_flags_or_options "fabric-wait help" version' -l 'version' -d 'Show the version.'

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
complete -c 'fabric-wait' -n '__fabric_prev_is -p --provider' -s p -l provider -x -a '(__fabric_tool_providers)' -d 'provider id'
complete -c 'fabric-wait' -n '__fabric_prev_is --store' -l store -r -F
complete -c 'fabric-wait' -n '__fabric_prev_is --store-password-file' -l store-password-file -r -F
